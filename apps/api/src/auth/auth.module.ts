import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard';

/**
 * API keys, scopes and rate limits. The guard is global: every route passes it, and
 * the routes that are not a controller's (/docs) are gated by the same instance (http/docs.ts).
 */
@Global()
@Module({
  providers: [AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }],
  exports: [AuthGuard],
})
export class AuthModule {}
