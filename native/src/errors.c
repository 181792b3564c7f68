/* errors.c — implementation of the rb_error convention (see errors.h). No allocation, so it is
 * usable in the sandbox's init and in the program's child between fork and execve. */
#include "errors.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int rb_fail(struct rb_error *e, int errnum, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if (errnum && (size_t)n < sizeof e->msg)
        snprintf(e->msg + n, sizeof e->msg - (size_t)n, ": %s", strerror(errnum));
    e->err = errnum ? errnum : (e->err ? e->err : -1);
    return -1;
}

int rb_wrap(struct rb_error *e, const char *fmt, ...)
{
    char buf[RB_ERR_MSG];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf - 2, fmt, ap);
    va_end(ap);
    size_t len = n < 0 ? 0 : (size_t)n > sizeof buf - 3 ? sizeof buf - 3 : (size_t)n;
    buf[len++] = ':';
    buf[len++] = ' ';
    size_t rest = strnlen(e->msg, sizeof e->msg);
    if (rest > sizeof buf - 1 - len)
        rest = sizeof buf - 1 - len;
    memcpy(buf + len, e->msg, rest);
    buf[len + rest] = '\0';
    memcpy(e->msg, buf, sizeof buf);
    return -1;
}
