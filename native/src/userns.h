/* userns.h — the opt-in user namespace of the sandbox (--userns). The launcher clones the init
 * with CLONE_NEWUSER next to the other namespaces, writes its uid/gid maps, and only then lets it
 * go on (the init waits on a pipe: before the maps it has no uid a file could be created with). */
#pragma once
#include <sys/types.h>

#include "args.h"
#include "errors.h"

/* Launcher side, right after the clone: maps the init's ids (root inside = the launcher's own ids
 * outside; the slot's uid/gid = the same ids outside). As root the maps are written directly;
 * otherwise through newuidmap/newgidmap, which take the slot ids from /etc/subuid, /etc/subgid. */
int userns_map(pid_t init, const struct setup_opts *s, struct rb_error *err);

/* Init side, first thing after the clone: waits until the launcher has written the maps (one byte
 * on fd); EOF (the launcher failed or died) ends the init. */
void userns_wait_mapped(int fd);

/* --enter-userns -- PROGRAM [ARG...]: the worker's own user and mount namespace, for a worker
 * without host root (native/README.md "Rootless worker"). As root of that namespace it execs
 * PROGRAM; returns only on failure (the exit status, the reason on stderr). */
int userns_enter_main(int argc, char **argv);
