/* seccomp.h — the program's system-call deny list (property 3). Compiled once to BPF in the
 * sandbox's init before the job is known, loaded by the program's child just before execve. */
#pragma once
#include <linux/filter.h>

#include "errors.h"

int seccomp_compile(struct sock_fprog *out, struct rb_error *err);
/* Sets no_new_privs and installs the filter on the calling thread. */
int seccomp_install(const struct sock_fprog *prog, struct rb_error *err);
