/**
 * Live job events travel through Redis pub/sub, so any API process can wait for or stream a job
 * that any worker runs: ends on one channel, which every API process follows, progress on another,
 * followed only by processes with an open stream. Fire-and-forget: a missed event is covered by
 * the stream reading the job's state when it starts and by the final view it sends at the end.
 */
import type { Redis } from 'ioredis';
import { type JobEvent, type JobEventType, type JobProgressType } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { progressChannel } from './keys';

/** The message of event `type` of job `jobId`, as published on `eventsChannel` or `progressChannel`. */
export function jobEventMessage(jobId: string, type: JobEventType, data?: unknown): string {
  const event: JobEvent = { jobId, type, at: new Date().toISOString(), ...(data === undefined ? {} : { data }) };
  return JSON.stringify(event);
}

/** Publishes progress event `type` of job `jobId` (its end is published by `recordJobEnd`). */
export async function publishJobProgress(
  redis: Redis,
  config: Config,
  jobId: string,
  type: JobProgressType,
  data?: unknown,
): Promise<void> {
  await redis.publish(progressChannel(config), jobEventMessage(jobId, type, data));
}
