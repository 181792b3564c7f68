/* serve.h — serve mode (`runbox-launcher --serve SETUP-OPTIONS`): a long-lived launcher per slot.
 * Frames on its stdin (from the worker), integers little-endian:
 *   run     'R' u32 id, u32 n, n bytes of request (the prepared mode's NUL-terminated arguments,
 *           without the final empty one), u32 m, m bytes of the program's stdin
 *   cancel  'C' u32 id   — stop run `id` if it is still going (ignored otherwise)
 *   stream  'S' as run: a streamed run (live output and input): its output also goes out as it
 * comes, and the program's stdin stays open for input frames until one of 0 bytes input   'I' u32
 * id, u32 n, n bytes — more stdin for streamed run `id`; n = 0 closes it (ignored when `id` is not
 * the streamed run going) Frames on its stdout, one per run, in order: u32 id, i32 launcher status
 * (exit code, or -signal), u32 a + report (one JSON line without its newline; empty if none), u32 b
 * + stdout kept, u32 c + stderr kept A streamed run's instead: 'O' u32 id, u8 stream (1 stdout, 2
 * stderr), u32 n, n bytes, for each chunk as it is read, then 'A' and the answer above (with all
 * the output again, as for a run). EOF on stdin: the server tears its prepared sandbox down and
 * exits 0. Owns no sandbox property itself: every run is a prepared-mode launcher of its own
 * (main.c). */
#pragma once
#include <sys/types.h>

#define SERVE_RUN 'R'
#define SERVE_CANCEL 'C'
#define SERVE_STREAM 'S'
#define SERVE_INPUT 'I'
#define SERVE_OUTPUT 'O'
#define SERVE_ANSWER 'A'
#define SERVE_READY_LINE "{\"ready\":true}\n"

/* parent: getppid() as the process started (the worker), for term_with_parent(). */
int serve_main(int argc, char **argv, pid_t parent);
