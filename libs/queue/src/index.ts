export { QueueModule } from './queue.module';
export { REDIS, REDIS_SUBSCRIBER, connectRedis, redisOptions } from './redis';
export { jobKey } from './keys';
