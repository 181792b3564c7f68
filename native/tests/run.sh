#!/bin/bash
# run.sh — the launcher's own test suite (TAP). Drives build/runbox-launcher as root, one case per
# sandbox property (native/README.md "Properties"), limit and hostile program; after every case: no process of the
# sandbox uid left, no cgroup left under the test's cgroup parent, no mount left on the host.
# Hierarchy-specific cases are skipped (with the reason) where that hierarchy is absent.
# Usage: tests/run.sh [--userns | --rootless] [GROUP]   (only the groups matching the extended regex GROUP:
#        workspace basic isolation seccomp limit core cpu teardown cgroup prepared serve stdio parallel
#        lang)
#        --userns: every sandbox of the suite gets the launcher's user namespace (--userns), through
#        a wrapper that adds the option to each invocation, so every case runs unchanged.
#        --rootless: as a normal user, the way a rootless worker runs the launcher: the suite runs
#        itself again as root of a user namespace of its own (--enter-userns), with --userns, the
#        slot ids the first two of the user's /etc/subuid range, and the cgroup parent below the
#        one delegated to the user (RUNBOX_TEST_DELEGATED, default runbox), adopted first. Every
#        case applies: none needs host root.
set -u
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "$HERE/../build" && pwd)
LBIN=$BUILD/runbox-launcher
L=$LBIN
PROBES=$BUILD/tests # holds the static probe, bound read-only at /probe
USERNS="" ROOTLESS=""
if [ "${1:-}" = --userns ]; then USERNS="userns: " && shift; fi
if [ "${1:-}" = --rootless ]; then
    shift
    if [ "$(id -u)" != 0 ] || [ -z "${RUNBOX_TEST_ROOTLESS_INSIDE:-}" ]; then
        [ "$(id -u)" != 0 ] || { echo "Bail out! --rootless is for a normal user"; exit 1; }
        export RUNBOX_TEST_ROOTLESS_INSIDE=1
        exec "$LBIN" --enter-userns -- "$0" --rootless "$@"
    fi
    USERNS="rootless: " ROOTLESS=1
fi
FILTER=${1:-}

U=61000 G=61000     # slot A
U2=61001 G2=61001   # slot B (parallel-slot case)
CGP=runbox/selftest # our own parent under runbox/, so leftovers are unambiguous
ENV=(--env PATH=/usr/local/bin:/usr/bin:/bin --env HOME=/box --env LANG=C.UTF-8)

if [ -n "$ROOTLESS" ]; then
    # The slot ids: the first two of the subordinate range (the namespace's second map line).
    U=$(awk '$1 != 0 { print $1; exit }' /proc/self/uid_map) G=$(awk '$1 != 0 { print $1; exit }' /proc/self/gid_map)
    [ -n "$U" ] && [ -n "$G" ] || { echo "Bail out! no subordinate ids mapped: $(cat /proc/self/uid_map)"; exit 1; }
    U2=$((U + 1)) G2=$((G + 1))
    DELEGATED=${RUNBOX_TEST_DELEGATED:-runbox}
    CGP=$DELEGATED/selftest
    ADOPTED=$("$LBIN" --cgroup-adopt --cgroup-parent "$DELEGATED") || { echo "Bail out! --cgroup-adopt $DELEGATED"; exit 1; }
    echo "# rootless: uid $U/$U2 gid $G/$G2, delegated cgroup: $ADOPTED"
fi
if [ "$(id -u)" != 0 ]; then echo "1..0 # SKIP the launcher needs root (or tests/run.sh --rootless, as a user with a delegated cgroup and /etc/subuid)"; exit 0; fi
[ -x "$L" ] && [ -x "$PROBES/probe" ] || { echo "Bail out! build first (make -C native)"; exit 1; }
for u in $U $U2; do
    if pgrep -u "$u" >/dev/null; then echo "Bail out! uid $u is in use on this host"; exit 1; fi
done

# Where runs' groups go is the launcher's to say (one folder per hierarchy, run-<pid>-<n> below).
CGINFO=$("$L" --cgroup-info --cgroup-parent $CGP) || { echo "Bail out! --cgroup-info"; exit 1; }
CGMODE=$(jq -r .mode <<<"$CGINFO")
mapfile -t CGDIRS <<<"$(jq -r '.hierarchies[].path' <<<"$CGINFO")" # (no /dev/fd needed)
[ -n "${CGDIRS[0]}" ] || { echo "Bail out! --cgroup-info lists no folder: $CGINFO"; exit 1; }
cgdir() { jq -r --arg c "$1" '.hierarchies[] | select(.controllers | index($c)) | .path' <<<"$CGINFO"; }
cg_has() { [ -n "$(cgdir "$1")" ]; }
run_glob() { # run_glob [LAUNCHER_PID]: the glob of run groups (of that launcher)
    local g
    g=$(jq -r .runGroup <<<"$CGINFO")
    g=${g/\{pid\}/${1:-*}}
    echo "${g/\{n\}/*}"
}
cg_sweep() { "$L" --cgroup-sweep --cgroup-parent $CGP "$@"; }

TMP_MOUNTS=$(awk '$5 == "/tmp"' /proc/self/mountinfo | wc -l) # the sandbox's staging point
T=$(mktemp -d /tmp/rb-test.XXXXXX)
chmod 755 "$T"
if [ -n "$USERNS" ]; then # exec: the wrapper's pid is the launcher's (the teardown cases kill it)
    L=$T/launcher-userns
    printf '#!/bin/sh\nexec %q --userns "$@"\n' "$LBIN" >"$L"
    chmod 755 "$L"
fi
WS=$T/ws          # a workspace tmpfs (the helper's), boxes below it
WS_SMALL=$T/wss   # a 2 MiB one for the disk-fill case
HOST_PIDS=()
cleanup() {
    for p in "${HOST_PIDS[@]}"; do kill "$p" 2>/dev/null; done
    "$L" --workspace-unmount "$WS" 2>/dev/null
    "$L" --workspace-unmount "$WS_SMALL" 2>/dev/null
    cg_sweep --remove-parent >/dev/null 2>&1
    rm -rf "$T"
}
trap cleanup EXIT

N=0 NFAIL=0 NSKIP=0
CASE="" FAILS=()
selected() { [ -z "$FILTER" ] || [[ $1 =~ $FILTER ]]; }
begin() { CASE=$1; FAILS=(); }
fail() { FAILS+=("$*"); }
skip() {
    N=$((N + 1)) NSKIP=$((NSKIP + 1))
    echo "ok $N - $USERNS$1 # SKIP $2"
}

