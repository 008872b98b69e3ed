import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** OpenAPI at /api/docs (Swagger UI) and /api/docs-json, built on the first request. */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, () => ticketsApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    yamlDocumentUrl: 'api/docs-yaml',
  });
}

/** The document of the agents' API; also committed as services/tickets/openapi.json. */
export function ticketsApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Firstline tickets')
      .setDescription("The agents' API: queue, tickets, replies, directory, KPIs")
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
}
