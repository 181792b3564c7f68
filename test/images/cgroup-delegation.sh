#!/usr/bin/env bash
# On a cgroup v2 host (root): the worker image's start (docker/worker-entrypoint.sh) inside a
# container-like subtree — its own cgroup namespace rooted at a cgroup with a memory limit, and
# cgroup2 mounted read-only as a runtime mounts it — then the launcher. Checks that the run's
# cgroup is made inside that subtree (never at the host's root), that the subtree's memory limit
# ends a program that asked for more, and that nothing is left. Usage: cgroup-delegation.sh
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
L=$ROOT/native/build/runbox-launcher
[ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ] || { echo "1..0 # SKIP not a cgroup v2 host"; exit 0; }
CTR=/sys/fs/cgroup/runbox-delegation-test
n=0 failed=0
check() { n=$((n + 1)); if eval "$2"; then echo "ok $n - $1"; else echo "not ok $n - $1"; failed=1; fi; }

grep -qw memory /sys/fs/cgroup/cgroup.subtree_control || echo "+memory +pids" >/sys/fs/cgroup/cgroup.subtree_control
mkdir "$CTR"
echo $((96 * 1024 * 1024)) >"$CTR/memory.max"
echo 0 >"$CTR/memory.swap.max" 2>/dev/null || true

# The "container": its own cgroup and mount namespaces, cgroup2 mounted read-only at its root.
# It runs the entrypoint, which makes that root the launcher's; the launcher is given 512 MiB
# for a program that allocates 256 MiB: only the container's 96 MiB can stop it.
report=$(mktemp)
(
  echo $BASHPID >"$CTR/cgroup.procs"
  exec unshare --cgroup --mount --propagation private sh -c '
    umount /sys/fs/cgroup && mount -t cgroup2 -o ro,nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
    exec "$0" sh -c "
      ls -d /sys/fs/cgroup/worker >&2
      if echo max >/sys/fs/cgroup/memory.max 2>/dev/null; then echo writable >\"$2.root\"; else echo read-only >\"$2.root\"; fi
      \"$1\" --uid 61000 --gid 61000 --memory-kb 524288 --cpu-time-ms 20000 --wall-time-ms 60000 \
        --report-fd 3 -- /usr/bin/python3 -c \"x = bytearray(256 << 20); print(len(x))\" 3>\"$2\"
    "' "$ROOT/docker/worker-entrypoint.sh" "$L" "$report"
) || true
cat "$report"
check "the entrypoint moved the processes into the leaf worker/" '[ -d "$CTR/worker" ]'
check "the launcher made runbox/ inside the container cgroup" '[ -d "$CTR/runbox" ]'
check "the container's own limits stay read-only inside it" 'grep -qx read-only "$report.root" && [ "$(cat "$CTR/memory.max")" = $((96 * 1024 * 1024)) ]'
check "nothing at the host root" '[ ! -e /sys/fs/cgroup/runbox/run-* ] 2>/dev/null; ! ls -d /sys/fs/cgroup/runbox/run-* >/dev/null 2>&1'
check "the container's memory limit ended the run" 'grep -q "\"limit\":\"memory\"" "$report"'
check "the run cgroup is gone" '! ls -d "$CTR"/runbox/run-* >/dev/null 2>&1'
check "no process of the sandbox uid left" '! pgrep -u 61000 >/dev/null'
rmdir "$CTR/runbox" "$CTR/worker" "$CTR" 2>/dev/null || true
check "the test cgroup is removed" '[ ! -e "$CTR" ]'
rm -f "$report" "$report.root"
echo "1..$n"
exit $failed