# sandbox [LAUNCHER OPTIONS] -- PROGRAM ARGS: one-shot run as slot A. Sets RC, REP, OUT, ERR.
sandbox() {
    "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" "$@" \
        3>"$T/rep" >"$T/out" 2>"$T/err" </dev/null
    RC=$?
    REP=$(cat "$T/rep")
    OUT=$(head -c 4000 "$T/out")
    ERR=$(head -c 4000 "$T/err")
}
field() { jq -r "$1" <<<"$REP" 2>/dev/null; }
expect() { # expect JQ_PATH VALUE
    local got
    got=$(field "$1")
    [ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}
expect_rc() { [ "$RC" = "$1" ] || fail "exit status: expected $1, got $RC"; }
expect_out() { [ "$OUT" = "$1" ] || fail "stdout: expected '$1', got '${OUT:0:300}'"; }
expect_out_re() { [[ $OUT =~ $1 ]] || fail "stdout does not match /$1/: '${OUT:0:300}'"; }
expect_ok_run() { # the program ran and exited 0
    expect_rc 0
    expect .exitCode 0
    expect .error null
    expect .cgroupMode $CGMODE
}
check() { "$@" || fail "check failed: $*"; }
bare_probe() { # the probe on the host as the sandbox's uid, without the sandbox: the kernel's own answer
    setpriv --reuid $U --regid $G --clear-groups --inh-caps=-all --bounding-set=-all "$PROBES/probe" "$@" 2>&1
}

leftovers() {
    local i
    # The run's processes die with its init; give exiting ones a moment before calling it a leak.
    for i in $(seq 50); do pgrep -u $U >/dev/null || pgrep -u $U2 >/dev/null || break; sleep 0.05; done
    if pgrep -u $U >/dev/null || pgrep -u $U2 >/dev/null; then
        fail "processes of the sandbox uid left: $(pgrep -a -u $U; pgrep -a -u $U2)"
        pkill -9 -u $U; pkill -9 -u $U2
    fi
    local left
    left=$(for d in "${CGDIRS[@]}"; do ls -d "$d"/$(run_glob) 2>/dev/null; done)
    if [ -n "$left" ]; then
        fail "cgroups left: $left"
        cg_sweep >/dev/null
    fi
    # The sandbox's mounts live in its own namespace; a leak would show up on the host as the
    # staging point (/tmp itself), its root tmpfs, or something new below our directory. (Other
    # mounts may come and go on a shared host: they are not ours to judge.)
    local leaked
    leaked=$(awk -v t="$T" -v ws="$WS" -v wss="$WS_SMALL" '
        index($0, " - tmpfs runbox-root ") || (index($5, t) == 1 && $5 != ws && $5 != wss) { print $5 }
        $5 == "/tmp" { n++ } END { if (n != '"$TMP_MOUNTS"') print "/tmp (" n " mounts)" }' /proc/self/mountinfo)
    [ -z "$leaked" ] || fail "mounts left on the host: $leaked"
}
end() {
    leftovers
    N=$((N + 1))
    if [ ${#FAILS[@]} -eq 0 ]; then
        echo "ok $N - $USERNS$CASE"
    else
        NFAIL=$((NFAIL + 1))
        echo "not ok $N - $USERNS$CASE"
        local f
        for f in "${FAILS[@]}"; do echo "#   $f"; done
        echo "#   report: ${REP:-}"
        [ -n "${ERR:-}" ] && echo "#   stderr: ${ERR:0:500}" | head -5
    fi
}

# --- set-up: workspaces through the helper, boxes owned by the sandbox uids --------------------
"$L" --workspace-mount "$WS" --disk-kb 262144 --inodes 16384 || { echo "Bail out! workspace-mount"; exit 1; }
"$L" --workspace-mount "$WS_SMALL" --disk-kb 2048 --inodes 256 || { echo "Bail out! workspace-mount"; exit 1; }
mkbox() { # mkbox WORKSPACE NAME [UID]
    mkdir -p "$1/$2" && chown "${3:-$U}:${3:-$G}" "$1/$2"
}
REP="" OUT="" ERR=""

echo "# launcher: $L, cgroup $CGMODE, kernel $(uname -r)${USERNS:+, user namespace mode}"

# ============================================================================ workspace helpers
if selected "workspace"; then
    begin "workspace-mount: a size-limited nosuid,nodev tmpfs, idempotent"
    line=$(grep " $WS " /proc/self/mountinfo)
    [[ $line == *" - tmpfs runbox-ws "* ]] || fail "not a runbox tmpfs: $line"
    [[ $line == *nosuid* && $line == *nodev* ]] || fail "missing nosuid/nodev: $line"
    [[ $line == *size=262144k* ]] || fail "size not applied: $line"
    "$L" --workspace-mount "$WS" --disk-kb 262144 --inodes 16384 || fail "second mount failed"
    [ "$(grep -c " $WS " /proc/self/mountinfo)" = 1 ] || fail "mounted twice"
    end

    begin "workspace-unmount refuses a mount that is not a runbox workspace"
    "$L" --workspace-unmount /proc 2>/dev/null && fail "unmounted /proc?!"
    end

    # A program's tree is removed whatever its shape: 2,100 levels (a path far past PATH_MAX, so
    # anything that builds whole paths fails with ENAMETOOLONG), a file at the bottom, symlinks
    # out of the box and a FIFO, with fewer descriptors allowed than the tree has levels.
    begin "box-remove: a 2,100-level tree with links out is removed, nothing outside it"
    mkbox "$WS" deep
    mkdir -p "$T/outside" && echo keep >"$T/outside/sentinel"
    # (the CPU limit is generous: building the tree is set-up, and an emulated machine is slow)
    sandbox --workspace "$WS" --box deep --file-size-kb 16384 --cpu-time-ms 30000 --wall-time-ms 60000 -- /usr/bin/python3 -c '
import os
os.symlink("'"$T"'/outside", "out"); os.mkfifo("fifo")
for i in range(2100):
    os.mkdir("d"); os.chdir("d"); os.symlink("'"$T"'/outside", "up")
open("bottom", "wb").write(b"x" * 10_000_000)
print("built")'
    expect_ok_run
    expect_out built
    ( ulimit -n 16; "$L" --box-remove deep --workspace "$WS" ) || fail "box-remove failed"
    [ ! -e "$WS/deep" ] || fail "the box is still there"
    [ "$(cat "$T/outside/sentinel" 2>/dev/null)" = keep ] || fail "the sentinel outside the box is gone"
    used=$(df -k --output=used "$WS" | tail -1)
    [ "$used" -lt 1024 ] || fail "the workspace still holds $used KiB"
    "$L" --box-remove deep --workspace "$WS" || fail "removing a box that is gone is not a success"
    "$L" --box-remove ../deep --workspace "$WS" 2>/dev/null; [ $? = 64 ] || fail "'../deep' accepted"
    rm -rf "$T/outside"
    end
fi

# ============================================================================ basics / contract
if selected "basic"; then
    begin "basic: runs a program, forwards stdout, reports exit code 0"
    sandbox -- /bin/echo hello
    expect_ok_run
    expect_out hello
    expect .stdoutBytes 6
    expect .limit null
    expect .signal null
    end

    begin "basic: exit code and stderr are reported"
    sandbox -- /bin/sh -c 'echo oops >&2; exit 7'
    expect_rc 0
    expect .exitCode 7
    expect .stderrBytes 5
    [ "$ERR" = oops ] || fail "stderr not forwarded: '$ERR'"
    end

    begin "basic: death by a signal is reported by name"
    sandbox -- /bin/sh -c 'kill -SEGV $$'
    expect_rc 0
    expect .signal SIGSEGV
    expect .exitCode null
    end

    begin "basic: a program that cannot be executed is a runbox error (exit 2)"
    sandbox -- /nonexistent/program
    expect_rc 2
    [[ $(field .error) == *"exec /nonexistent/program"* ]] || fail "error: $(field .error)"
    end

    begin "basic: PATH lookup uses the --env PATH"
    sandbox "${ENV[@]}" -- echo via-path
    expect_ok_run
    expect_out via-path
    end

    begin "basic: without a PATH in --env a bare name is not looked up (exit 2)"
    sandbox --env HOME=/box -- echo via-path
    expect_rc 2
    [[ $(field .error) == *"exec echo: no PATH"* ]] || fail "error: $(field .error)"
    end

    begin "basic: only the --env environment reaches the program"
    SECRET_HOST_VAR=1 sandbox --env A=b -- /usr/bin/env
    expect_ok_run
    expect_out "A=b"
    end

    begin "basic: stdin is the launcher's fd 0"
    RC=0
    echo from-stdin | "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 -- /bin/cat \
        3>"$T/rep" >"$T/out" 2>"$T/err" || RC=$?
    REP=$(cat "$T/rep") OUT=$(cat "$T/out")
    expect_ok_run
    expect_out from-stdin
    end

    begin "basic: all output reaches a slow, non-blocking stdout"
    got=$({ /usr/bin/python3 -c 'import os, sys; os.set_blocking(1, False); os.execv(sys.argv[1], sys.argv[1:])' \
        "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
        --output-bytes 300000 -- /probe/probe print 200000 3>"$T/rep" 2>"$T/err" </dev/null
        echo $? >"$T/rc"; } | (sleep 0.3; wc -c))
    RC=$(cat "$T/rc") REP=$(cat "$T/rep")
    expect_ok_run
    [ "$got" = 200000 ] || fail "forwarded $got of 200000 bytes"
    end

    begin "basic: started with fds 0-2 closed, the program gets /dev/null, not a pipe of ours"
    "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 \
        -- /bin/sh -c '[ "$(readlink /proc/self/fd/0)" = /dev/null ] && [ -p /proc/self/fd/1 ]' \
        3>"$T/rep" <&- >&- 2>&-
    RC=$? REP=$(cat "$T/rep")
    expect_ok_run
    end

    begin "basic: bad usage exits 64 and runs nothing"
    "$L" --uid 0 --gid $G --report-fd 3 -- /bin/true 3>/dev/null 2>/dev/null
    r1=$?
    "$L" --uid $U --gid $G --report-fd 3 --box ../x -- /bin/true 3>/dev/null 2>/dev/null
    r2=$?
    "$L" --uid $U --gid $G --report-fd 3 --bogus -- /bin/true 3>/dev/null 2>/dev/null
    r3=$?
    [ "$r1$r2$r3" = 646464 ] || fail "exit statuses $r1 $r2 $r3, expected 64 each"
    end

    begin "basic: the report has exactly the documented fields"
    sandbox -- /bin/true
    keys=$(jq -c 'keys_unsorted' <<<"$REP")
    [ "$keys" = '["exitCode","signal","limit","cpuTimeMs","wallTimeMs","memoryKb","stdoutBytes","stderrBytes","stdoutTruncated","stderrTruncated","processesLimitHit","cgroupMode","error"]' ] ||
        fail "keys: $keys"
    [ "$(field '.memoryKb > 0')" = true ] || fail "memoryKb not from the cgroup"
    end
fi

# ============================================================================ isolation (prop. 1-3)
if selected "isolation"; then
    begin "isolation: pid 1 is the sandbox's init and only the run's processes are visible"
    sandbox -- /bin/sh -c 'cat /proc/1/comm; ls /proc | grep -c "^[0-9]"'
    expect_ok_run
    # init, sh, ls, grep (cat is gone): never the host's hundreds
    [ "$(sed -n 1p <<<"$OUT")" = runbox-init ] || fail "pid 1: $(sed -n 1p <<<"$OUT")"
    [ "$(sed -n 2p <<<"$OUT")" -le 5 ] 2>/dev/null || fail "processes visible: $(sed -n 2p <<<"$OUT")"
    end

    begin "isolation: own hostname (UTS namespace)"
    sandbox --hostname judge-7 -- /bin/hostname
    expect_ok_run
    expect_out judge-7
    end

    begin "isolation: only lo in /proc/net/dev, and it is up"
    sandbox -- /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "; /probe/probe connect 127.0.0.1 9'
    expect_ok_run
    expect_out "$(printf 'lo\nECONNREFUSED')"
    end

    begin "isolation: no host SysV IPC (a segment made on the host is invisible)"
    key=0x52420$((RANDOM % 900 + 100))
    "$PROBES/probe" shm-create $key >/dev/null
    sandbox -- /bin/sh -c "/probe/probe shm-get $key; wc -l < /proc/sysvipc/shm"
    "$PROBES/probe" shm-rm $key >/dev/null
    expect_ok_run
    expect_out "$(printf 'ENOENT\n1')"
    end

    begin "isolation: a TCP port open on the host's 127.0.0.1 cannot be reached"
    port=$((20000 + RANDOM % 20000))
    "$PROBES/probe" listen $port >"$T/listen" &
    HOST_PIDS+=($!)
    for i in $(seq 50); do grep -q listening "$T/listen" 2>/dev/null && break; sleep 0.02; done
    host=$("$PROBES/probe" connect 127.0.0.1 $port)
    sandbox -- /probe/probe connect 127.0.0.1 $port
    kill "${HOST_PIDS[-1]}"
    [ "$host" = ok ] || fail "the host listener is not reachable from the host ($host)"
    expect_ok_run
    expect_out ECONNREFUSED
    end

    begin "isolation: /etc/shadow and the host's /etc are absent; /etc/passwd names the run's ids"
    sandbox -- /bin/sh -c '/probe/probe read /etc/shadow; ls /etc | tr "\n" " "; echo; id'
    expect_ok_run
    [ "$(sed -n 1p <<<"$OUT")" = ENOENT ] || fail "/etc/shadow: $(sed -n 1p <<<"$OUT")"
    [ "$(sed -n 3p <<<"$OUT")" = "uid=$U(runbox) gid=$G(runbox) groups=$G(runbox)" ] ||
        fail "id: $(sed -n 3p <<<"$OUT")"
    for f in $(sed -n 2p <<<"$OUT"); do
        case $f in alternatives | group | hosts | ld.so.cache | localtime | nsswitch.conf | passwd | ssl) ;;
        *) fail "unexpected /etc entry: $f" ;; esac
    done
    end

    begin "isolation: /usr, / and /etc are read-only; /box and /tmp are writable"
    sandbox -- /bin/sh -c 'for p in /usr/x /x /etc/x /box/x /tmp/x /dev/shm/x; do /probe/probe write $p; done'
    expect_ok_run
    expect_out "$(printf 'EROFS\nEROFS\nEROFS\nok\nok\nok')"
    end

    begin "isolation: no /sys, /root, /home, /var, /run"
    sandbox -- /bin/sh -c 'for p in /sys /root /home /var /run; do /probe/probe exists $p; done'
    expect_ok_run
    expect_out "$(printf 'ENOENT\nENOENT\nENOENT\nENOENT\nENOENT')"
    end

    begin "isolation: mounts are nosuid,nodev (only the five device nodes are dev) and /proc is fresh"
    sandbox -- /bin/cat /proc/self/mountinfo
    expect_ok_run
    while read -r line; do
        mp=$(cut -d' ' -f5 <<<"$line") opts=$(cut -d' ' -f6 <<<"$line")
        [[ $opts == *nosuid* ]] || fail "$mp without nosuid"
        case $mp in /dev/null | /dev/zero | /dev/full | /dev/random | /dev/urandom) ;;
        *) [[ $opts == *nodev* ]] || fail "$mp without nodev" ;; esac
        case $mp in /box | /tmp | /proc | /dev/*) ;; *) [[ $opts == ro,* ]] || fail "$mp is writable" ;; esac
    done <<<"$OUT"
    grep -q ' /proc .* - proc ' <<<"$OUT" || fail "no proc mount"
    end

    begin "isolation: unprivileged uid/gid, no capabilities, no_new_privs, seccomp filter"
    sandbox -- /bin/sh -c 'grep -E "^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status | tr -s "\t " " "'
    expect_ok_run
    expect_out "$(printf 'Uid: %s %s %s %s\nGid: %s %s %s %s\nGroups: \nCapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nNoNewPrivs: 1\nSeccomp: 2' $U $U $U $U $G $G $G $G)"
    end

    begin "isolation: capabilities and rlimits the launcher inherits from root do not reach the program"
    # A worker started with inheritable capabilities (and, where this host lets root raise them,
    # real-time priority and nice limits): the program's sets are empty, its limits the table's.
    raise=(prlimit --rtprio=99 --nice=40 --memlock=unlimited --msgqueue=unlimited --sigpending=unlimited)
    raised_sched=true
    if ! "${raise[@]}" true 2>/dev/null; then # the host's own limits for root differ from the table too
        raise=()
        raised_sched=false
    fi
    RC=0
    "${raise[@]}" setpriv --inh-caps=+sys_admin,+sys_nice,+net_admin,+setuid \
        "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" -- /bin/sh -c \
        'grep -E "^Cap(Inh|Prm|Eff|Bnd|Amb):" /proc/self/status | tr -s "\t " " "; /probe/probe rtprio; /probe/probe nice -5
         grep -E "^Max (core file size|locked memory|msgqueue size|nice priority|realtime priority|pending signals) " /proc/self/limits | tr -s " " | sed "s/ *$//"' \
        3>"$T/rep" >"$T/out" 2>"$T/err" </dev/null || RC=$?
    REP=$(cat "$T/rep") OUT=$(cat "$T/out") ERR=$(cat "$T/err")
    expect_ok_run
    expect_out "$(printf 'CapInh: 0000000000000000\nCapPrm: 0000000000000000\nCapEff: 0000000000000000\nCapBnd: 0000000000000000\nCapAmb: 0000000000000000\nEPERM\nEACCES\nMax core file size 1 1 bytes\nMax locked memory 65536 65536 bytes\nMax pending signals 1024 1024 signals\nMax msgqueue size 0 0 bytes\nMax nice priority 0 0\nMax realtime priority 0 0')"
    $raised_sched || echo "# (no CAP_SYS_RESOURCE here: root's real-time and nice limits could not be raised for this case)"
    end

    begin "isolation: /proc masks what container runtimes mask; /proc/sys is read-only"
    masked="kcore keys timer_list timer_stats sched_debug latency_stats interrupts kallsyms"
    sandbox -- /bin/sh -c 'for f in '"$masked"'; do echo "$f $(/probe/probe read /proc/$f)"; done
        for d in acpi asound scsi; do echo "$d $(ls -A /proc/$d 2>/dev/null | wc -l)"; done
        for f in sys/kernel/hostname sys/vm/drop_caches sysrq-trigger; do echo "$f $(/probe/probe write /proc/$f)"; done'
    expect_ok_run
    for f in $masked; do
        got=$(awk -v f="$f" '$1 == f { print $2 }' <<<"$OUT")
        [ -e /proc/$f ] || { [ "$got" = ENOENT ] || fail "/proc/$f (absent here): $got"; continue; }
        [ "$got" = EACCES ] || fail "/proc/$f: $got (without the mask: $(bare_probe read /proc/$f))"
    done
    for d in acpi asound scsi; do
        [ "$(awk -v d="$d" '$1 == d { print $2 }' <<<"$OUT")" = 0 ] || fail "/proc/$d is not empty"
    done
    [ "$(awk '$1 == "sys/kernel/hostname" { print $2 }' <<<"$OUT")" = EROFS ] || fail "/proc/sys: $OUT"
    [ "$(awk '$1 == "sys/vm/drop_caches" { print $2 }' <<<"$OUT")" = EROFS ] || fail "/proc/sys/vm: $OUT"
    sysrq=$(awk '$1 == "sysrq-trigger" { print $2 }' <<<"$OUT")
    [ "$sysrq" = EROFS ] || { [ ! -e /proc/sysrq-trigger ] && [ "$sysrq" = ENOENT ]; } || fail "/proc/sysrq-trigger: $sysrq"
    end

    begin "isolation: nothing of /proc/1 (the sandbox's init) is writable by the program"
    # The init is root and not dumpable: its /proc files are root's, and attr/* only its own.
    sandbox --cpu-time-ms 30000 --wall-time-ms 90000 -- /bin/sh -c 'for f in /proc/1/* /proc/1/attr/* /proc/1/task/1/* /proc/1/task/1/attr/*; do
        [ -f "$f" ] && echo "$f $(/probe/probe write "$f")"; done'
    expect_ok_run
    n=$(grep -c . <<<"$OUT")
    [ "$n" -ge 20 ] || fail "only $n files tried"
    writable=$(awk '$2 == "ok" { print $1 }' <<<"$OUT")
    [ -z "$writable" ] || fail "writable: $writable"
    for f in oom_score_adj attr/current attr/exec; do
        grep -q "^/proc/1/$f " <<<"$OUT" || fail "/proc/1/$f not tried"
    done
    end

    begin "isolation: own cgroup namespace (the host's cgroup layout is not visible)"
    sandbox -- /bin/cat /proc/self/cgroup
    expect_ok_run
    bad=$(grep -v ':/$' <<<"$OUT")
    [ -z "$bad" ] || fail "cgroup paths visible: $bad"
    end

    begin "isolation: the launcher's own descriptors do not reach the program"
    sandbox -- /bin/ls /proc/self/fd
    expect_ok_run
    expect_out "$(printf '0\n1\n2\n3')" # 3 = ls's own directory handle
    end

    begin "isolation: --rootfs takes every read-only bind from that tree, none from the host's /"
    mkdir -p "$T/rootfs/usr/bin"
    cp "$LBIN" "$T/rootfs/usr/bin/only-in-rootfs" # static: runs without a libc in the tree
    sandbox --rootfs "$T/rootfs" -- /usr/bin/only-in-rootfs --workspace-unmount=/nonexistent
    expect_ok_run
    sandbox --rootfs "$T/rootfs" -- /bin/sh -c true # the host has it; the tree does not
    expect_rc 2
    expect .error 'exec /bin/sh: No such file or directory'
    end
fi

# ============================================================================ seccomp (prop. 3)
if selected "seccomp"; then
    for pair in mount:EPERM umount:EPERM pivot_root:EPERM open_tree:EPERM unshare-user:EPERM \
        unshare-net:EPERM setns:EPERM clone-newuser:EPERM clone3:ENOSYS fork:ok ptrace:EPERM \
        ptrace-init:EPERM keyctl:EPERM add_key:EPERM bpf:EPERM perf:EPERM io_uring:EPERM \
        userfaultfd:EPERM process_vm_readv:EPERM open_by_handle_at:EPERM finit_module:EPERM \
        kexec:EPERM "sys kcmp:EPERM" "sys pidfd_getfd:EPERM" "sys process_madvise:EPERM" \
        "sys syslog:EPERM" "sys uselib:EPERM" "sys quotactl:EPERM" "sys quotactl_fd:EPERM" \
        "sys mbind:EPERM" "sys set_mempolicy:EPERM" "sys set_mempolicy_home_node:EPERM" \
        "sys migrate_pages:EPERM" "sys move_pages:EPERM" "sys open_tree_attr:EPERM"; do
        action=${pair%%:*} want=${pair#*:}
        begin "seccomp: $action -> $want"
        sandbox -- /probe/probe $action
        expect_ok_run
        expect_out "$want"
        # Where the same uid without the filter gets another answer, the filter is what refused.
        case $action in mount | umount | open_tree | unshare-user | unshare-net | setns | \
            clone-newuser | clone3 | ptrace | keyctl | add_key | perf | io_uring | process_vm_readv | \
            "sys kcmp" | "sys pidfd_getfd" | "sys process_madvise" | "sys quotactl_fd" | "sys mbind" | \
            "sys set_mempolicy" | "sys migrate_pages" | "sys move_pages" | "sys open_tree_attr")
            bare=$(bare_probe $action)
            [ "$bare" != "$want" ] || fail "not discriminating: without the filter it is $bare too"
            ;;
        esac
        end
    done

    begin "seccomp: ioctl TIOCSTI is refused (EPERM) even on a terminal"
    if [ -e /dev/ptmx ] && command -v script >/dev/null; then
        # give the program a pty as stdin
        RC=0
        script -qec "$L --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro $PROBES:/probe -- /probe/probe tiocsti 3>$T/rep" /dev/null >"$T/out" 2>&1 || RC=$?
        REP=$(cat "$T/rep") OUT=$(tr -d '\r' <"$T/out")
        expect_ok_run
        expect_out EPERM
    else
        sandbox -- /probe/probe tiocsti
        expect_ok_run
        [[ $OUT == EPERM || $OUT == ENOTTY ]] || fail "tiocsti: $OUT"
    fi
    end

    # family number, name, socket type, protocol (the kernel's numbers: the probe takes numbers)
    allowed_sockets=("1 AF_UNIX 1 0" "2 AF_INET 1 0" "10 AF_INET6 2 0" "16 AF_NETLINK/NETLINK_ROUTE 3 0")
    refused_sockets=("0 AF_UNSPEC 1 0" "40 AF_VSOCK 1 0" "38 AF_ALG 5 0" "17 AF_PACKET 3 0"
        "15 AF_KEY 3 2" "44 AF_XDP 3 0" "30 AF_TIPC 5 0" "21 AF_RDS 5 0" "29 AF_CAN 3 1"
        "31 AF_BLUETOOTH 3 0" "24 AF_PPPOX 1 0" "41 AF_KCM 2 0" "43 AF_SMC 1 0" "42 AF_QIPCRTR 2 0"
        "45 AF_MCTP 2 0" "46 AF_MAX(46) 1 0" "255 family-255 1 0"
        "16 NETLINK_KOBJECT_UEVENT 2 15" "16 NETLINK_SOCK_DIAG 3 4" "16 NETLINK_AUDIT 3 9"
        "16 NETLINK_XFRM 3 6" "16 NETLINK_NETFILTER 3 12" "16 NETLINK_GENERIC 3 16")
    script='while read -r f name type proto; do echo "$name $(/probe/probe socket $f $type $proto) $(/probe/probe socketpair $f $type $proto)"; done'
    printf '%s\n' "${allowed_sockets[@]}" "${refused_sockets[@]}" >"$T/families"
    sandbox --bind-ro "$T/families:/families" -- /bin/sh -c "$script </families"
    inside=$OUT
    bare=$(setpriv --reuid $U --regid $G --clear-groups --inh-caps=-all --bounding-set=-all \
        /bin/sh -c "$(sed 's|/probe/probe|"$0"|g' <<<"$script")" "$PROBES/probe" <"$T/families")
    discriminating=0
    for row in "${allowed_sockets[@]}" "${refused_sockets[@]}"; do
        read -r f name type proto <<<"$row"
        got=$(awk -v n="$name" '$1 == n { print $2, $3 }' <<<"$inside")
        without=$(awk -v n="$name" '$1 == n { print $2 }' <<<"$bare")
        if [[ " ${allowed_sockets[*]} " == *" $row "* ]]; then
            begin "seccomp: socket $name is allowed"
            # socketpair exists for AF_UNIX only: the others get the kernel's own EOPNOTSUPP
            [ "${got% *}" = ok ] || fail "socket: $got"
            [ "$name" != AF_UNIX ] || [ "$got" = "ok ok" ] || fail "socketpair: $got"
        else
            begin "seccomp: socket $name -> EAFNOSUPPORT (without the filter: $without)"
            [ "$got" = "EAFNOSUPPORT EAFNOSUPPORT" ] || fail "socket, socketpair: $got"
            [ "$without" = EAFNOSUPPORT ] || discriminating=$((discriminating + 1))
        fi
        expect_rc 0
        end
    done
    begin "seccomp: the socket cases are not vacuous (some refused families exist on this kernel)"
    [ $discriminating -ge 3 ] || fail "only $discriminating refused families answer differently without the filter"
    end

    begin "seccomp: personality only takes Docker's values (no ADDR_NO_RANDOMIZE)"
    sandbox -- /bin/sh -c 'for p in 0 8 20000 20008 ffffffff 40000 400000 1 80000000 fffffffe 100000000; do echo "$p $(/probe/probe personality $p)"; done'
    expect_ok_run
    expect_out "$(printf '0 ok\n8 ok\n20000 ok\n20008 ok\nffffffff ok\n40000 EPERM\n400000 EPERM\n1 EPERM\n80000000 EPERM\nfffffffe EPERM\n100000000 EPERM')"
    [ "$(bare_probe personality 40000)" = ok ] || fail "not discriminating: ADDR_NO_RANDOMIZE is refused without the filter"
    end

    begin "seccomp: every system call since 424 this kernel knows is denied or allowed on purpose"
    # The launcher's table (src/seccomp.c): the allowed rows, the last reviewed number and the
    # span after it that fails with ENOSYS. A number the kernel answers and the filter does not
    # change must be an allowed row; one past the span means the table needs a review.
    src=$HERE/../src/seccomp.c
    reviewed=$(sed -n 's/^#define LAST_REVIEWED_NR \([0-9]*\).*/\1/p' "$src")
    span=$(sed -n 's/^#define UNREVIEWED_SPAN \([0-9]*\).*/\1/p' "$src")
    allowed=$(sed -n '/allowed_on_purpose\[\] = {/,/^};/s/^ *{\([0-9]*\), .*/\1/p' "$src" | tr '\n' ' ')
    sandbox -- /probe/probe syscalls-known 424 1024
    expect_ok_run
    inside=$OUT
    known=$(bare_probe syscalls-known 424 1024)
    [ -n "$reviewed" ] && [ -n "$span" ] && [ -n "$allowed" ] || fail "cannot read the table in $src"
    while IFS=: read -r nr without; do
        [ -n "$nr" ] || continue
        with=$(awk -F: -v n="$nr" '$1 == n { print $2 }' <<<"$inside")
        [ -n "$with" ] || with=ENOSYS
        if [ "$nr" -gt $((reviewed + span)) ]; then
            fail "the kernel knows system call $nr, past the table's reviewed span ($reviewed + $span): review it"
        elif [ "$nr" -gt "$reviewed" ]; then
            [ "$with" = ENOSYS ] || fail "system call $nr, newer than the table, answers $with (expected ENOSYS)"
        elif [ "$with" = "$without" ] && [ "$with" != EPERM ] && [[ " $allowed " != *" $nr "* ]]; then
            # (EPERM both ways: the kernel refuses it to the uid before looking at the arguments)
            fail "system call $nr ($without) is neither denied nor allowed on purpose"
        fi
    done <<<"$known"
    end

    begin "seccomp: a foreign-architecture (i386) system call kills the process"
    sandbox -- /probe/probe i386
    expect_rc 0
    expect .signal SIGSYS
    end
