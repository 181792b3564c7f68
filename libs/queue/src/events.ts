/**
 * Live job events (SSE) travel through Redis pub/sub, so any API process can stream a job that
 * any worker runs. Fire-and-forget: a missed event is covered by the stream reading the job's
 * state when it starts and by the final view it sends at the end.
 */
import type { Redis } from 'ioredis';
import { EVENTS_CHANNEL, type JobEvent, type JobEventType } from '@runbox/contract';
import type { Config } from '@runbox/config';
import { jobKey } from './keys';

export function eventsChannel(config: Config): string {
  return jobKey(config, EVENTS_CHANNEL);
}

/** The message of event `type` of job `jobId`, as published on `eventsChannel`. */
export function jobEventMessage(jobId: string, type: JobEventType, data?: unknown): string {
  const event: JobEvent = { jobId, type, at: new Date().toISOString(), ...(data === undefined ? {} : { data }) };
  return JSON.stringify(event);
}

export async function publishJobEvent(redis: Redis, config: Config, jobId: string, type: JobEventType, data?: unknown): Promise<void> {
  await redis.publish(eventsChannel(config), jobEventMessage(jobId, type, data));
}
