#!/bin/bash
# test/rootless/run.sh — runbox without host root, end to end on this host. Run it as root on a
# machine you may change (a CI runner, a throw-away VM): it plays the operator once, then runs
# everything else as a normal user.
#   1. a user (RUNBOX_ROOTLESS_USER, default runbox-rootless) with a subordinate id range;
#   2. the cgroup parent runbox (RUNBOX_ROOTLESS_CGROUP) delegated to it (v2: /sys/fs/cgroup/runbox, the folder and the
#      files delegation hands over; v1: runbox/ in each hierarchy the launcher uses);
#   3. the launcher's TAP suite as that user (native/tests/run.sh --rootless);
#   4. the service with its worker as that user, started inside the delegated group: smoke jobs
#      through the HTTP API, the worker's own uid and the slots' uids checked on the host;
#   5. with --e2e, the hostile-program, slot and start-up suites against that worker
#      (RUNBOX_TEST_WORKER_USER, test/support/rootless.ts);
#   and after each step nothing of the user's is left: no process, no run cgroup.
# Usage: test/rootless/run.sh [--e2e] [--no-tap] [--tap-filter REGEX]
set -euo pipefail
export LC_ALL=C
cd "$(dirname "$0")/../.."
ROOT=$PWD
E2E="" TAP=1 TAP_FILTER=""
while [ $# -gt 0 ]; do
    case $1 in
    --e2e) E2E=1 ;;
    --no-tap) TAP="" ;;
    --tap-filter) TAP_FILTER=$2 && shift ;;
    *) echo "usage: $0 [--e2e] [--no-tap] [--tap-filter REGEX]" >&2 && exit 64 ;;
    esac
    shift
done
[ "$(id -u)" = 0 ] || { echo "run as root: it creates the user and delegates the cgroup first" >&2; exit 1; }
NAME=${RUNBOX_ROOTLESS_USER:-runbox-rootless}
PARENT=${RUNBOX_ROOTLESS_CGROUP:-runbox}
L=$ROOT/native/build/runbox-launcher
say() { echo "# rootless: $*"; }
FAILED=0
check() { # check WHAT COMMAND...: one line of the proof
    if "${@:2}"; then echo "ok - $1"; else echo "not ok - $1" && FAILED=1; fi
}

# --- 1. the user and its range -----------------------------------------------------------------
if ! id "$NAME" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$NAME"
fi
if ! grep -q "^$NAME:" /etc/subuid; then usermod --add-subuids 200000-265535 "$NAME"; fi
if ! grep -q "^$NAME:" /etc/subgid; then usermod --add-subgids 200000-265535 "$NAME"; fi
UID_=$(id -u "$NAME") GID_=$(id -g "$NAME")
SUB_FIRST=$(awk -F: -v n="$NAME" '$1 == n { print $2; exit }' /etc/subuid)
say "user $NAME ($UID_), /etc/subuid: $(grep "^$NAME:" /etc/subuid), /etc/subgid: $(grep "^$NAME:" /etc/subgid)"
chmod o+rx "$ROOT" # the checkout must be readable by the user

# --- 2. the delegated cgroup -------------------------------------------------------------------
INFO=$("$L" --cgroup-info --cgroup-parent $PARENT)
MODE=$(jq -r .mode <<<"$INFO")
delegate() {
    local dir
    for dir in $(jq -r '.hierarchies[].path' <<<"$INFO"); do
        local fresh=""
        [ -d "$dir" ] || { mkdir -p "$dir" && fresh=1; }
        if [ "$MODE" = v1 ] && [ -n "$fresh" ] && [ -f "$dir/../cpuset.cpus" ]; then
            cat "$dir/../cpuset.cpus" >"$dir/cpuset.cpus" && cat "$dir/../cpuset.mems" >"$dir/cpuset.mems"
        fi
        if [ "$MODE" = v2 ]; then
            chown "$UID_:$GID_" "$dir" "$dir/cgroup.procs" "$dir/cgroup.subtree_control" "$dir/cgroup.threads"
        else
            chown -R "$UID_:$GID_" "$dir"
        fi
    done
}
delegate
say "cgroup $MODE: $PARENT delegated ($(jq -c '[.hierarchies[].path]' <<<"$INFO"))"

