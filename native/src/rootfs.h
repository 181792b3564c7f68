/* rootfs.h — the sandbox's root file system (property 2), built by the sandbox's init inside its
 * fresh mount namespace. */
#pragma once
#include <stdbool.h>

#include "args.h"
#include "errors.h"

/* Builds the new root and pivots into it. box: one-shot mode's --box (NULL: empty tmpfs /box).
 * prepared: the workspace is staged at a hidden root-only path instead, /box is mounted by
 * rootfs_mount_box() once the request names it. */
int rootfs_build(const struct setup_opts *s, const char *box, bool prepared, struct rb_error *err);

/* Prepared mode, at go time: /box := WORKSPACE/box (stays the empty tmpfs when box is NULL). */
int rootfs_mount_box(const char *box, struct rb_error *err);

/* Prepared mode: detaches the staged workspace once /box is in place (no other box visible). */
void rootfs_hide_workspace(void);
