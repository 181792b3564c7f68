/** Access refusals, as data; ProblemFilter maps them to 401/403/429. */

export class Unauthenticated extends Error {
  constructor(message = 'a valid API key is required: send Authorization: Bearer <key>') {
    super(message);
    this.name = 'Unauthenticated';
  }
}

export class Forbidden extends Error {
  constructor(
    readonly keyId: string,
    readonly needs: string,
  ) {
    super(`API key ${keyId} may not do this (needs scope ${needs})`);
    this.name = 'Forbidden';
  }
}

/** Too many requests from one key (or address) in the current window. */
export class RateLimited extends Error {
  constructor(
    readonly retryAfterS: number,
    readonly headers: Record<string, string>,
  ) {
    super(`rate limit reached; retry in ${retryAfterS} s`);
    this.name = 'RateLimited';
  }
}
