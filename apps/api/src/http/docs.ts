/** The OpenAPI document, generated from the controllers' and DTOs' decorators: `/docs`, `/docs-json`. */
import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export const DOCS_PATH = 'docs';

export function setupDocs(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('runbox')
    .setDescription('Runs untrusted code in throw-away Linux sandboxes and grades it. HTTP API v1.')
    .setVersion('1')
    .build();
  SwaggerModule.setup(DOCS_PATH, app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: `${DOCS_PATH}-json` });
}
