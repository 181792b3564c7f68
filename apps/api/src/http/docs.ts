/**
 * The OpenAPI document, generated from the controllers' and DTOs' decorators: `/docs`,
 * `/docs-json`, `/docs-yaml`. Swagger serves them outside Nest's routing, where no guard runs,
 * so they pass the same AuthGuard here: with keys configured, reading the docs needs one.
 */
import type { INestApplication } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AuthGuard } from '../auth/auth.guard';
import { ProblemFilter } from './problem.filter';

export const DOCS_PATH = 'docs';
const DOCS_ROUTES = [`/${DOCS_PATH}`, `/${DOCS_PATH}-json`, `/${DOCS_PATH}-yaml`];

/** What the guard sees as the docs routes' controller and handler: no metadata, so any valid key. */
class DocsRoutes {}
const serveDocs = (): void => undefined;

type Next = (e?: unknown) => void;

export function setupDocs(app: INestApplication): void {
  const guard = app.get(AuthGuard);
  const filter = new ProblemFilter(app.get(HttpAdapterHost));
  // Registered before Swagger's routes, so it runs first.
  app.use(DOCS_ROUTES, (req: unknown, res: unknown, next: Next) => {
    const ctx = new ExecutionContextHost([req, res, next], DocsRoutes, serveDocs);
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
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: `${DOCS_PATH}-json` });
}