fi

# ============================================================================ limits (prop. 4, 6)
if selected "limit"; then
    begin "limit: CPU spin ends with limit cpu"
    sandbox --cpu-time-ms 300 --wall-time-ms 10000 -- /probe/probe spin
    expect_rc 0
    expect .limit cpu
    expect .signal SIGKILL
    cpu=$(field .cpuTimeMs)
    [ "$cpu" -ge 300 ] && [ "$cpu" -lt 800 ] 2>/dev/null || fail "cpuTimeMs $cpu"
    end

    begin "limit: CPU time counts the whole tree (3 spinning processes)"
    sandbox --cpu-time-ms 600 --wall-time-ms 20000 -- /probe/probe spin 3
    expect_rc 0
    expect .limit cpu
    # Per-process accounting would stop at 600 ms in one process, ~1800 ms in all three.
    cpu=$(field .cpuTimeMs)
    [ "$cpu" -ge 600 ] && [ "$cpu" -lt 900 ] 2>/dev/null || fail "cpuTimeMs $cpu"
    end

    begin "limit: sleeping ends with limit wall"
    sandbox --cpu-time-ms 1000 --wall-time-ms 300 -- /probe/probe sleep 30
    expect_rc 0
    expect .limit wall
    wall=$(field .wallTimeMs)
    [ "$wall" -ge 300 ] && [ "$wall" -lt 2000 ] 2>/dev/null || fail "wallTimeMs $wall"
    end

    begin "limit: wall time defaults to DEFAULT_LIMITS' (src/default_limits.h), whatever the CPU limit"
    want=$(sed -n 's/^#define RB_DEFAULT_WALL_TIME_MS \([0-9]*\)ull$/\1/p' "$HERE/../src/default_limits.h")
    sandbox --cpu-time-ms 100 -- /probe/probe sleep 30
    expect .limit wall
    wall=$(field .wallTimeMs)
    [ "$wall" -ge "$want" ] && [ "$wall" -lt $((want + 2000)) ] 2>/dev/null || fail "wallTimeMs $wall (default $want)"
    end

    begin "limit: memory bomb ends with limit memory (OOM in the run's cgroup)"
    sandbox --memory-kb 65536 -- /probe/probe mem 1024
    expect_rc 0
    expect .limit memory
    expect .signal SIGKILL
    mem=$(field .memoryKb)
    [ "$mem" -ge 50000 ] && [ "$mem" -le 70000 ] 2>/dev/null || fail "memoryKb $mem"
    end

    begin "limit: memory under the limit is fine and measured"
    sandbox --memory-kb 131072 -- /probe/probe mem 48
    expect_ok_run
    expect .limit null
    mem=$(field .memoryKb)
    [ "$mem" -ge 49152 ] && [ "$mem" -le 131072 ] 2>/dev/null || fail "memoryKb $mem"
    end

    begin "limit: output flood ends with limit output, stdout truncated at --output-bytes"
    sandbox --output-bytes 1000 -- /probe/probe flood stdout
    expect_rc 0
    expect .limit output
    expect .stdoutTruncated true
    expect .stderrTruncated false
    [ "$(stat -c %s "$T/out")" = 1000 ] || fail "forwarded $(stat -c %s "$T/out") bytes"
    [ "$(field .stdoutBytes)" -gt 1000 ] || fail "stdoutBytes $(field .stdoutBytes)"
    end

    begin "limit: stderr flood is limited the same way"
    sandbox --output-bytes 500 -- /probe/probe flood stderr
    expect .limit output
    expect .stderrTruncated true
    [ "$(stat -c %s "$T/err")" = 500 ] || fail "forwarded $(stat -c %s "$T/err") bytes"
    end

    begin "limit: exactly --output-bytes is not truncated"
    sandbox --output-bytes 1000 -- /probe/probe print 1000
    expect_ok_run
    expect .limit null
    expect .stdoutTruncated false
    expect .stdoutBytes 1000
    end

    begin "limit: fork bomb is confined by the pids controller (processesLimitHit)"
    sandbox --processes 20 --wall-time-ms 5000 -- /probe/probe forkbomb
    expect_ok_run
    expect .processesLimitHit true
    expect_out_re '^EAGAIN 1[0-9]$'
    end

    begin "limit: thread bomb is confined too"
    sandbox --processes 30 --wall-time-ms 5000 -- /probe/probe threadbomb
    expect_ok_run
    expect .processesLimitHit true
    expect_out_re '^EAGAIN (2[0-9])$'
    end

    begin "limit: file size limit -> SIGXFSZ"
    sandbox --file-size-kb 100 -- /probe/probe fsize /tmp/big 200
    expect_rc 0
    expect .signal SIGXFSZ
    end

    begin "limit: open files limit"
    sandbox --open-files 32 -- /probe/probe nofile
    expect_ok_run
    expect_out "EMFILE 29"
    end

    begin "limit: stack limit and no core dumps"
    sandbox --stack-kb 1024 -- /bin/sh -c 'ulimit -s; ulimit -c'
    expect_ok_run
    expect_out "$(printf '1024\n0')"
    end

    begin "limit: filling /tmp ends in ENOSPC inside, the host's /tmp untouched"
    before=$(df -k --output=used /tmp | tail -1)
    sandbox --tmp-size-kb 1024 -- /probe/probe fill /tmp
    expect_ok_run
    expect_out ENOSPC
    end

    begin "limit: filling /box ends in ENOSPC at the workspace's size (--disk-kb)"
    mkbox "$WS_SMALL" fill
    sandbox --workspace "$WS_SMALL" --box fill -- /probe/probe fill /box
    expect_ok_run
    expect_out ENOSPC
    used=$(du -sk "$WS_SMALL/fill" | cut -f1)
    [ "$used" -le 2048 ] || fail "box holds $used KiB"
    rm -rf "${WS_SMALL:?}/fill"
    end