# as_user_exec COMMAND...: becomes COMMAND as the user, inside the delegated group (v2: a root
# shell moves itself in, then drops to the user without PAM, so no login session moves it
# elsewhere). as_user: the same in a child, waited for.
as_user_exec() {
    local enter=":"
    # (once a worker has adopted the parent, its processes live in its leaf: none may join the
    # parent itself, which now hands controllers to its children)
    local group=/sys/fs/cgroup/$PARENT
    [ -d "$group/worker" ] && group=$group/worker
    [ "$MODE" = v2 ] && enter="echo \$\$ > $group/cgroup.procs"
    exec sh -c "$enter && exec setpriv --reuid=$UID_ --regid=$GID_ --init-groups env HOME=/home/$NAME USER=$NAME \"\$@\"" sh "$@"
}
as_user() { (as_user_exec "$@"); }
nothing_left() { # no process of the user or of its subordinate ids, no run group
    local i
    for i in $(seq 100); do
        [ -z "$(ps -eo uid= | awk -v a="$UID_" -v f="$SUB_FIRST" '$1 == a || ($1 >= f && $1 < f + 65536)')" ] && break
        sleep 0.1
    done
    local procs groups
    procs=$(ps -eo uid=,pid=,args= | awk -v a="$UID_" -v f="$SUB_FIRST" '$1 == a || ($1 >= f && $1 < f + 65536)')
    groups=$(for d in $(jq -r '.hierarchies[].path' <<<"$INFO"); do find "$d" -mindepth 1 -type d -name 'run-*'; done)
    [ -z "$procs$groups" ] || { echo "#   left: $procs $groups"; return 1; }
}

# A user without a range: the worker refuses, and says what is weaker and what to do.
no_range=$(cd /tmp && setpriv --reuid=65534 --regid=65534 --clear-groups env REDIS_URL=redis://127.0.0.1:1 \
    node "$ROOT/apps/worker/dist/main.js" 2>&1 || true)
check "a worker whose user has no subordinate range refuses to start" \
    grep -q "has no range in /etc/subuid: every sandbox would share the worker's own id" <<<"$no_range"

# --- 3. the launcher's suite -------------------------------------------------------------------
if [ -n "$TAP" ]; then
    say "native/tests/run.sh --rootless ${TAP_FILTER}"
    if as_user env RUNBOX_TEST_DELEGATED=$PARENT "$ROOT/native/tests/run.sh" --rootless $TAP_FILTER; then
        echo "ok - the launcher's TAP suite, rootless"
    else
        echo "not ok - the launcher's TAP suite, rootless" && FAILED=1
    fi
    check "nothing of the user's left after the TAP suite" nothing_left
fi

# --- 4. the service, its worker as the user ----------------------------------------------------
PORT=${RUNBOX_ROOTLESS_PORT:-3797} REDIS_PORT=${RUNBOX_ROOTLESS_REDIS_PORT:-6797}
RUN=$(mktemp -d /tmp/runbox-rootless.XXXXXX)
chown "$UID_:$GID_" "$RUN"
say "the service as $NAME: Redis on $REDIS_PORT, API on $PORT, slots in $RUN/slots"
as_user_exec redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$RUN" >"$RUN/redis.log" 2>&1 &
REDIS=$!
as_user_exec env REDIS_URL=redis://127.0.0.1:$REDIS_PORT PORT="$PORT" WORKSPACE_DIR="$RUN/slots" \
    CGROUP_PARENT=$PARENT WORKER_UID_BASE=$((SUB_FIRST + 10)) WORKER_SLOTS=2 LOG_LEVEL=warn \
    node "$ROOT/scripts/start.js" >"$RUN/service.log" 2>&1 &
SERVICE=$!
stop_service() {
    kill -TERM $SERVICE 2>/dev/null && wait $SERVICE 2>/dev/null || true
    kill -TERM $REDIS 2>/dev/null && wait $REDIS 2>/dev/null || true
}
trap 'stop_service; rm -rf "$RUN"' EXIT
job() { # job JSON: the finished job's JSON on stdout
    curl -sS --max-time 600 "http://127.0.0.1:$PORT/v1/jobs?wait=true" -H 'content-type: application/json' -d "$1"
}
ready=""
for _ in $(seq 1200); do # the service's start, up to 2 minutes on a slow (emulated) machine
    if [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/v1/languages")" = 200 ] &&
        grep -q "consuming" "$RUN/service.log"; then ready=1 && break; fi
    kill -0 $SERVICE 2>/dev/null || break
    sleep 0.1
