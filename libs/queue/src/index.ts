export { QueueModule } from './queue.module';
export { bullConnection } from './connection';
export { REDIS, REDIS_SUBSCRIBER, connectRedis } from './redis';
export {
  activeJobsKey,
  annexKey,
  cancelChannel,
  cancelMarkKey,
  eventsChannel,
  heartbeatKey,
  heartbeatPattern,
  idempotencyKey,
  jobKey,
  liveChannel,
  owedCallbacksKey,
  progressChannel,
  rateKey,
  runningJobsKey,
  sessionInputKey,
  supportFilePrefix,
  supportFileStoreKeys,
  tombstoneKey,
  webhookKey,
  WEBHOOK_KEY,
} from './keys';
export { bullmqKeys, fromRecord, stateOf, type JobRecord } from './bullmq-layout';
export { bullmqAddCall, BULLMQ_ADD_FUNCTION, BULLMQ_ADD_KEYS, type BullmqAddCall } from './bullmq-add';
export { releaseRunningEntry } from './running';
export { startJob, type JobStart } from './job-start';
export { toJobView, toStatus, loadJob, loadJobs, loadJobView, type StoredJob, type Tombstone } from './job-view';
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
export { publishJobProgress } from './events';
export { recordJobEnd, type JobEnd } from './job-end';
export { LuaScript } from './script';