fi

# ============================================================================ core dumps (prop. 4)
if selected "core"; then
    begin "core: RLIMIT_CORE is 1 and cannot be changed, not even lowered to 0"
    # 0 would let a piping core_pattern start its helper on the host; 1 makes the kernel skip it.
    sandbox -- /bin/sh -c '/probe/probe rlimit-core; /probe/probe setrlimit-core 0 1; /probe/probe setrlimit-core 0 0
        prlimit --core=0 --pid $$ 2>/dev/null && echo prlimit-ok || echo prlimit-refused; /probe/probe rlimit-core'
    expect_ok_run
    expect_out "$(printf '1 1\nEPERM\nEPERM\nprlimit-refused\n1 1')"
    [ "$(bare_probe setrlimit-core 0 0)" = ok ] || fail "not discriminating: lowering RLIMIT_CORE is refused without the filter"
    end

    begin "core: a crashing program leaves no core file in /box"
    mkbox "$WS" crash
    sandbox --workspace "$WS" --box crash -- /probe/probe crash
    expect_ok_run
    expect_out "SEGV core=0"
    [ -z "$(ls -A "$WS/crash")" ] || fail "left in the box: $(ls -A "$WS/crash")"
    rm -rf "${WS:?}/crash"
    end

    if [ "${RUNBOX_TEST_CORE_PIPE:-}" = 1 ]; then
        # Changes a kernel-wide setting for a few seconds: only in a throw-away VM.
        begin "core: with a piping core_pattern a crash in the sandbox starts no helper (a bare one does)"
        saved=$(cat /proc/sys/kernel/core_pattern)
        echo "|/usr/bin/touch $T/piped-%p" >/proc/sys/kernel/core_pattern
        (ulimit -c 0; "$PROBES/probe" crash >/dev/null)
        for i in $(seq 50); do ls "$T"/piped-* >/dev/null 2>&1 && break; sleep 0.1; done
        ls "$T"/piped-* >/dev/null 2>&1 || fail "control: a bare crash at RLIMIT_CORE 0 started no helper"
        rm -f "$T"/piped-*
        sandbox -- /probe/probe crash
        sleep 1
        echo "$saved" >/proc/sys/kernel/core_pattern
        expect_ok_run
        expect_out "SEGV core=0"
        ls "$T"/piped-* >/dev/null 2>&1 && fail "the crash in the sandbox started the core helper"
        end
    else
        skip "core: with a piping core_pattern a crash in the sandbox starts no helper (a bare one does)" \
            "changes the kernel's core_pattern: set RUNBOX_TEST_CORE_PIPE=1 in a throw-away VM"
    fi

