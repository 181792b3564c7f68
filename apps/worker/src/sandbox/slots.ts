/**
 * Sandbox slots: one uid/gid, one workspace tmpfs and (in prepared mode) one sandbox server, which
 * keeps a sandbox built ahead of its run, per slot. A slot runs one sandbox at a time. Slots are claimed host-wide through
 * owner files, so several worker processes on one host never share a uid or a workspace.
 */
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { CgroupInfo } from '@runbox/contract';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { ownCpus, slotCpus } from './cpus';
import {
  cgroupInfo,
  mountWorkspace,
  quiesceSlot,
  SandboxServer,
  stopLeftoverLaunchers,
  sweepCgroups,
  unmountWorkspace,
  type SandboxSetup,
} from './launcher';
import { removeBox, type Box } from './workspace';

export interface Slot {
  index: number;
  /** How the launcher builds the slot's sandboxes, including the slot's uid, gid and workspace. */
  setup: SandboxSetup;
  /** The slot's sandbox server (prepared mode), started at once and replaced when it dies. */
  server: SandboxServer | null;
  /** Set after a run that ended abnormally: resolves once none of its processes lives. No box of the slot is touched before. */
  settling: Promise<void> | null;
  /** Something of a box could not be removed: the slot's workspace is mounted afresh before its next job. */
  spoiled: boolean;
}

const MAX_SLOT_INDEX = 4096;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

@Injectable()
export class SlotPool {
  private readonly logger = new Logger(SlotPool.name);
  private readonly free: Slot[] = [];
  private readonly all: Slot[] = [];
  private readonly waiters: ((s: Slot) => void)[] = [];
  /** Jobs that could use another slot for their tests (`offerSpare`): served only when no job waits for its first. */
  private readonly borrowers: ((s: Slot) => void)[] = [];
  private closing = false;
  private readonly cleanups = new Set<Promise<unknown>>();
  private started!: () => void;
  private layout: CgroupInfo | null = null;
  /** Resolves once every slot is claimed and mounted: only then may the worker say it is alive. */
  readonly ready = new Promise<void>((resolve) => (this.started = resolve));

  constructor(
    private readonly config: Config,
    private readonly languages: LanguageRegistry,
  ) {}

  /** Claims `count` slots on this host, mounts their workspaces and prepares their sandboxes. */
  async start(): Promise<void> {
    const { workspaceDir, slots, uidBase, boxDiskMb, tmpDiskMb, launcherPath, cgroupParent } = this.config.worker;
    await mkdir(workspaceDir, { recursive: true, mode: 0o755 });
    await this.warnIfCoresArePiped();
    const cpus = ownCpus(await readFile('/proc/self/status', 'utf8'));
    this.layout = await cgroupInfo(launcherPath, cgroupParent);
    await this.sweepCgroups();
    for (let index = 0; this.all.length < slots && index < MAX_SLOT_INDEX; index++) {
      if (!(await this.claim(index))) continue;
      const dir = join(workspaceDir, String(index));
      // A previous owner killed without draining leaves its runs going (until their programs end)
      // and its boxes in the slot's tmpfs: stop the runs, drop that tmpfs, start on an empty one.
      const stopped = await stopLeftoverLaunchers(launcherPath, dir);
      if (stopped) this.logger.warn(`slot ${index}: stopped ${stopped} sandbox(es) left running by a dead worker`);
      await unmountWorkspace(launcherPath, dir);
      await mountWorkspace(launcherPath, dir, boxDiskMb * 1024);
      const uid = uidBase + index;
      const slot: Slot = {
        index,
        setup: {
          launcherPath,
          uid,
          gid: uid,
          workspaceDir: dir,
          tmpSizeKb: tmpDiskMb * 1024,
          cgroupParent,
          cpus: slotCpus(cpus, slots, index),
          rootfs: this.config.worker.sandboxRootfs,
          mounts: this.languages.allMounts(),
          userns: this.config.worker.sandboxMode === 'rootless',
        },
        server: null,
        settling: null,
        spoiled: false,
      };
      this.serverOf(slot);
      this.all.push(slot);
      this.free.push(slot);
    }
    if (this.all.length < slots) throw new Error(`could claim only ${this.all.length} of ${slots} sandbox slots under ${workspaceDir}`);
    this.logger.log(
      `${slots} sandbox slots ready (uids ${this.all.map((s) => s.setup.uid).join(', ')}; prepared sandboxes ${this.config.worker.preparedSandboxes ? 'on' : 'off'}; cgroup ${this.layout.mode} under ${this.layout.hierarchies.map((h) => h.path).join(', ')})`,
    );
    this.started();
  }

