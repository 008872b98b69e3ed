import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** OpenAPI at /api/docs (Swagger UI) and /api/docs-json, built on the first request. */
export function setUpOpenApi(app: INestApplication): void {
  SwaggerModule.setup(
    'api/docs',
    app,
    () =>
      SwaggerModule.createDocument(
        app,
        new DocumentBuilder()
          .setTitle('Firstline tickets')
          .setDescription("The agents' API: queue, tickets, replies, directory, KPIs")
          .setVersion('1')
          .addBearerAuth()
          .build(),
      ),
    { jsonDocumentUrl: 'api/docs-json', yamlDocumentUrl: 'api/docs-yaml' },
  );
}