fi

# ============================================================================ CPUs of a run (prop. 4)
# A 64-thread spin stopped by its 1000 ms CPU limit, spread over no more CPUs than it may use:
# expect_cpu_spread MIN_WALL_MS WHAT (the wall time it takes at least on WHAT).
expect_cpu_spread() {
    expect_rc 0
    expect .limit cpu
    local cpu wall
    cpu=$(field .cpuTimeMs) wall=$(field .wallTimeMs)
    [ "$cpu" -ge 1000 ] && [ "$cpu" -le 1150 ] 2>/dev/null || fail "cpuTimeMs $cpu (limit 1000)"
    [ "$wall" -ge "$1" ] 2>/dev/null || fail "wallTimeMs $wall: more than $2 used"
    echo "# $2: cpuTimeMs $cpu, wallTimeMs $wall"
}
if selected "cpu"; then
    begin "cpu: 64 threads asking for every CPU stay on the launcher's CPUs and within the CPU limit"
    # The worker's affinity is one CPU; the program asks for all of them. Pinned through the
    # cgroup it cannot leave that CPU, and the supervisor's check knows how many it may burn.
    if [ "$(nproc --all)" -lt 2 ]; then
        fail "needs 2 CPUs"
    else
        RC=0
        taskset -c 0 "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
            --processes 100 --cpu-time-ms 1000 --wall-time-ms 20000 -- /probe/probe spin-threads 64 \
            3>"$T/rep" >"$T/out" 2>"$T/err" </dev/null || RC=$?
        REP=$(cat "$T/rep")
        expect_cpu_spread 900 "one CPU"
    fi
    end

    begin "cpu: --cpus pins the run; 64 threads on 2 CPUs end at the limit in about half of it"
    sandbox --cpus 1 -- /bin/sh -c '/probe/probe affinity; grep Cpus_allowed_list /proc/self/status | tr -d "\t"'
    expect_ok_run
    expect_out "$(printf '1\nCpus_allowed_list:1')"
    sandbox --cpus 0-1 --processes 100 --cpu-time-ms 1000 --wall-time-ms 20000 -- /probe/probe spin-threads 64
    expect_cpu_spread 450 "two CPUs"
    sandbox --cpus 4096 -- /bin/true
    expect_rc 2
    [[ $(field .error) == *cpuset* ]] || fail "a CPU the host does not have: $(field .error)"
    end

