/**
 * A controller's answer when its status or headers depend on the outcome (202 or 200 after a
 * wait, `Location` of a new job). Nest applies a route's static status after interceptors run,
 * so the HTTP adapter itself unpacks a `Reply` (see fastify.adapter.ts); controllers stay free
 * of `@Res()` and of any particular HTTP library.
 */
export class Reply<T> {
  constructor(
    readonly status: number,
    readonly body: T,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}
