/**
 * End-to-end tests against a worker without root (RUNBOX_TEST_WORKER_USER=NAME; test/rootless/run.sh
 * sets it up): this file plays the operator. It gives each stack's cgroup parent to that user
 * (the folder and the files delegation hands over, in every hierarchy the launcher names) and
 * starts the worker inside it as the user, the way systemd's Delegate=yes would.
 */
import { chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cgroupLayout } from './host-state';

export interface WorkerUser {
  name: string;
  uid: number;
  gid: number;
  /** The first id of its /etc/subuid range (the slots' ids go there). */
  subFirst: number;
}

/** The user the e2e worker runs as, or null for a root worker. */
export function workerUser(): WorkerUser | null {
  const name = process.env.RUNBOX_TEST_WORKER_USER;
  if (!name) return null;
  const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim());
  const line = readFileSync('/etc/subuid', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`RUNBOX_TEST_WORKER_USER=${name} has no range in /etc/subuid`);
  return { name, uid: id('-u'), gid: id('-g'), subFirst: Number(line.split(':')[1]) };
}

/** What cgroup delegation hands the user in a v2 folder (the kernel's cgroup-v2.rst, "Delegation"). */
const V2_DELEGATED = ['cgroup.procs', 'cgroup.subtree_control', 'cgroup.threads'];

/** Makes `parent` the user's in every hierarchy (v1: cpuset's cpus and mems filled first). */
export function delegateCgroup(launcherPath: string, parent: string, user: WorkerUser): void {
  const info = cgroupLayout({ launcherPath, cgroupParent: parent });
  for (const { path, controllers } of info.hierarchies) {
    const created = !existsSync(path);
    mkdirSync(path, { recursive: true });
    if (info.mode === 'v1' && controllers.includes('cpuset') && created) {
      for (const f of ['cpuset.cpus', 'cpuset.mems']) copyFileSync(join(dirname(path), f), join(path, f));
    }
    chownSync(path, user.uid, user.gid);
    const files = info.mode === 'v2' ? V2_DELEGATED : readdirSync(path); // v1: the whole folder, as chown -R
    for (const f of files) chownSync(join(path, f), user.uid, user.gid);
  }
}

/**
 * The command that starts `argv` as the user inside its delegated v2 group (v1 has no such rule):
 * a root shell moves itself in, then drops to the user with setpriv (no PAM, so no login session
 * moves it elsewhere).
 */
export function asWorkerUser(argv: string[], user: WorkerUser, parent: string, mode: 'v1' | 'v2'): [string, string[]] {
  const drop = ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--init-groups', '--', ...argv];
  if (mode === 'v1') return [drop[0]!, drop.slice(1)];
  return ['/bin/sh', ['-c', `echo $$ > /sys/fs/cgroup/${parent}/cgroup.procs && exec "$@"`, 'sh', ...drop]];
}
