#!/usr/bin/env python3
"""serve.py — drives `runbox-launcher --serve` for tests/run.sh (its framing is binary, so bash
cannot). Usage: serve.py CASE LAUNCHER UID WORKSPACE CGROUP_PARENT PROBES. Prints "ok", or one
line per failed expectation. The launcher itself does the confining; this only talks to it."""
import json
import os
import signal
import struct
import subprocess
import sys
import time

CASE, L, UID, WS, CGP, PROBES = sys.argv[1:7]
ENV = ['--env=PATH=/usr/local/bin:/usr/bin:/bin']
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


class Server:
    def __init__(self, *extra):
        self.p = subprocess.Popen(
            [L, '--serve', f'--uid={UID}', f'--gid={UID}', f'--workspace={WS}', f'--cgroup-parent={CGP}',
             f'--bind-ro={PROBES}:/probe', *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def send(self, rid, args, stdin=b''):
        self.send_raw(rid, b''.join(x.encode() + b'\0' for x in args), stdin)

    def send_raw(self, rid, a, stdin=b''):
        """A run frame with the request bytes as given (send() terminates each argument)."""
        self.p.stdin.write(b'R' + struct.pack('<II', rid, len(a)) + a + struct.pack('<I', len(stdin)) + stdin)
        self.p.stdin.flush()

    def stream(self, rid, args, stdin=b''):
        """A streamed run frame: output frames as it runs, stdin open until an empty input frame."""
        a = b''.join(x.encode() + b'\0' for x in args)
        self.p.stdin.write(b'S' + struct.pack('<II', rid, len(a)) + a + struct.pack('<I', len(stdin)) + stdin)
        self.p.stdin.flush()

    def input(self, rid, data):
        self.p.stdin.write(b'I' + struct.pack('<II', rid, len(data)) + data)
        self.p.stdin.flush()

    def streamed(self, rid):
        """A streamed run's frames up to its answer: ([(stream, bytes, monotonic time)], answer)."""
        chunks = []
        while True:
            tag = self._read(1)
            if tag == b'A':
                return chunks, self.response()
            check(tag == b'O', f'streamed run {rid}: frame tag {tag!r}')
            if tag != b'O':
                raise EOFError('out of step')
            cid, stream, n = struct.unpack('<IBI', self._read(9))
            check(cid == rid and stream in (1, 2), f'output frame: id {cid}, stream {stream}')
            chunks.append((stream, self._read(n), time.monotonic()))

    def cancel(self, rid):
        self.p.stdin.write(b'C' + struct.pack('<I', rid))
        self.p.stdin.flush()

    def _read(self, n):
        b = b''
        while len(b) < n:
            c = self.p.stdout.read(n - len(b))
            if not c:
                raise EOFError('the server closed its stdout')
            b += c
        return b

    def response(self):
        rid, status = struct.unpack('<Ii', self._read(8))
        parts = []
        for _ in range(3):
            (n,) = struct.unpack('<I', self._read(4))
            parts.append(self._read(n))
        report = json.loads(parts[0]) if parts[0] else None
        return rid, status, report, parts[1].decode(errors='replace'), parts[2].decode(errors='replace')

    def run(self, rid, args, stdin=b''):
        self.send(rid, args, stdin)
        return self.response()

    def close(self):
        self.p.stdin.close()
        return self.p.wait(timeout=30)


if CASE == 'runs':
    s = Server()
    # Several runs, each a sandbox of its own: a fresh pid namespace and /tmp, stdin relayed.
    for i in range(3):
        rid, status, rep, out, _ = s.run(i + 1, ENV + ['--', '/bin/sh', '-c', 'ls /tmp | wc -l; touch /tmp/seen; echo $$; cat'],
                                          f'in-{i}\n'.encode())
        check(rid == i + 1, f'run {i}: response id {rid}')
        check(status == 0 and rep and rep['exitCode'] == 0 and rep['error'] is None, f'run {i}: status {status}, report {rep}')
        check(out == f'0\n2\nin-{i}\n', f'run {i}: stdout {out!r} (a file of an earlier run, or not the init\'s first child)')
    # A large stdin the program never reads does not block the server; output beyond the cap is cut.
    rid, status, rep, out, _ = s.run(9, ['--output-bytes=1000', '--', '/probe/probe', 'flood'], b'x' * (4 << 20))
    check(rep and rep['limit'] == 'output' and rep['stdoutTruncated'] is True, f'flood: {rep}')
    check(len(out) <= 1000, f'flood: kept {len(out)} bytes, cap 1000')
    check(s.close() == 0, 'EOF: the server did not exit 0')

elif CASE == 'cancel':
    s = Server()
    s.cancel(7)  # a stale cancel (no such run) is ignored
    s.send(8, ['--wall-time-ms=20000', '--', '/bin/sh', '-c', 'sleep 30 & sleep 30'])
    time.sleep(0.5)
    t = time.monotonic()
    s.cancel(8)
    rid, status, rep, _, _ = s.response()
    check(time.monotonic() - t < 5, 'the cancel took more than 5 s')
    check(rid == 8 and status == 2 and rep and 'SIGTERM' in (rep['error'] or ''), f'cancelled run: status {status}, report {rep}')
    s.cancel(8)  # late: the run is over
    rid, status, rep, out, _ = s.run(9, ENV + ['--', '/bin/echo', 'after'])
    check(status == 0 and out == 'after\n', f'the run after a cancel: status {status}, stdout {out!r}, report {rep}')
    check(s.close() == 0, 'EOF: the server did not exit 0')

elif CASE == 'bad-request':
    s = Server()
    rid, status, rep, _, err = s.run(1, ['--box=../x', '--', '/bin/true'])
    check(status == 64 and rep is None, f'bad request: status {status}, report {rep}')
    check('bad request' in err, f'bad request: stderr {err!r}')
    rid, status, rep, out, _ = s.run(2, ENV + ['--', '/bin/echo', 'fine'])
    check(status == 0 and out == 'fine\n', f'the run after a bad request: status {status}, stdout {out!r}')
    check(s.close() == 0, 'EOF: the server did not exit 0')

elif CASE == 'bad-frame':
    # Request bytes the launcher would read as another request, or as none: a last argument
    # without its NUL (it would wait for the rest, get EOF and exit 0 without a report), and an
    # empty argument in the middle (it would run what comes before and drop the rest).
    s = Server()
    bad = [(1, b'--\0/bin/echo\0unterminated'),
           (2, b''.join(x.encode() + b'\0' for x in ENV + ['--', '/bin/echo', 'first', '', 'second']))]
    for rid, a in bad:
        s.send_raw(rid, a, b'stdin')
        r, status, rep, out, err = s.response()
        check(r == rid and status == 64 and rep is None and out == '', f'bad frame {rid}: status {status}, report {rep}, stdout {out!r}')
        check('bad request' in err, f'bad frame {rid}: stderr {err!r}')
    rid, status, rep, out, _ = s.run(3, ENV + ['--', '/bin/echo', 'fine'])
    check(status == 0 and out == 'fine\n', f'the run after bad frames: status {status}, stdout {out!r}')
    check(s.close() == 0, 'EOF: the server did not exit 0')

elif CASE == 'max-request':
    # A request is at most MAX_REQUEST_BYTES (1 MiB) with its end marker, the empty argument the
    # launcher reads to its end: one of exactly that size runs; one byte more is the worker
    # breaking the protocol (exit 64), never passed on to fail in the launcher instead.
    MAX = 1 << 20
    def request_of(size):  # `size` bytes, end marker included: options the launcher reads, then /bin/true
        head = b''.join(x.encode() + b'\0' for x in ENV)
        tail = b'--\0/bin/true\0'
        opt = b'--wall-time-ms=5000\0'
        reps, rest = divmod(size - 1 - len(head) - len(tail), len(opt))
        return head + opt * (reps - 1) + b'--wall-time-ms=' + b'0' * rest + b'5000\0' + tail  # the last one padded with zeros
    s = Server()
    a = request_of(MAX)
    check(len(a) + 1 == MAX, f'request of {len(a) + 1} bytes')
    try:
        s.send_raw(1, a)
        rid, status, rep, out, err = s.response()
    except (BrokenPipeError, EOFError) as e:
        print(f'the server broke off a request of {MAX} bytes ({e}): exit {s.p.wait(timeout=30)}, stderr {s.p.stderr.read()[-500:]!r}')
        sys.exit(1)
    check(rid == 1 and status == 0 and rep is not None and rep.get('exitCode') == 0, f'a request of exactly {MAX} bytes: status {status}, report {rep}, stderr {err[-300:]!r}')
    try:  # the server may stop reading at the frame's length
        s.send_raw(2, request_of(MAX + 1))
        s.p.stdin.close()
    except BrokenPipeError:
        pass
    code = s.p.wait(timeout=30)
    check(code == 64, f'a request of {MAX + 1} bytes: the server exited {code}, not 64')
    check(b'malformed request' in s.p.stderr.read(), 'a request one byte too large: no protocol message')

elif CASE == 'sigterm':
    s = Server()
    s.send(1, ['--wall-time-ms=20000', '--', '/bin/sh', '-c', 'sleep 30 & sleep 30'])
    time.sleep(0.5)
    s.p.send_signal(signal.SIGTERM)
    check(s.p.wait(timeout=10) == 0, 'SIGTERM: the server did not exit 0')
    # run.sh checks that nothing of the run is left (processes, cgroup, mounts).

elif CASE == 'sigterm-flood':
    # The run floods stdout far past the pipe buffer, so its launcher is mostly blocked writing to
    # the server. Once told to stop, the server reads no more: the launcher must still get to its
    # SIGTERM, tear the run down and exit, and the server with it.
    s = Server()
    s.send(1, [f'--output-bytes={1 << 30}', '--wall-time-ms=20000', '--', '/probe/probe', 'flood'])
    time.sleep(0.5)
    with open(f'/proc/{s.p.pid}/task/{s.p.pid}/children') as f:
        launchers = [int(x) for x in f.read().split()]
    t = time.monotonic()
    s.p.send_signal(signal.SIGTERM)
    try:
        rc = s.p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        rc = None
        s.p.kill()  # its pipes close with it: the launcher gets EPIPE and can tear down
        s.p.wait()
    check(rc == 0, f'SIGTERM during a flood: the server {"exited " + str(rc) if rc is not None else "hung"}')
    check(time.monotonic() - t < 5, 'SIGTERM during a flood: the server took more than 5 s')
    check(launchers, 'no launcher was running')
    left = [p for p in launchers if os.path.exists(f'/proc/{p}')]
    check(not left, f'launchers left after the server exited: {left}')
    # run.sh checks that nothing of the run is left (processes, cgroup, mounts).

elif CASE == 'streamed':
    s = Server()
    # Output goes out as it comes: the first line long before the program ends; stdin stays open
    # for input frames, which the program reads while it runs, until an empty one closes it.
    s.stream(1, ENV + ['--', '/bin/sh', '-c', 'echo one; sleep 1; echo two >&2; cat'], b'a\n')
    t0 = time.monotonic()
    tag = s._read(1)
    cid, stream, n = struct.unpack('<IBI', s._read(9))
    first = s._read(n)
    check(tag == b'O' and cid == 1 and stream == 1 and first == b'one\n', f'first frame {tag!r} {cid} {stream} {first!r}')
    check(time.monotonic() - t0 < 0.8, 'the first line came only after the sleep')
    s.input(7, b'stale\n')  # another run's input: ignored
    s.input(1, b'b\n')
    s.input(1, b'')
    chunks, (rid, status, rep, out, err) = s.streamed(1)
    live_out = first + b''.join(c for st, c, _ in chunks if st == 1)
    live_err = b''.join(c for st, c, _ in chunks if st == 2)
    check(rid == 1 and status == 0 and rep and rep['exitCode'] == 0, f'streamed run: status {status}, report {rep}')
    check(live_out == b'one\na\nb\n' and out == 'one\na\nb\n', f'streamed stdout: live {live_out!r}, answer {out!r}')
    check(live_err == b'two\n' and err == 'two\n', f'streamed stderr: live {live_err!r}, answer {err!r}')
    # A round trip: each line is echoed before the next is sent (an interactive program).
    s.stream(2, ENV + ['--', '/bin/cat'])
    for word in (b'ping\n', b'pong\n'):
        s.input(2, word)
        tag = s._read(1)
        cid, stream, n = struct.unpack('<IBI', s._read(9))
        got = s._read(n)
        check(tag == b'O' and got == word, f'echo of {word!r}: {tag!r} {got!r}')
    s.input(2, b'')
    chunks, (rid, status, rep, out, _) = s.streamed(2)
    check(rid == 2 and status == 0 and out == 'ping\npong\n' and not chunks, f'echo run: status {status}, stdout {out!r}, more {chunks}')
    # The cap holds for the live output too; the program's stdin, never closed, does not hold the
    # run up once it ends.
    s.stream(3, ['--output-bytes=1000', '--', '/probe/probe', 'flood'])
    chunks, (rid, status, rep, out, _) = s.streamed(3)
    live = sum(len(c) for st, c, _ in chunks if st == 1)
    check(rep and rep['limit'] == 'output' and live <= 1000 and live == len(out), f'streamed flood: {live} live bytes, {len(out)} kept, report {rep}')
    # A cancel ends a streamed run as a run; an ordinary run after it is answered untagged, and an
    # input frame left over from the ended run is ignored.
    s.stream(4, ['--wall-time-ms=20000', '--', '/bin/sh', '-c', 'sleep 30'])
    time.sleep(0.3)
    s.cancel(4)
    _, (rid, status, rep, _, _) = s.streamed(4)
    check(rid == 4 and status == 2 and rep and 'SIGTERM' in (rep['error'] or ''), f'cancelled streamed run: status {status}, report {rep}')
    s.input(4, b'late\n')
    rid, status, rep, out, _ = s.run(5, ENV + ['--', '/bin/echo', 'plain'])
    check(rid == 5 and status == 0 and out == 'plain\n', f'the run after streamed ones: status {status}, stdout {out!r}')
    check(s.close() == 0, 'EOF: the server did not exit 0')

elif CASE == 'bad-setup':
    p = subprocess.run([L, '--serve', '--uid=0', '--gid=0'], capture_output=True)
    check(p.returncode == 64, f'--uid 0: exit {p.returncode}')
    p = subprocess.run([L, '--serve', f'--uid={UID}', f'--gid={UID}', '--', '/bin/true'], capture_output=True)
    check(p.returncode == 64, f'a program on the command line: exit {p.returncode}')

else:
    sys.exit(f'unknown case {CASE}')

print('ok' if not failures else '\n'.join(failures))
