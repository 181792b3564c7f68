/* workspace.h — the workspace helpers (native/README.md): a size-limited tmpfs per slot, and the
 * removal of one box in it, whatever a program left there. */
#pragma once
#include <stdint.h>

#include "errors.h"

int workspace_mount(const char *dir, uint64_t disk_kb, uint64_t inodes, struct rb_error *err);
int workspace_unmount(const char *dir, struct rb_error *err);
int workspace_remove_box(const char *workspace, const char *name, struct rb_error *err);
