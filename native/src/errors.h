/* errors.h — the launcher's error convention, the one every function here follows. A function that
 * can fail takes `struct rb_error *err`, fills it (errno + fixed message, no allocation: safe after
 * fork) and returns -1; callers add context on the way up with rb_wrap(); main() alone
 * prints/reports it. Owns no sandbox property by itself; every property's failure path goes through
 * it. */
#pragma once
#include <stddef.h>

#define RB_ERR_MSG 256

struct rb_error {
    int err;              /* errno of the first failure, 0 if none */
    char msg[RB_ERR_MSG]; /* "what: strerror", prefixed by context */
};

/* Records `fmt` (+ ": strerror(errnum)" when errnum != 0) and returns -1. */
int rb_fail(struct rb_error *e, int errnum, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Prefixes the existing message with "ctx: " and returns -1. */
int rb_wrap(struct rb_error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
