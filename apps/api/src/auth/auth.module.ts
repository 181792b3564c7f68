import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdmissionService } from './admission.service';
import { AuthGuard } from './auth.guard';

/**
 * API keys, scopes, rate limits and admission. The guard is global: every route passes it, and
 * the routes that are not a controller's (/docs) are gated by the same instance (http/docs.ts).
 */
@Global()
@Module({
  providers: [AuthGuard, { provide: APP_GUARD, useExisting: AuthGuard }, AdmissionService],
  exports: [AdmissionService, AuthGuard],
})
export class AuthModule {}
