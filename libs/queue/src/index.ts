export { QueueModule } from './queue.module';
export { bullConnection } from './connection';
export { REDIS, REDIS_SUBSCRIBER, connectRedis, redisOptions } from './redis';
export { activeJobsKey, jobKey } from './keys';
export { toJobView, toStatus, loadJobView, WEBHOOK_KEY } from './job-view';
export {
  DURATION_BUCKETS_MS,
  bucketOf,
  metricsKeys,
  parseHistogram,
  readMetrics,
  recordJobFinished,
  recordSandboxFailure,
  type HistogramSnapshot,
  type JobFinished,
  type MetricsSnapshot,
} from './metrics-store';
export { enqueueWebhook, webhookDeliveryId, WEBHOOK_JOB_NAME, type WebhookJobData } from './webhooks';
export { eventsChannel, publishJobEvent } from './events';
