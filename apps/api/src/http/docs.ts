/**
 * The OpenAPI document, generated from the controllers' and DTOs' decorators: `/docs`,
 * `/docs-json`, `/docs-yaml`. Swagger serves them outside Nest's routing, where no guard runs,
 * so they pass the same AuthGuard here: with keys configured, reading the docs needs one.
 *
 * Every route needs the bearer key unless it is @Public() (auth/caller.ts), which is what AuthGuard
 * enforces. Compatibility routes (compat/) appear here as well, under their controller's tag; the
 * steps below keep the document complete for them too (test/e2e/openapi.e2e-spec.ts lints it).
 */
import { HttpAdapterHost } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { GUARD_PROBLEMS } from './problem.dto';
import { ProblemFilter } from './problem.filter';

export const DOCS_PATH = 'docs';
/**
 * The routes `/docs`, `/docs/…` (the UI's files), `/docs-json` and `/docs-yaml`. Matched against
 * the route the router chose, not the URL, so no spelling of the path (`/%64ocs-json`) gets past.
 */
const DOCS_ROUTE = new RegExp(`^/${DOCS_PATH}(?:/|-json$|-yaml$|$)`);
const BEARER = 'bearer';

/** What the guard sees as the docs routes' controller and handler: no metadata, so any valid key. */
class DocsRoutes {}
const serveDocs = (): void => undefined;

/** Descriptions of runbox's own tags; a tag a controller brings without one here is described by its name. */
const TAGS: Record<string, string> = {
  jobs: 'Queue runs of a program, read, follow and cancel them',
  languages: 'What the live workers can run',
  health: 'Liveness and readiness probes (no key)',
  metrics: 'Prometheus metrics (admin key)',
};

type Operation = NonNullable<OpenAPIObject['paths'][string]['get']>;
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const operations = (doc: OpenAPIObject): Operation[] =>
  Object.values(doc.paths).flatMap((item) => METHODS.flatMap((m) => (item[m] ? [item[m]] : [])));

/**
 * What the decorators cannot say on their own. The guard's refusals reach every guarded route,
 * also one whose controller does not list them (a compatibility route answers them in its own
 * shape, so they get a description and no body here). Every tag an operation uses is declared.
 */
function complete(doc: OpenAPIObject): OpenAPIObject {
  for (const op of operations(doc)) {
    if (op.security?.length === 0) continue; // @Public()
    for (const status of GUARD_PROBLEMS)
      op.responses[status] ??= { description: "refused by the API key check, in this route's own error shape" };
  }
  const used = [...new Set(operations(doc).flatMap((op) => op.tags ?? []))].sort();
  doc.tags = used.map((name) => ({ name, description: TAGS[name] ?? name }));
  return doc;
}

export function setupDocs(app: NestFastifyApplication): void {
  const guard = app.get(AuthGuard);
  const filter = new ProblemFilter(app.get(HttpAdapterHost));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply, next) => {
      if (!DOCS_ROUTE.test(req.routeOptions.url ?? '')) return next();
      const ctx = new ExecutionContextHost([req, reply, next], DocsRoutes, serveDocs);
      guard.canActivate(ctx).then(
        () => next(),
        (e: unknown) => filter.catch(e, ctx),
      );
    });
  const config = new DocumentBuilder()
    .setTitle('runbox')
    .setDescription(
      'Runs untrusted code in throw-away Linux sandboxes and grades it. HTTP API v1, and the Judge0 CE, Piston v2 and Jobe APIs at their own paths (COMPAT_APIS).',
    )
    .setVersion('1')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    // Relative: the document is right wherever the service is reached (a proxy, a port mapping).
    .addServer('/', 'the server that serves this document')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'an API key (API_KEYS / API_KEYS_FILE); ignored when none are configured' },
      BEARER,
    )
    .addSecurityRequirements(BEARER)
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => complete(SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
  });
}
