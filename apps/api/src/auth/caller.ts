/**
 * Who is calling: the identity quotas are kept under (the API key, or the client address when
 * the service runs open). Set by AuthGuard.
 */
import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import type { Scope } from './api-keys';

export interface Caller {
  /** What rate and active-job quotas count under; a job it submits is owned by it (`JobData.owner`). */
  quotaId: string;
  /**
   * Whose jobs this caller may read and cancel: `quotaId` for a submit key, null for every job
   * (an admin key, or a service without keys, where callers are not told apart).
   */
  tenant: string | null;
}

/** Whether `caller` may see a job owned by `owner`. Anything else is answered as an unknown id. */
export const mayAccess = (caller: Caller, owner: string | null): boolean => caller.tenant === null || caller.tenant === owner;

export const CALLER = Symbol('runbox.caller');

/** The caller AuthGuard set; the guard is global, so every non-public route has one. */
export const CurrentCaller = createParamDecorator((_: unknown, ctx: ExecutionContext): Caller => {
  return ctx.switchToHttp().getRequest<Record<symbol, Caller>>()[CALLER]!;
});

export const PUBLIC = 'runbox:public';
export const SCOPE = 'runbox:scope';
/**
 * Open to everyone, key or not (health probes). The OpenAPI document says so too: an empty
 * `security` on the route overrides the document's bearer requirement.
 */
export const Public = () => applyDecorators(SetMetadata(PUBLIC, true), SetMetadata(DECORATORS.API_SECURITY, []));
/** Needs a key of this scope (admin routes such as /metrics). */
export const RequireScope = (scope: Scope) => SetMetadata(SCOPE, scope);
