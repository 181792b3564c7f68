#!/bin/sh
# The worker container's start: make the container's OWN cgroup the launcher's to divide, then run
# the worker. The runtime mounts the container's cgroup read-only (no privileged mode); the launcher
# must create a cgroup per run below it, so that the container's memory and CPU limits bound every
# sandbox. No host cgroup is bound in: what is remounted here is the container's own view.
set -eu
CG=/sys/fs/cgroup

writable() { # remount one mount point read-write (mount flags only: MS_REMOUNT|MS_BIND)
  grep -qsE " $1 ro(,| )" /proc/self/mountinfo || return 0
  mount -o remount,bind,rw "$1"
}

if [ -f $CG/cgroup.controllers ]; then
  # cgroup v2. The container must have its own cgroup namespace (compose `cgroup: private`,
  # the default on v2 hosts; Kubernetes does so on v2): then / here is the container's cgroup, and
  # nothing above it can be reached or named.
  if [ "$(cat /proc/self/cgroup)" != "0::/" ]; then
    echo "runbox worker: cgroup v2 without a private cgroup namespace (/proc/self/cgroup: $(cat /proc/self/cgroup))" >&2
    exit 1
  fi
  writable $CG
  # "No internal processes": a cgroup that hands controllers to its children holds no process
  # itself. Move every process (this shell, soon the worker) into the leaf worker/, then let the
  # root's children use memory, pids and cpu; the launcher puts runs under $CGROUP_PARENT/.
  mkdir -p $CG/worker
  for _ in 1 2 3; do
    while read -r pid; do echo "$pid" >$CG/worker/cgroup.procs 2>/dev/null || true; done <$CG/cgroup.procs
    [ -s $CG/cgroup.procs ] || break
  done
  controllers=""
  for c in memory pids cpu; do
    grep -qw $c $CG/cgroup.controllers && controllers="$controllers +$c"
  done
  echo "$controllers" >$CG/cgroup.subtree_control
else
  # cgroup v1: the runtime binds each controller's hierarchy at the container's own cgroup, so a
  # folder made here is a child of the container's cgroup and inherits its limits.
  for dir in $CG/*; do
    [ -d "$dir" ] && [ ! -L "$dir" ] && writable "$dir"
  done
fi
exec "$@"
