/* workspace.h — the two workspace helpers (native/README.md): a size-limited tmpfs per slot. */
#pragma once
#include <stdint.h>

#include "errors.h"

int workspace_mount(const char *dir, uint64_t disk_kb, uint64_t inodes, struct rb_error *err);
int workspace_unmount(const char *dir, struct rb_error *err);