  /** The cgroup layout the launcher reported when the slots started (asked once: it does not change while the host runs). */
  get cgroups(): CgroupInfo {
    if (!this.layout) throw new Error('the sandbox slots have not started');
    return this.layout;
  }

  /**
   * A launcher removes its run's cgroups itself, unless it was killed with SIGKILL; the launcher's
   * sweep removes such empty groups of launchers that are gone, and says what it could not remove.
   */
  private async sweepCgroups(): Promise<void> {
    const { removed, failed } = await sweepCgroups(this.config.worker.launcherPath, this.config.worker.cgroupParent);
    if (removed.length) this.logger.warn(`removed ${removed.length} empty cgroup(s) of launchers that were killed`);
    for (const f of failed) this.logger.warn(`cgroup ${f.path} of a launcher that was killed not removed: ${f.reason}`);
  }

  /** Waits for a free slot: a job's first (its own, for its whole run). */
  acquire(): Promise<Slot> {
    const slot = this.free.shift();
    if (slot) return Promise.resolve(slot);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /**
   * A job whose tests could use another slot: `take` gets a free slot now or the next one freed,
   * unless a job waits for its first (those always come first). Returns the withdrawal, for when
   * the job no longer needs it; a slot taken goes back through `releaseAfter`.
   */
  offerSpare(take: (slot: Slot) => void): () => void {
    const slot = this.waiters.length === 0 ? this.free.shift() : undefined;
    if (slot) {
      take(slot);
      return () => undefined;
    }
    this.borrowers.push(take);
    return () => {
      const i = this.borrowers.indexOf(take);
      if (i >= 0) this.borrowers.splice(i, 1);
    };
  }

  /** A job waits for its first slot: one holding more than its own gives them back between tests. */
  get contended(): boolean {
    return this.waiters.length > 0;
  }

  /** A slot taken through `offerSpare` goes back (the boxes of its tests are gone already). */
  giveBack(slot: Slot): void {
    this.releaseAfter(slot, []);
  }

  /**
   * A run of the slot ended abnormally (a watchdog, a dead server or launcher): its program may
   * still live. Until it is gone, `discard` and `releaseAfter` wait.
   */
  abnormalEnd(slot: Slot): void {
    slot.settling ??= quiesceSlot(slot.setup, (m) => this.logger.warn(`slot ${slot.index}: ${m}`))
      .then(() => this.sweepCgroups())
      .then(
        () => undefined,
        (e: unknown) => this.logger.error(`slot ${slot.index}: waiting for its processes failed: ${(e as Error).message}`),
      )
      .finally(() => (slot.settling = null));
  }

  /**
   * Removes one box of the slot once no process of its run lives. Never rejects: a box that
   * cannot be removed spoils the slot's workspace, which `releaseAfter` replaces.
   */
  async discard(slot: Slot, box: Box): Promise<void> {
    if (slot.settling) await slot.settling;
    try {
      await removeBox(box, this.config.worker.launcherPath);
    } catch (e) {
      slot.spoiled = true;
      this.logger.warn(`slot ${slot.index}: box ${box.name} not removed (${(e as Error).message}); its workspace will be mounted afresh`);
    }
  }

  /**
   * Removes the job's boxes and gives the slot back: with a fresh workspace if anything of them
   * stayed (a program's tree no removal got through), so nothing a program leaves costs the
   * slot's next job its disk. Removal starts on the next turn of the event loop, once the job's
   * result (returned meanwhile) has been sent to Redis: it is not on the result's path.
   */
  releaseAfter(slot: Slot, boxes: readonly Box[]): void {
    const done = new Promise((r) => setImmediate(r))
      .then(() => Promise.all(boxes.map((b) => this.discard(slot, b))))
      .then(() => (slot.spoiled ? this.renew(slot) : undefined))
      .catch((e: unknown) => this.logger.error(`slot ${slot.index}: cleanup failed: ${(e as Error).message}`))
      .finally(() => {
        this.cleanups.delete(done);
        this.release(slot);
      });
    this.cleanups.add(done);
  }

  /** A fresh workspace for the slot: its server goes first (its prepared sandbox holds the old tmpfs), then unmount, mount. */
  private async renew(slot: Slot): Promise<void> {
    const { launcherPath, boxDiskMb } = this.config.worker;
    const server = slot.server;
    slot.server = null;
    await server?.close();
    await unmountWorkspace(launcherPath, slot.setup.workspaceDir);
    await mountWorkspace(launcherPath, slot.setup.workspaceDir, boxDiskMb * 1024);
    slot.spoiled = false;
    this.logger.warn(`slot ${slot.index}: workspace mounted afresh`);
  }

  private release(slot: Slot): void {
    const next = this.waiters.shift() ?? this.borrowers.shift();
    if (next) next(slot);
    else this.free.push(slot);
  }

  /** The slot's sandbox server, (re)started if it is not running; null in one-shot mode. */
  serverOf(slot: Slot): SandboxServer | null {
    if (!this.config.worker.preparedSandboxes || this.closing) return null;
    if (slot.server?.alive) return slot.server;
    if (slot.server) this.logger.warn(`slot ${slot.index}: sandbox server ended; starting a new one`);
    slot.server = new SandboxServer(slot.setup);
    return slot.server;
  }

  /** Stops the sandbox servers (and with them their prepared sandboxes), unmounts the workspaces and gives the slots back. Called once jobs have drained. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.cleanups);
    await Promise.all(
      this.all.map(async (slot) => {
        const server = slot.server;
        slot.server = null;
        await server?.close();
        await unmountWorkspace(this.config.worker.launcherPath, slot.setup.workspaceDir).catch((e) =>
          this.logger.warn((e as Error).message),
        );
        await rm(this.ownerFile(slot.index), { force: true });
      }),
    );
  }

  /**
   * A piping core_pattern (systemd-coredump, apport) starts a root helper on the host for every
   * crash, whatever RLIMIT_CORE=0 says. The launcher keeps sandboxed programs at 1, the one value
   * the kernel honours for a pipe; the operator should still know that crashes here run a helper.
   */
  private async warnIfCoresArePiped(): Promise<void> {
    const pattern = await readFile('/proc/sys/kernel/core_pattern', 'utf8').catch(() => '');
    if (pattern.startsWith('|'))
      this.logger.warn(
        `this host pipes core dumps to a helper (core_pattern ${pattern.trim()}); sandboxed programs keep RLIMIT_CORE at 1, which makes the kernel skip it`,
      );
  }

  private ownerFile(index: number): string {
    return join(this.config.worker.workspaceDir, `${index}.owner`);
  }

  /** Takes slot `index` unless a live process owns it; a dead owner's claim is taken over. */
  private async claim(index: number): Promise<boolean> {
    const file = this.ownerFile(index);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
        await fh.writeFile(String(process.pid));
        await fh.close();
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = Number((await readFile(file, 'utf8').catch(() => '')).trim());
        if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) return false;
        await rm(file, { force: true }); // stale claim of a dead worker
      }
    }
    return false;
  }
}
