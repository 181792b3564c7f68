/**
 * Who is calling: the API key's id (null when the service runs open) and the identity quotas
 * are kept under (the key, or the client address when open). Set by AuthGuard.
 */
import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Scope } from './api-keys';

export interface Caller {
  keyId: string | null;
  /** What rate and active-job quotas count under. */
  quotaId: string;
}

export const CALLER = Symbol('runbox.caller');

export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  const req = ctx.switchToHttp().getRequest<Record<symbol, Caller | undefined>>();
  return req[CALLER] ?? { keyId: null, quotaId: 'anonymous' };
});

export const PUBLIC = 'runbox:public';
export const SCOPE = 'runbox:scope';
/** Open to everyone, key or not (health probes). */
export const Public = () => SetMetadata(PUBLIC, true);
/** Needs a key of this scope (admin routes such as /metrics). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE, scope);
