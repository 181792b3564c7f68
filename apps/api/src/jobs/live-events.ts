/**
 * This process's subscriptions to live jobs' own channels (libs/contract live.ts): a job's
 * channel is subscribed while at least one stream or session of this process follows it, on the
 * process's one subscriber connection, and unsubscribed when the last one leaves. Pub/sub: what is
 * published while nobody here follows the job is not seen (the final job has all the output).
 */
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { LIVE_STAGES, type LiveMessage } from '@runbox/contract';
import { Config } from '@runbox/config';
import { liveChannel, REDIS_SUBSCRIBER } from '@runbox/queue';

export type LiveListener = (message: LiveMessage) => void;

/** A message as a worker published it, or null: only what has the contract's shape reaches a client. */
function parseLive(text: string): LiveMessage | null {
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof m !== 'object' || m === null) return null;
  const { type, stage } = m as Record<string, unknown>;
  if (!LIVE_STAGES.includes(stage as never) || !['stage', 'output', 'exit'].includes(type as string)) return null;
  return m as LiveMessage;
}

@Injectable()
export class LiveEvents implements OnModuleInit {
  private readonly listeners = new Map<string, Set<LiveListener>>();

  constructor(
    private readonly config: Config,
    @Inject(REDIS_SUBSCRIBER) private readonly subscriber: Redis,
  ) {}

  onModuleInit(): void {
    this.subscriber.on('message', (channel: string, text: string) => {
      const set = this.listeners.get(channel);
      if (!set) return;
      const message = parseLive(text);
      if (message) for (const listener of set) listener(message);
    });
  }

  /**
   * Calls `listener` with job `jobId`'s live messages until the returned function is called.
   * Resolves once subscribed (at once while the subscriber is not connected: ioredis subscribes
   * when it is back), so a job queued after it cannot publish unseen.
   */
  async listen(jobId: string, listener: LiveListener): Promise<() => void> {
    const channel = liveChannel(this.config, jobId);
    let set = this.listeners.get(channel);
    let subscribed: Promise<unknown> = Promise.resolve();
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      subscribed = this.subscriber.subscribe(channel).catch(() => undefined);
    }
    set.add(listener);
    if (this.subscriber.status === 'ready') await subscribed;
    const own = set;
    return () => {
      own.delete(listener);
      if (own.size > 0 || this.listeners.get(channel) !== own) return;
      this.listeners.delete(channel);
      this.subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }
}