done
if [ -z "$ready" ]; then
    echo "not ok - the service started as $NAME" && sed 's/^/#   /' "$RUN/service.log" | tail -20
    exit 1
fi
grep "rootless" "$RUN/service.log" | sed 's/^/# /'
echo "ok - the service started as $NAME"
expect_job() { # expect_job WHAT JSON JQ-TEST
    local out
    out=$(job "$2")
    if jq -e "$3" <<<"$out" >/dev/null; then echo "ok - $1"; else
        echo "not ok - $1" && echo "#   $(head -c 600 <<<"$out")" && FAILED=1
    fi
}
expect_job "bash: hello, as a slot uid of the user's range" \
    '{"language":"bash","source":"echo hello; id -u"}' \
    ".result.verdict == \"ok\" and (.result.run.stdout | split(\"\n\")[1] | tonumber) >= $SUB_FIRST"
expect_job "python: hello" '{"language":"python","source":"print(6 * 7)"}' \
    '.result.verdict == "ok" and .result.run.stdout == "42\n"'
expect_job "c: compiled and run" \
    '{"language":"c","source":"#include <stdio.h>\nint main(void) { puts(\"compiled\"); return 0; }"}' \
    '.result.verdict == "ok" and .result.run.stdout == "compiled\n"'
expect_job "graded: two tests, one wrong" \
    '{"language":"python","source":"print(int(input()) * 2)","tests":[{"stdin":"2","expectedOutput":"4"},{"stdin":"3","expectedOutput":"7"}]}' \
    '.result.verdict == "wrong_answer" and ([.result.tests[].verdict] == ["ok","wrong_answer"])'
expect_job "memory bomb: memory_limit" \
    '{"language":"python","source":"a = []\nwhile True:\n    a.append(bytearray(1 << 20))","limits":{"memoryMb":64}}' \
    '.result.verdict == "memory_limit"'
expect_job "fork bomb: confined, the job ends" \
    '{"language":"bash","source":":(){ :|:& };:","limits":{"wallTimeMs":2000}}' \
    '.status == "completed"'
expect_job "network: a loopback of its own, nothing else" \
    '{"language":"bash","source":"tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d \" \""}' \
    '.result.verdict == "ok" and .result.run.stdout == "lo\n"'
worker_uid=$(ps -eo uid=,args= | awk '/apps\/worker\/dist\/main.js/ && !/awk/ { print $1 }' | sort -u)
check "the worker's processes are the user's on the host (uids: $(echo $worker_uid))" test "$(echo $worker_uid)" = "$UID_"
stop_service
trap 'rm -rf "$RUN"' EXIT
check "the service stopped, nothing of the user's left" nothing_left

# --- 5. the hostile suites against a rootless worker -------------------------------------------
if [ -n "$E2E" ]; then
    say "the hostile-program, slot, kernel-surface and start-up suites, the worker as $NAME"
    if RUNBOX_TEST_WORKER_USER=$NAME npx jest -c jest.config.cjs --selectProjects e2e --runInBand -- \
        test/security/hostile.e2e-spec.ts test/security/slots.e2e-spec.ts test/security/kernel-surface.e2e-spec.ts \
        test/e2e/rootless-start.e2e-spec.ts; then
        echo "ok - hostile programs confined by a rootless worker"
    else
        echo "not ok - hostile programs confined by a rootless worker" && FAILED=1
    fi
    check "nothing of the user's left after the e2e suites" nothing_left
fi

# the delegated parent goes (its leaf and the TAP suite's parent first); the user stays
for d in $(jq -r '.hierarchies[].path' <<<"$INFO"); do
    for sub in "$d/worker" "$d/selftest"; do [ -d "$sub" ] && rmdir "$sub"; done
    rmdir "$d" 2>/dev/null || echo "# rootless: $d is not empty, kept"
done
[ $FAILED = 0 ] && say "all passed" || say "FAILED"
exit $FAILED