fi

# ============================================================================ hostile teardown (6)
if selected "teardown"; then
    begin "teardown: a double-forked setsid survivor is killed"
    sandbox -- /probe/probe doublefork
    expect_ok_run
    expect_out ok
    end

    begin "teardown: a SIGTERM-ignoring child is killed"
    sandbox -- /probe/probe sigterm-ignorer
    expect_ok_run
    end

    begin "teardown: a stopped child is killed"
    sandbox -- /probe/probe stopped
    expect_ok_run
    end

    begin "teardown: a fork bomb's thousands of sleepers are all gone"
    sandbox --processes 500 --wall-time-ms 10000 -- /probe/probe forkbomb
    expect_ok_run
    end

    begin "teardown: SIGTERM to the launcher ends the run, reports an error, leaves nothing"
    "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
        -- /bin/sh -c '/probe/probe doublefork; /probe/probe sleep 30' 3>"$T/rep" >/dev/null 2>&1 &
    lp=$!
    for i in $(seq 100); do pgrep -u $U -x probe >/dev/null && break; sleep 0.02; done
    sleep 0.1
    kill -TERM $lp
    wait $lp
    RC=$?
    REP=$(cat "$T/rep")
    expect_rc 2
    [[ $(field .error) == *SIGTERM* ]] || fail "error: $(field .error)"
    end

    begin "teardown: if the launcher is SIGKILLed, the sandbox dies with it"
    "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
        -- /probe/probe sleep 30 3>/dev/null >/dev/null 2>&1 &
    lp=$!
    for i in $(seq 100); do pgrep -u $U -x probe >/dev/null && break; sleep 0.02; done
    kill -KILL $lp
    wait $lp 2>/dev/null
    for i in $(seq 100); do pgrep -u $U >/dev/null || break; sleep 0.02; done
    pgrep -u $U >/dev/null && fail "processes survived the launcher: $(pgrep -a -u $U)"
    # The launcher could not remove its cgroup (it was killed): that is for the worker to sweep.
    groups=$(for d in "${CGDIRS[@]}"; do ls -d "$d"/$(run_glob $lp) 2>/dev/null; done | sort)
    [ "$(grep -c . <<<"$groups")" = ${#CGDIRS[@]} ] || fail "groups of the killed launcher: $groups"
    sweep=$(cg_sweep)
    [ "$(jq -r '.removed[]' <<<"$sweep" | sort)" = "$groups" ] || fail "the sweep removed: $sweep"
    end

    begin "teardown: if the launcher's parent (the worker) is SIGKILLed, the run is torn down completely"
    # A parent shell stands in for the worker; its death reaches the launcher as SIGTERM.
    bash -c '"$0" --uid '$U' --gid '$G' --cgroup-parent '$CGP' --report-fd 3 --bind-ro "$1:/probe" \
        -- /probe/probe sleep 30 3>/dev/null >/dev/null 2>&1 & echo $! >"$2"; wait' "$L" "$PROBES" "$T/lpid" &
    pp=$!
    for i in $(seq 100); do pgrep -u $U -x probe >/dev/null && break; sleep 0.02; done
    lp=$(cat "$T/lpid")
    kill -KILL $pp
    wait $pp 2>/dev/null
    for i in $(seq 200); do kill -0 "$lp" 2>/dev/null || break; sleep 0.02; done
    kill -0 "$lp" 2>/dev/null && fail "the launcher outlived its parent"
    pgrep -u $U >/dev/null && fail "processes survived the parent: $(pgrep -a -u $U)"
    for d in "${CGDIRS[@]}"; do ls -d "$d"/$(run_glob $lp) 2>/dev/null && fail "cgroup left behind in $d"; done
    end

    begin "teardown: the next run after all that is normal"
    sandbox -- /bin/echo still-fine
    expect_ok_run
    expect_out still-fine
    end
fi

# ============================================================================ cgroups (prop. 4, 7)
# Looks at the run's group from the host while the program sleeps.
cg_of_running() { # prints the run's cgroup dir in the first hierarchy once it holds a process
    local i d
    for i in $(seq 200); do
        d=$(ls -d "${CGDIRS[0]}"/$(run_glob) 2>/dev/null | head -1)
        if [ -n "$d" ] && [ -n "$(cat "$d/cgroup.procs")" ] && pgrep -u $U -x probe >/dev/null; then
            echo "$d"
            return
        fi
        sleep 0.02
    done
}
if selected "cgroup"; then
    if [ $CGMODE = v1 ]; then
        begin "cgroup v1: the run's group exists in memory, pids, cpuacct, cpuset; swap excluded (memsw = memory)"
        sandbox --memory-kb 65536 --processes 7 --cpus 1 -- /probe/probe sleep 2 &
        sp=$!
        d=$(cg_of_running)
        name=${d##*/}
        if [ -z "$d" ]; then
            fail "no run cgroup appeared"
        else
            [ "$(cat $(cgdir memory)/$name/memory.limit_in_bytes)" = 67108864 ] || fail "memory limit"
            if [ -e $(cgdir memory)/$name/memory.memsw.limit_in_bytes ]; then
                [ "$(cat $(cgdir memory)/$name/memory.memsw.limit_in_bytes)" = 67108864 ] || fail "memsw limit"
            fi
            [ "$(cat $(cgdir pids)/$name/pids.max)" = 8 ] || fail "pids.max (processes + init)"
            [ -n "$(cat $(cgdir cpuacct)/$name/cgroup.procs)" ] || fail "not in cpuacct"
            [ -n "$(cat $(cgdir pids)/$name/cgroup.procs)" ] || fail "not in pids"
            [ "$(cat $(cgdir cpuset)/$name/cpuset.cpus)" = 1 ] || fail "cpuset.cpus (--cpus 1)"
            [ -n "$(cat $(cgdir cpuset)/$name/cgroup.procs)" ] || fail "not in cpuset"
        fi
        pkill -KILL -u $U -x probe
        wait $sp
        end
        skip "cgroup v2: memory.max, memory.swap.max = 0, pids.max, cpuset.cpus; the init is in the group" "no cgroup v2 controllers here (cgroup v1 host)"
    else
        skip "cgroup v1: the run's group exists in memory, pids, cpuacct, cpuset; swap excluded (memsw = memory)" "no cgroup v1 hierarchies here (cgroup v2 host)"
        begin "cgroup v2: memory.max, memory.swap.max = 0, pids.max, cpuset.cpus; the init is in the group"
        sandbox --memory-kb 65536 --processes 7 --cpus 1 -- /probe/probe sleep 10 & # killed below; long enough for a slow (emulated) host
        sp=$!
        d=$(cg_of_running)
        if [ -z "$d" ]; then
            fail "no run cgroup appeared"
        else
            [ "$(cat "$d/memory.max")" = 67108864 ] || fail "memory.max $(cat "$d/memory.max")"
            if [ -e "$d/memory.swap.max" ]; then
                [ "$(cat "$d/memory.swap.max")" = 0 ] || fail "memory.swap.max $(cat "$d/memory.swap.max")"
            fi
            [ "$(cat "$d/pids.max")" = 8 ] || fail "pids.max $(cat "$d/pids.max")"
            if cg_has cpuset; then
                [ "$(cat "$d/cpuset.cpus")" = 1 ] || fail "cpuset.cpus $(cat "$d/cpuset.cpus" 2>&1)"
            fi
            [ "$(wc -l <"$d/cgroup.procs")" = 2 ] || fail "processes in the group: $(cat "$d/cgroup.procs" | tr '\n' ' ')"
            grep -q '^memory pids' "$(dirname "$d")/cgroup.subtree_control" ||
                grep -q 'memory' "$(dirname "$d")/cgroup.subtree_control" || fail "controllers not enabled"
        fi
        pkill -KILL -u $U -x probe
        wait $sp
        end
    fi

    # bg_launcher UID: a one-shot launcher running the probe's sleep in the background; sets LP.
    bg_launcher() {
        "$L" --uid $1 --gid $1 --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
            -- /probe/probe sleep 30 3>/dev/null >/dev/null 2>&1 &
        LP=$!
        for i in $(seq 100); do pgrep -u $1 -x probe >/dev/null && break; sleep 0.02; done
    }
    groups_of() { for d in "${CGDIRS[@]}"; do ls -d "$d"/$(run_glob $1) 2>/dev/null; done | sort; }
    lines() { printf '%s\n' "$@" | grep . | sort; }

    begin "cgroup-info: one JSON line; a run has a group in each folder it lists, named for its launcher"
    [ "$(grep -c . <<<"$CGINFO")" = 1 ] || fail "not one line: $CGINFO"
    for c in memory pids $([ $CGMODE = v1 ] && echo cpuacct); do cg_has $c || fail "no $c in $CGINFO"; done
    [ $CGMODE = v1 ] || [ ${#CGDIRS[@]} = 1 ] || fail "v2 has one folder: $CGINFO"
    for d in "${CGDIRS[@]}"; do [[ $d == /*/$CGP ]] || fail "not a folder of the parent: $d"; done
    bg_launcher $U
    groups=$(groups_of $LP)
    [ "$(grep -c . <<<"$groups")" = ${#CGDIRS[@]} ] || fail "groups of launcher $LP: $groups"
    for d in $groups; do [ -n "$(cat "$d/cgroup.procs")" ] || fail "the init is not in $d"; done
    kill -TERM $LP
    wait $LP
    sandbox -- /bin/true
    expect_ok_run # .cgroupMode is the info's mode
    RC=$("$L" --cgroup-info --cgroup-parent ../etc >/dev/null 2>&1; echo $?)
    [ "$RC" = 64 ] || fail "--cgroup-parent ../etc: exit $RC"
    RC=$("$L" --cgroup-info --remove-parent >/dev/null 2>&1; echo $?)
    [ "$RC" = 64 ] || fail "--remove-parent without --cgroup-sweep: exit $RC"
    end

    begin "cgroup-sweep: removes a SIGKILLed launcher's groups, keeps a running launcher's, says which"
    bg_launcher $U2
    live=$LP
    bg_launcher $U
    dead=$LP
    kill -KILL $dead
    wait $dead 2>/dev/null
    for i in $(seq 100); do pgrep -u $U >/dev/null || break; sleep 0.02; done
    gone=$(groups_of $dead) kept=$(groups_of $live)
    [ "$(grep -c . <<<"$gone")" = ${#CGDIRS[@]} ] || fail "groups of the killed launcher: $gone"
    sweep=$(cg_sweep)
    RC=$?
    expect_rc 0
    [ "$(jq -r '.removed[]' <<<"$sweep" | sort)" = "$gone" ] || fail "removed: $sweep"
    [ "$(jq -r '.kept[]' <<<"$sweep" | sort)" = "$kept" ] || fail "kept: $sweep"
    [ "$(jq -c .failed <<<"$sweep")" = "[]" ] || fail "failed: $sweep"
    for d in $kept; do [ -d "$d" ] || fail "a running launcher's group went: $d"; done
    kill -TERM $live
    wait $live
    end

    begin "cgroup-sweep: a leftover with a process inside stays, with the reason; nothing else is touched"
    sh -c 'exit 0' &
    dp=$! # a launcher pid that is gone
    wait $dp
    d0=${CGDIRS[0]} sibling=${CGDIRS[0]%/*}/selftest-sibling
    fake=$d0/$(run_glob $dp)
    fake=${fake/\*/0}
    mkdir -p "$fake" "$d0/not-a-run" "$sibling/${fake##*/}"
    sleep 30 &
    hp=$!
    HOST_PIDS+=($hp)
    echo $hp >"$fake/cgroup.procs" || fail "cannot move a process into $fake"
    sweep=$(cg_sweep --remove-parent)
    [ "$(jq -r '.failed[] | .path + ": " + .reason' <<<"$sweep" | sort)" = \
        "$(lines "$d0: groups still inside" "$fake: 1 process still inside")" ] || fail "failed: $sweep"
    [ "$(jq -r '.removed[]' <<<"$sweep" | sort)" = "$(lines "${CGDIRS[@]:1}")" ] ||
        fail "removed (the other hierarchies' empty parents): $sweep"
    [ -d "$d0/not-a-run" ] && [ -d "$sibling/${fake##*/}" ] || fail "the sweep touched what is not a run group of the parent"
    kill $hp
    wait $hp 2>/dev/null
    sweep=$(cg_sweep)
    [ "$(jq -c '[.removed, .failed]' <<<"$sweep")" = "[[\"$fake\"],[]]" ] || fail "after the process: $sweep"
    rmdir "$d0/not-a-run" "$sibling/${fake##*/}" "$sibling" || fail "cannot remove the case's own folders"
    end
fi

# ============================================================================ prepared mode
prepared() { # prepared REQUEST_ARGS... : prepared-mode run; sets RC, REP (report line), READY
    coproc PREP { "$L" --uid $U --gid $G --cgroup-parent $CGP --workspace "$WS" --bind-ro "$PROBES:/probe" \
        --report-fd 3 --control-fd 4 3>&1 4<&0 >"$T/out" 2>"$T/err"; }
    local pid=$PREP_PID
    read -r -t 20 READY <&"${PREP[0]}"
    printf '%s\0' "$@" >&"${PREP[1]}" # NUL-terminated arguments,
    printf '\0' >&"${PREP[1]}"         # then an empty one
    read -r -t 20 REP <&"${PREP[0]}"
    exec {PREP[1]}>&-
    wait "$pid"
    RC=$?
    OUT=$(head -c 4000 "$T/out")
    ERR=$(head -c 4000 "$T/err")
}
if selected "prepared"; then
    begin "prepared: ready line, then the request, then the report"
    mkbox "$WS" prep
    echo data >"$WS/prep/in.txt"
    prepared --box prep --cpu-time-ms 2000 "${ENV[@]}" -- /bin/sh -c 'cat in.txt; pwd; echo out >out.txt'
    [ "$READY" = '{"ready":true}' ] || fail "ready line: '$READY'"
    expect_ok_run
    expect_out "$(printf 'data\n/box')"
    [ "$(cat "$WS/prep/out.txt" 2>/dev/null)" = out ] || fail "the box is not the workspace dir"
    end

    begin "prepared: other boxes of the workspace are not reachable"
    mkbox "$WS" other
    echo secret >"$WS/other/s"
    # Staged under a root-only directory (never reachable), and detached as the program starts.
    prepared --box prep -- /bin/sh -c 'cat /.runbox/ws/other/s 2>&1; sleep 0.2; grep -c " /.runbox/ws " /proc/self/mountinfo; ls /box'
    expect_ok_run
    [[ $(sed -n 1p <<<"$OUT") == *"Permission denied"* ]] || fail "other box: $OUT"
    [[ $OUT != *secret* ]] || fail "read another box: $OUT"
    [ "$(sed -n 2p <<<"$OUT")" = 0 ] || fail "the workspace is still mounted in the sandbox"
    end

    begin "prepared: without --box, /box is an empty private tmpfs"
    prepared -- /bin/sh -c 'ls -A /box | wc -l; /probe/probe write /box/x'
    expect_ok_run
    expect_out "$(printf '0\nok')"
    end

    begin "prepared: a box name with a symlink is refused"
    ln -sfn / "$WS/evil"
    prepared --box evil -- /bin/ls /box
    expect_rc 2
    [[ $(field .error) == *box* ]] || fail "error: $(field .error)"
    rm -f "$WS/evil"
    end

    begin "prepared: EOF on the control fd tears down quietly (exit 0, no report)"
    coproc PREP { "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --control-fd 4 3>&1 4<&0 >/dev/null 2>"$T/err"; }
    pid=$PREP_PID
    read -r -t 20 READY <&"${PREP[0]}"
    exec {PREP[1]}>&-
    REP=""
    read -r -t 20 REP <&"${PREP[0]}"
    wait "$pid"
    RC=$?
    [ "$READY" = '{"ready":true}' ] || fail "ready line: '$READY'"
    expect_rc 0
    [ -z "$REP" ] || fail "unexpected report: $REP"
    end

    begin "prepared: a bad request exits 64"
    prepared --box ../x -- /bin/true
    expect_rc 64
    end

    begin "prepared: limits come from the request"
    prepared --cpu-time-ms 200 -- /probe/probe spin
    expect_rc 0
    expect .limit cpu
    end
fi

# ============================================================================ serve mode
# A long-lived launcher per slot (native/README.md "serve"): binary frames, so tests/serve.py talks
# to it; end() then checks that nothing of any run is left.
serve() { # serve CASE: sets OUT to serve.py's verdict ("ok" or the failed expectations)
    OUT=$(timeout 120 python3 "$HERE/serve.py" "$1" "$L" $U "$WS" $CGP "$PROBES" 2>&1)
    [ "$OUT" = ok ] || fail "$OUT"
}
if selected "serve"; then
    begin "serve: runs requests in order, each in a fresh sandbox, stdin in and output out"
    serve runs
    end

    begin "serve: a cancel frame stops its run at once; a stale one is ignored"
    serve cancel
    end

    begin "serve: a bad request is answered with status 64 and the server goes on"
    serve bad-request
    end

    begin "serve: request bytes that do not end exactly at their end marker are a bad request (64)"
    serve bad-frame
    end

    begin "serve: a request of exactly 1 MiB with its end runs; one byte more is a protocol error"
    serve max-request
    end

    begin "serve: a streamed run sends its output as it comes and takes stdin while it runs"
    serve streamed
    end

    begin "serve: SIGTERM ends the server's run before the server exits"
    serve sigterm
    end

    begin "serve: SIGTERM during a run that floods its output still ends the run and the server"
    serve sigterm-flood
    end

    begin "serve: set-up options are checked at start (exit 64)"
    serve bad-setup
    end
fi

# ============================================================================ stdio pipes
# --stdio-pipes (native/README.md): fds 0 and 1 are the program's own, how the worker wires a
# program to its interactor. Nothing of stdout passes through the launcher, and no copy of it
# outside the program keeps the reader from seeing the program's EOF.
if selected "stdio"; then
    begin "stdio-pipes: stdin and stdout are the caller's pipes, not captured, EOF as the program closes"
    t0=$(date +%s%N)
    # (a pipe on each side; no process substitution: some hosts have no /dev/fd)
    echo ping | "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --stdio-pipes --output-bytes 10 -- \
        /bin/sh -c 'read -r l; echo "got $l"; head -c 100000 /dev/zero; exec >&-; sleep 2' \
        3>"$T/rep" 2>"$T/err" | { read -r l; echo "$l"; wc -c; echo "$(( ($(date +%s%N) - t0) / 1000000 ))"; } >"$T/out"
    RC=${PIPESTATUS[1]} REP=$(cat "$T/rep") OUT=$(cat "$T/out") ERR=$(cat "$T/err")
    expect_ok_run
    expect .limit null
    expect .stdoutBytes 0
    expect .stdoutTruncated false
    [ "$(sed -n 1p <<<"$OUT")" = "got ping" ] || fail "stdin/stdout: '$OUT'"
    [ "$(sed -n 2p <<<"$OUT")" = 100000 ] || fail "bytes past --output-bytes: $(sed -n 2p <<<"$OUT")"
    eof_ms=$(sed -n 3p <<<"$OUT")
    [ "$eof_ms" -lt 1500 ] || fail "the reader saw EOF only after ${eof_ms} ms (the program slept 2 s after closing)"
    end

    # The worker's runtime hands out stream socketpairs, not pipes: each end is one-way all the same.
    begin "stdio-pipes: socket ends become one-way (no writing to stdin, no reading from stdout)"
    OUT=$(python3 - "$L" $U $CGP 3>"$T/rep" <<'PY' 2>&1
import socket, subprocess, sys
L, uid, cgp = sys.argv[1:]
to_prog, prog_in = socket.socketpair()
prog_out, from_prog = socket.socketpair()
code = ("import os\n"
        "try: os.write(0, b'x'); print('wrote stdin')\n"
        "except OSError as e: print('stdin', e.errno)\n"
        "print('stdout read', os.read(1, 1))\n")
p = subprocess.Popen([L, "--uid", uid, "--gid", uid, "--cgroup-parent", cgp, "--report-fd", "3",
                      "--stdio-pipes", "--", "/usr/bin/python3", "-c", code],
                     stdin=prog_in, stdout=prog_out, stderr=subprocess.DEVNULL, pass_fds=(3,))
prog_in.close(); prog_out.close()
to_prog.settimeout(10); from_prog.settimeout(10)
got = b""
while True:
    c = from_prog.recv(4096)
    if not c: break
    got += c
p.wait(20)
print(got.decode().strip())
PY
)
    REP=$(cat "$T/rep")
    [[ $OUT == *"stdin 32"* ]] || fail "writing to stdin: $OUT"
    [[ $OUT == *"stdout read b''"* ]] || fail "reading from stdout: $OUT"
    end

    begin "stdio-pipes: refused in prepared mode (exit 64)"
    "$L" --uid $U --gid $G --report-fd 3 --control-fd 4 --stdio-pipes 3>/dev/null 4</dev/null 2>"$T/err"
    RC=$? ERR=$(cat "$T/err") REP=""
    expect_rc 64
    [[ $ERR == *one-shot* ]] || fail "stderr: $ERR"
    end
fi

# ============================================================================ parallel slots
if selected "parallel"; then
    begin "parallel: two slots cannot see or signal each other"
    mkbox "$WS" pa
    "$L" --uid $U --gid $G --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
        -- /probe/probe sleep 60 3>"$T/repA" >/dev/null 2>&1 &
    la=$!
    for i in $(seq 100); do pgrep -u $U -x probe >/dev/null && break; sleep 0.02; done
    apid=$(pgrep -u $U -x probe | head -1)
    "$L" --uid $U2 --gid $G2 --cgroup-parent $CGP --report-fd 3 --bind-ro "$PROBES:/probe" \
        -- /bin/sh -c "/probe/probe kill $apid; /probe/probe kill 1; ls /proc | grep -c '^[0-9]'" \
        3>"$T/rep" >"$T/out" 2>&1
    RC=$? REP=$(cat "$T/rep") OUT=$(cat "$T/out")
    expect_ok_run
    # apid is not a pid in B's namespace (ESRCH) - or it is B's own coincidentally-numbered
    # process, never A's; pid 1 is B's own init (EPERM: another uid).
    l1=$(sed -n 1p <<<"$OUT")
    [ "$l1" = ESRCH ] || [ "$apid" -le 5 ] || fail "kill A's pid $apid from B: $l1"
    [ "$(sed -n 2p <<<"$OUT")" = EPERM ] || fail "kill 1: $(sed -n 2p <<<"$OUT")"
    [ "$(sed -n 3p <<<"$OUT")" -le 5 ] || fail "B sees $(sed -n 3p <<<"$OUT") processes"
    pgrep -u $U -x probe >/dev/null || fail "A's program died"
    pkill -KILL -u $U -x probe
    wait $la
    end
fi

# ============================================================================ languages
lang() { # lang NAME BOX [LIMITS...] -- PROG ARGS
    sandbox --workspace "$WS" --cpu-time-ms 60000 --wall-time-ms 300000 --memory-kb 524288 "${ENV[@]}" "$@"
}
if selected "lang"; then
    begin "lang: python3 -c 'print(1)'"
    lang -- /usr/bin/python3 -c 'print(1)'
    expect_ok_run
    expect_out 1
    end

    begin "lang: node -e"
    lang -- /usr/bin/node -e 'console.log([1,2,3].map(x => x * 2).join(","))'
    expect_ok_run
    expect_out 2,4,6
    end

    begin "lang: bash -c"
    lang -- /bin/bash -c 'a=(x y z); echo ${#a[@]} $((6*7))'
    expect_ok_run
    expect_out "3 42"
    end

    begin "lang: gcc compiles hello.c inside /box, then it runs"
    mkbox "$WS" c
    printf '#include <stdio.h>\nint main(void){puts("hello from c");return 0;}\n' >"$WS/c/hello.c"
    lang --box c -- /bin/sh -c 'gcc -O2 -o hello hello.c && ./hello'
    expect_ok_run
    expect_out "hello from c"
    end

    begin "lang: g++"
    mkbox "$WS" cpp
    printf '#include <iostream>\n#include <vector>\nint main(){std::vector<int> v{1,2,3};std::cout<<v.size()<<std::endl;}\n' >"$WS/cpp/a.cpp"
    lang --box cpp -- /bin/sh -c 'g++ -O2 -o a a.cpp && ./a'
    expect_ok_run
    expect_out 3
    end

    begin "lang: javac + java (threads, /proc, cgroup memory)"
    mkbox "$WS" java
    # The JDK's configuration is the Java entry's mount in the language table, not a launcher
    # default: bind what the table says, as the worker does.
    JAVA_MOUNTS=()
    while IFS= read -r m; do [ -n "$m" ] && JAVA_MOUNTS+=(--bind-ro "$m"); done <<<"$(node -e \
        'for (const m of require(process.argv[1]).languages.find((l) => l.id === "java").mounts ?? []) console.log(m)' \
        "$HERE/../../libs/languages/languages.json")"
    printf 'public class Main { public static void main(String[] a) throws Exception { Thread t = new Thread(() -> System.out.println("hello from java")); t.start(); t.join(); } }\n' >"$WS/java/Main.java"
    lang --box java --processes 256 --memory-kb 1048576 "${JAVA_MOUNTS[@]}" -- /bin/sh -c \
        'javac -J-XX:+UseSerialGC -J-Xmx256m -J-Xshare:auto Main.java && java -XX:+UseSerialGC -Xmx256m -cp . Main'
    expect_ok_run
    expect_out "hello from java"
    end

    begin "lang: ruby -e"
    lang -- /usr/bin/ruby -e 'puts [1, 2, 3].sum'
    expect_ok_run
    expect_out 6
    end
fi

echo "1..$N"
echo "# $N cases, $((N - NFAIL - NSKIP)) passed, $NFAIL failed, $NSKIP skipped (cgroup $CGMODE)"
[ $NFAIL -eq 0 ]
