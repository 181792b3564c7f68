/**
 * The API: feature modules, the one validation pipe and the one exception filter. Built from a
 * given `Config` (main.ts reads the environment; tests pass their own), so a test app is the
 * production app.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { LoggerModule } from 'nestjs-pino';
import { Config } from '@runbox/config';
import { QueueModule } from '@runbox/queue';
import { AuthModule } from './auth/auth.module';
import { CompatModule } from './compat/compat.module';
import { HealthModule } from './health/health.module';
import { ProblemFilter } from './http/problem.filter';
import { RequestValidationPipe } from './http/validation';
import { JobsModule } from './jobs/jobs.module';
import { LanguagesModule } from './languages/languages.module';
import { MetricsModule } from './metrics/metrics.module';
import { WebhooksModule } from './webhooks/webhooks.module';

/**
 * pino-http writes its one line per request at `info`. Above that level it would write nothing
 * and still cost a child logger and an async context per request (about 0.3 ms of CPU per
 * request, 10–15% of the throughput for tiny programs in the e2e bench), so it is not installed.
 */
export const logsRequests = (level: string): boolean => ['info', 'debug', 'trace'].includes(level);

@Module({})
export class AppModule {
  static forRoot(config: Config): DynamicModule {
    return {
      module: AppModule,
      // Global, so QueueModule and every feature module inject this exact Config.
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            // Request bodies hold users' programs; headers may hold credentials.
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-auth-token"]', 'req.headers.cookie'],
          },
          // No routes: the module still provides the application's logger, without request lines.
          ...(logsRequests(config.logLevel) ? {} : { forRoutes: [] }),
        }),
        QueueModule,
        AuthModule,
        JobsModule,
        LanguagesModule,
        HealthModule,
        MetricsModule,
        CompatModule.forRoot(config),
        // Callback delivery: here, unprivileged, not in the root worker (its sandboxes' host).
        WebhooksModule,
      ],
      providers: [
        { provide: Config, useValue: config },
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
      exports: [Config],
    };
  }
}
