import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApplicationConfig, HttpAdapterHost, ModulesContainer } from '@nestjs/core';
import {
  ApiExcludeController,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';
import type { INestApplication } from '@nestjs/common';
import { dirname, join } from 'node:path';

/** Swagger UI's files, from the copy @nestjs/swagger depends on. */
const ASSET_DIRECTORY = dirname(
  require.resolve('swagger-ui-dist/package.json', { paths: [require.resolve('@nestjs/swagger')] }),
);

const ASSETS = new Set([
  'swagger-ui.css',
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
]);

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>Firstline tickets API</title>
<link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({ url: '/api/docs-json', dom_id: '#ui', persistAuthorization: true });</script>
</body></html>`;

/**
 * OpenAPI at /api/docs (Swagger UI) and /api/docs-json. The runtime owns the Nest application, so
 * the document is built from the module container rather than with SwaggerModule.setup(app).
 */
@ApiExcludeController()
@Controller('api')
export class DocsController {
  private document?: OpenAPIObject;

  constructor(
    private readonly modules: ModulesContainer,
    private readonly http: HttpAdapterHost,
  ) {}

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page() {
    return PAGE;
  }

  @Get('docs/:asset')
  asset(@Param('asset') asset: string, @Res() response: { sendFile(path: string): void }) {
    if (!ASSETS.has(asset)) throw new NotFoundException();
    response.sendFile(join(ASSET_DIRECTORY, asset));
  }

  @Get('docs-json')
  json(): OpenAPIObject {
    this.document ??= SwaggerModule.createDocument(
      // What the scanner reads of an application; this service sets no global prefix or versioning.
      {
        container: { getModules: () => this.modules },
        config: new ApplicationConfig(),
        getHttpAdapter: () => this.http.httpAdapter,
      } as unknown as INestApplication,
      new DocumentBuilder()
        .setTitle('Firstline tickets')
        .setDescription("The agents' API: queue, tickets, replies, directory, KPIs")
        .setVersion('1')
        .addBearerAuth()
        .build(),
    );
    return this.document;
  }
}
