export { QueueModule } from './queue.module';
export { bullConnection } from './connection';
export { REDIS, REDIS_SUBSCRIBER, connectRedis } from './redis';
export { activeJobsKey, jobKey, runningJobsKey, WEBHOOK_KEY } from './keys';
export { releaseRunningEntry, takeRunningEntry } from './running';
export { toJobView, toStatus, loadJob, loadJobView, type StoredJob, type Tombstone } from './job-view';
export {
  DURATION_BUCKETS_MS,
  readMetrics,
  countJobFinished,
  recordSandboxFailure,
  type HistogramSnapshot,
  type MetricsSnapshot,
} from './metrics-store';
export {
  enqueueWebhook,
  saveDelivery,
  WEBHOOK_METHODS,
  webhookDeliveryId,
  type WebhookBody,
  type WebhookJobData,
  type WebhookMethod,
} from './webhooks';
export { eventsChannel, progressChannel, publishJobProgress } from './events';
export { recordJobEnd, type JobEnd } from './job-end';
