#!/bin/sh
# The worker container's start: hand the launcher a part of the container's OWN cgroup, then run
# the worker. The launcher creates a cgroup per run below $CGROUP_PARENT/, so the container's memory
# and CPU limits bound every sandbox together. No host cgroup is bound in, and the container's own
# cgroup files (its memory.max, ...) stay read-only: only $CGROUP_PARENT/ is writable, so not even
# the worker can lift the limits the container was given.
set -eu
CG=/sys/fs/cgroup
PARENT=${CGROUP_PARENT:-runbox}

remount() { # remount MOUNTPOINT ro|rw: the mount's own flag (MS_REMOUNT|MS_BIND), not the fs's
  mount -o "remount,bind,$2" "$1"
}

# delegate DIR: DIR/$PARENT becomes a read-write mount of its own; DIR itself ends read-only.
delegate() {
  remount "$1" rw
  mkdir -p "$1/$PARENT"
  mount --bind "$1/$PARENT" "$1/$PARENT"
  remount "$1/$PARENT" rw
  remount "$1" ro
}

# CAP_SYS_ADMIN in this container's user namespace: without it (a rootless pod,
# deploy/kubernetes/overlays/rootless) nothing here can be remounted or bound.
can_mount() {
  caps=$(awk '/^CapEff:/ { print $2 }' /proc/self/status)
  [ $((0x$caps >> 21 & 1)) = 1 ]
}

# hand_down LEAF CONTROLLER...: "no internal processes": a cgroup that hands controllers to its
# children holds no process itself. Every process of $CG (this shell, soon the worker) moves into
# $CG/LEAF, then $CG's children get those of the CONTROLLERs $CG is offered.
hand_down() {
  leaf=$1 && shift
  mkdir -p "$CG/$leaf"
  for _ in 1 2 3; do
    while read -r pid; do echo "$pid" >"$CG/$leaf/cgroup.procs" 2>/dev/null || true; done <$CG/cgroup.procs
    [ -s $CG/cgroup.procs ] || break
  done
  controllers=""
  for c in "$@"; do
    grep -qw "$c" $CG/cgroup.controllers && controllers="$controllers +$c"
  done
  echo "$controllers" >$CG/cgroup.subtree_control
}

if [ -f $CG/cgroup.controllers ]; then
  # cgroup v2. The container must have its own cgroup namespace (compose `cgroup: private`,
  # the default on v2 hosts; Kubernetes does so on v2): then / here is the container's cgroup, and
  # nothing above it can be reached or named.
  if [ "$(cat /proc/self/cgroup)" != "0::/" ]; then
    echo "runbox worker: cgroup v2 without a private cgroup namespace (/proc/self/cgroup: $(cat /proc/self/cgroup))" >&2
    exit 1
  fi
  if ! can_mount; then
    # A worker without root (README "Rootless worker"): the runtime hands the container's cgroup
    # to its root (delegation: cgroup.procs, cgroup.subtree_control, cgroup.threads; never its own
    # limits). Every process goes to $PARENT/, whose children get the controllers, and the worker
    # adopts $PARENT itself (runbox-launcher --cgroup-adopt).
    if ! [ -w $CG/cgroup.procs ] || ! [ -w $CG/cgroup.subtree_control ]; then
      echo "runbox worker (rootless): the container's cgroup is read-only: the node must give the pod a writable cgroup (deploy/kubernetes/overlays/rootless says how)" >&2
      exit 1
    fi
    hand_down "$PARENT" memory pids cpu cpuset
    exec "$@"
  fi
  remount $CG rw
  # The leaf worker/ holds the processes; the root's children get memory, pids and cpu.
  hand_down worker memory pids cpu
  delegate $CG
elif ! can_mount; then
  echo "runbox worker (rootless): a container without CAP_SYS_ADMIN needs cgroup v2 (this host has v1)" >&2
  exit 1
else
  # cgroup v1: the runtime binds each controller's hierarchy at the container's own cgroup, so a
  # folder made here is a child of the container's cgroup and inherits its limits. Only the
  # hierarchies the launcher uses (native/src/cgroup_v1.c, and cpuset for CPU pinning) get a
  # writable $PARENT/: never devices (its allow list could be widened up to the parent's).
  for dir in memory pids cpuacct cpu,cpuacct cpuset; do
    [ -d "$CG/$dir" ] && [ ! -L "$CG/$dir" ] && delegate "$CG/$dir"
  done
fi
exec "$@"
