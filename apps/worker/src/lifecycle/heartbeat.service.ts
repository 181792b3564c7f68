/**
 * Tells the API tier this worker is alive and which runtimes it really has (GET /v1/languages
 * and /health/ready read these heartbeats). The versions are measured once, at start-up.
 */
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { WORKER_HEARTBEAT_TTL_S, type WorkerHeartbeat } from '@runbox/contract';
import { Config } from '@runbox/config';
import { LanguageRegistry } from '@runbox/languages';
import { heartbeatKey, REDIS } from '@runbox/queue';
import { versionInSandbox } from '../sandbox/launcher';
import { SlotPool } from '../sandbox/slots';
import { detectInstalled } from '../sandbox/versions';
import { WORKER_ID } from './worker-id';

@Injectable()
export class HeartbeatService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HeartbeatService.name);
  private timer: NodeJS.Timeout | null = null;
  private beat: WorkerHeartbeat | null = null;
  private stopped = false;
  private readonly key: string;

  constructor(
    private readonly config: Config,
    private readonly languages: LanguageRegistry,
    private readonly slots: SlotPool,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.key = heartbeatKey(config, WORKER_ID);
  }

  async onApplicationBootstrap(): Promise<void> {
    const w = this.config.worker;
    // Runtimes outside this process's tree are probed where they run: in a sandbox.
    const runner =
      w.sandboxRootfs === '/'
        ? undefined
        : versionInSandbox({
            launcherPath: w.launcherPath,
            cgroupParent: w.cgroupParent,
            rootfs: w.sandboxRootfs,
            mounts: this.languages.allMounts(),
            userns: w.sandboxMode === 'rootless',
          });
    const installed = await detectInstalled(this.languages, runner);
    const missing = this.languages.languages.filter((l) => !installed.some((i) => i.id === l.id)).map((l) => l.id);
    if (missing.length) this.logger.warn(`runtimes not installed on this host (not offered): ${missing.join(', ')}`);
    const startedAt = new Date().toISOString();
    // Announce the worker only once it can run jobs. Not awaited: the slots are started by a
    // hook Nest may call only after this one returns.
    void this.slots.ready.then(async () => {
      if (this.stopped) return;
      this.beat = {
        id: WORKER_ID,
        host: hostname(),
        pid: process.pid,
        slots: this.config.worker.slots,
        startedAt,
        cgroupMode: this.slots.cgroups.mode, // as the launcher told the slots when they started
        languages: installed,
      };
      // The timer first: a shutdown during the first send then clears it.
      this.timer = setInterval(() => void this.send(), (WORKER_HEARTBEAT_TTL_S * 1000) / 3);
      this.timer.unref();
      await this.send();
    });
  }

  private async send(): Promise<void> {
    try {
      await this.redis.set(this.key, JSON.stringify(this.beat), 'EX', WORKER_HEARTBEAT_TTL_S);
    } catch (e) {
      this.logger.warn(`heartbeat not sent: ${(e as Error).message}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.redis.del(this.key).catch(() => undefined);
  }
}
