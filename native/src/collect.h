/* collect.h — `--box-collect`: the files a program left in its box that a job asks for, read
 * without following anything the program planted (collect.c). */
#pragma once

/* The whole helper: its own arguments (argv as main got it); returns the exit code. */
int collect_main(int argc, char **argv);
