import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { addKeysmithSecurity } from 'nestjs-keysmith';

/** Serves Swagger UI at `/docs` and the OpenAPI document at `/docs-json`. */
export function setupSwagger(app: INestApplication): void {
  const config = addKeysmithSecurity(
    new DocumentBuilder().setTitle('nestjs-keysmith sample').setDescription('The sample API and the keysmith admin API.').setVersion('1.0'),
  ).build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, config), { jsonDocumentUrl: 'docs-json' });
}
