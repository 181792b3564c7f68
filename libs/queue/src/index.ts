export { QueueModule } from './queue.module';
export { REDIS, REDIS_SUBSCRIBER, connectRedis, redisOptions } from './redis';
export { jobKey } from './keys';
export { toJobView, toStatus, loadJobView, WEBHOOK_KEY } from './job-view';
export { enqueueWebhook, webhookDeliveryId, WEBHOOK_JOB_NAME, type WebhookJobData } from './webhooks';
