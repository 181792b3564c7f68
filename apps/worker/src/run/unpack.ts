/**
 * A job's archive (a zip) is unpacked inside the sandbox, by the slot's unprivileged user with
 * the box as its only writable place, never by this root process: a hostile archive meets
 * python3's zipfile there, not the worker. The script still refuses what a grader's archive
 * never needs and an attacker would try: links, paths that leave the directory (absolute, `..`,
 * backslashes), more entries or bytes than the caps, and entries that inflate beyond a ratio (a
 * zip bomb). The box's tmpfs size bounds whatever gets past that. Existing files win, as with
 * Judge0's `unzip -n`.
 */
import type { RunLimits } from '@runbox/contract';

/** Where the archive is written in the box before the unpacker runs (it removes it). */
export const ARCHIVE_FILE = '.runbox-archive.zip';

export interface ArchiveCaps {
  entries: number;
  bytes: number;
  /** Largest uncompressed/compressed ratio of an entry above 1 MiB. */
  ratio: number;
}

export const ARCHIVE_CAPS: Readonly<Omit<ArchiveCaps, 'bytes'>> = { entries: 1000, ratio: 200 };

/** What the unpacker may use (it only reads a zip and writes files). */
export const UNPACK_LIMITS: RunLimits = { cpuTimeMs: 10_000, wallTimeMs: 20_000, memoryMb: 128, processes: 4, outputBytes: 4096 };

const SCRIPT = String.raw`
import os, stat, sys, zipfile
name = sys.argv[1]
max_entries, max_bytes, max_ratio = (int(a) for a in sys.argv[2:5])
def fail(why):
    sys.stderr.write("additional files: %s\n" % why)
    sys.exit(1)
try:
    archive = zipfile.ZipFile(name)
except (zipfile.BadZipFile, OSError) as e:
    fail("not a zip archive (%s)" % e)
entries = archive.infolist()
if len(entries) > max_entries:
    fail("%d entries, more than %d" % (len(entries), max_entries))
total = 0
for e in entries:
    n = e.filename
    if stat.S_ISLNK(e.external_attr >> 16):
        fail("%s: links are not allowed" % n)
    if n.startswith("/") or "\\" in n or ".." in n.split("/") or "\0" in n:
        fail("%s: the path leaves the directory" % n)
    total += e.file_size
    if total > max_bytes:
        fail("more than %d bytes unpacked" % max_bytes)
    if e.file_size > 1 << 20 and e.file_size > max_ratio * max(e.compress_size, 1):
        fail("%s: inflates more than %d times" % (n, max_ratio))
root = os.path.realpath(".")
for e in entries:
    target = os.path.realpath(os.path.join(root, e.filename))
    if target != root and not target.startswith(root + os.sep):
        fail("%s: the path leaves the directory" % e.filename)
    if e.is_dir():
        os.makedirs(target, exist_ok=True)
        continue
    os.makedirs(os.path.dirname(target), exist_ok=True)
    if os.path.lexists(target):
        continue
    with archive.open(e) as src, open(target, "xb") as dst:
        while True:
            chunk = src.read(65536)
            if not chunk:
                break
            dst.write(chunk)
archive.close()
os.remove(name)
`;

/** The unpacker's argv (run in the box: it works on ARCHIVE_FILE in its current directory). */
export function unpackArgv(caps: ArchiveCaps): string[] {
  return ['/usr/bin/python3', '-I', '-S', '-c', SCRIPT, ARCHIVE_FILE, String(caps.entries), String(caps.bytes), String(caps.ratio)];
}
