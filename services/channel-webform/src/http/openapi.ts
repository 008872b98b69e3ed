import { applyDecorators, type INestApplication } from '@nestjs/common';
import {
  ApiHeader,
  ApiProduces,
  ApiResponse,
  DocumentBuilder,
  SwaggerModule,
  type OpenAPIObject,
} from '@nestjs/swagger';

/** The document of the public API; committed as services/channel-webform/openapi.json. */
export function webformApiDocument(app: INestApplication): OpenAPIObject {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Firstline web forms')
      .setDescription(
        "The public API of the web-form widget, the hosted pages and a shop's own HTML forms. " +
          'Refusals are `ErrorBody` in the customer’s language; a client that asks for ' +
          '`text/html` and not JSON (a plain form) gets a page instead.',
      )
      .setVersion('1')
      .build(),
  );
}

/** Documents pages answered as HTML, with the statuses they come with. */
export function ApiPage(...answers: Array<[status: number, description: string]>): MethodDecorator {
  return applyDecorators(
    ApiProduces('text/html'),
    ...answers.map(([status, description]) =>
      ApiResponse({
        status,
        description,
        content: { 'text/html': { schema: { type: 'string' } } },
      }),
    ),
  );
}

/** The headers the widget sends with every request: its language, and a post's retry key. */
export function ApiCustomerHeaders(options: { post: boolean }): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Accept-Language',
      required: false,
      description: 'The language of the answer when neither `locale` nor `?locale=` says',
    }),
    ...(options.post
      ? [
          ApiHeader({
            name: 'Idempotency-Key',
            required: false,
            description:
              '8–100 of A–Z, a–z, 0–9, `_` and `-`, kept until the post succeeds: a retry with ' +
              'the same key gets the first answer (200, `Idempotent-Replayed: true`)',
          }),
        ]
      : []),
  );
}
