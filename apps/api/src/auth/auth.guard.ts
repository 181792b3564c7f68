/**
 * The one gate in front of every route: authenticate (when keys are configured), check the
 * route's scope, then count the request against its key's rate. Authentication comes first, so
 * a request without a valid key never consumes anybody's quota.
 *
 * The rate budget is spent only by requests that change something (submit, batch, cancel, and
 * any compatibility route that does the same): they are what costs sandbox time. Reading and
 * waiting (GET, SSE, batch reads) spend nothing and cost no Redis round trip here: a client
 * polling its own jobs is honest load, and each read is one cheap lookup of a job.
 */
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext, type OnModuleInit } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Redis } from 'ioredis';
import { Config } from '@runbox/config';
import { LuaScript, rateKey, REDIS } from '@runbox/queue';
import { loadApiKeys, type ApiKey, type Scope } from './api-keys';
import { Forbidden, RateLimited } from './auth.errors';
import { authenticate } from './authenticate';
import { isLoopback } from './exposure';
import { CALLER, PUBLIC, SCOPE, type Caller } from './caller';

const WINDOW_S = 60;
/**
 * KEYS[1] the caller's counter of this window; ARGV[1] its life (s). The count, this request
 * included. Every request does the same two commands, so none tells another caller's by its cost.
 */
const COUNT = new LuaScript(`
local used = redis.call('INCR', KEYS[1])
redis.call('EXPIRE', KEYS[1], ARGV[1])
return used`);
/** Methods that only read or wait: they do not spend the rate budget. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
    const req = ctx.switchToHttp().getRequest<{ headers: Record<string, unknown>; ip?: string; method: string } & Record<symbol, Caller>>();
    const res = ctx.switchToHttp().getResponse<{ header(n: string, v: string): unknown }>();

    const { caller, key } = authenticate(this.keys, req.headers, req.ip);
    const needs = this.reflector.getAllAndOverride<Scope | undefined>(SCOPE, targets);
    if (key && needs === 'admin' && key.scope !== 'admin') throw new Forbidden(key.id, needs);
    req[CALLER] = caller;
    if (READ_METHODS.has(req.method)) return true;
    // Open (no keys) and called from this host: the API then listens on loopback unless
    // ALLOW_OPEN says otherwise, callers are not told apart (every one sees every job), and a
    // local process that can reach the port can already run code here. A per-address limit
    // would only get in the way of a benchmark or a grader on the host. The active-job and
    // queue-length admission still apply. A proxy on loopback forwarding remote clients is
    // counted per client once TRUST_PROXY names it (req.ip is then the forwarded address).
    if (this.keys.length === 0 && isLoopback(req.ip ?? '')) return true;

    const { limit, used, resetS } = await this.count(caller.quotaId);
    const headers: Record<string, string> = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(Math.max(0, limit - used)),
      'RateLimit-Reset': String(resetS),
    };
    for (const [n, v] of Object.entries(headers)) res.header(n, v);
    if (used > limit) throw new RateLimited(resetS, { ...headers, 'Retry-After': String(resetS) });
    return true;
  }

  /** Fixed one-minute window in Redis, shared by every API process: this request is the `used`th in it. */
  private async count(quotaId: string): Promise<{ limit: number; used: number; resetS: number }> {
    const now = Math.floor(Date.now() / 1000);
    const window = Math.floor(now / WINDOW_S);
    const used = (await COUNT.run(this.redis, [rateKey(this.config, quotaId, window)], [WINDOW_S + 1])) as number;
    return { limit: this.config.auth.ratePerMin, used, resetS: (window + 1) * WINDOW_S - now };
  }
}
