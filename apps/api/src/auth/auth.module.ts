import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AdmissionService } from './admission.service';
import { AuthGuard } from './auth.guard';

/** API keys, scopes, rate limits and admission. The guard is global: every route passes it. */
@Global()
@Module({
  providers: [{ provide: APP_GUARD, useClass: AuthGuard }, AdmissionService],
  exports: [AdmissionService],
})
export class AuthModule {}
