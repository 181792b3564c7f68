/**
 * Who is calling: the identity quotas are kept under (the API key, or the client address when
 * the service runs open). Set by AuthGuard.
 */
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Scope } from './api-keys';

export interface Caller {
  /** What rate and active-job quotas count under. */
  quotaId: string;
}

export const CALLER = Symbol('runbox.caller');

/** The caller AuthGuard set; the guard is global, so every non-public route has one. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<Record<symbol, Caller>>()[CALLER]!;
});

export const PUBLIC = 'runbox:public';
export const SCOPE = 'runbox:scope';
/** Open to everyone, key or not (health probes). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Needs a key of this scope (admin routes such as /metrics). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE, scope);
