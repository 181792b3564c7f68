/**
 * The one gate in front of every route: authenticate (when keys are configured), check the
 * route's scope, then count the request against its key's rate. Authentication comes first, so
 * a request without a valid key never consumes anybody's quota.
 */
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext, type OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { Config } from '@runbox/config';
import { jobKey, REDIS } from '@runbox/queue';
import { findKey, loadApiKeys, presentedKey, type ApiKey, type Scope } from './api-keys';
import { Forbidden, RateLimited, Unauthenticated } from './auth.errors';
import { CALLER, PUBLIC, SCOPE, type Caller } from './caller';

const WINDOW_S = 60;

@Injectable()
export class AuthGuard implements CanActivate, OnModuleInit {
  private readonly logger = new Logger('Auth');
  private readonly keys: ApiKey[];

  constructor(
    private readonly config: Config,
    private readonly reflector: Reflector,
    @Inject(REDIS) private readonly redis: Redis,
  ) {
    this.keys = loadApiKeys(config.auth.keys, config.auth.keysFile);
  }

  onModuleInit(): void {
    if (this.keys.length === 0) {
      this.logger.warn(
        'NO API KEYS CONFIGURED: the API is OPEN to anyone who can reach it. Set API_KEYS or API_KEYS_FILE (see README "Access control").',
      );
    } else {
      this.logger.log(`${this.keys.length} API key(s) configured: ${this.keys.map((k) => `${k.id} (${k.scope})`).join(', ')}`);
    }
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown>; ip?: string } & Record<symbol, Caller>>();
    const res = ctx.switchToHttp().getResponse<{ setHeader(n: string, v: string): void }>();

    let caller: Caller;
    if (this.keys.length === 0) {
      caller = { quotaId: `ip:${req.ip ?? 'unknown'}`, tenant: null };
    } else {
      const token = presentedKey(req.headers);
      const key = token === undefined ? undefined : findKey(this.keys, token);
      if (!key) throw new Unauthenticated(token === undefined ? undefined : 'the API key is not valid');
      const needs = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE, targets);
      if (needs === 'admin' && key.scope !== 'admin') throw new Forbidden(key.id, needs);
      const quotaId = `key:${key.id}`;
      caller = { quotaId, tenant: key.scope === 'admin' ? null : quotaId };
    }
    req[CALLER] = caller;

    const { limit, used, resetS } = await this.count(caller.quotaId);
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, limit - used)),
      'RateLimit-Reset': String(resetS),
    };
    for (const [n, v] of Object.entries(headers)) res.setHeader(n, v);
    if (used > limit) throw new RateLimited(resetS, { ...headers, 'Retry-After': String(resetS) });
    return true;
  }

  /** Fixed one-minute window in Redis, shared by every API process: this request is the `used`th in it. */
  private async count(quotaId: string): Promise<{ limit: number; used: number; resetS: number }> {
    const now = Math.floor(Date.now() / 1000);
    const window = Math.floor(now / WINDOW_S);
    const key = jobKey(this.config, 'rate', quotaId, String(window));
    const [[, used]] = (await this.redis
      .multi()
      .incr(key)
      .expire(key, WINDOW_S + 1)
      .exec()) as [[Error | null, number], unknown];
    return { limit: this.config.auth.ratePerMin, used, resetS: (window + 1) * WINDOW_S - now };
  }
}
