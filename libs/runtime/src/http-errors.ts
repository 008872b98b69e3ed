import {
  applyDecorators,
  BadRequestException,
  Catch,
  HttpException,
  HttpStatus,
  ValidationPipe,
  type ArgumentsHost,
  type ExceptionFilter,
  type ValidationError,
} from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';
import { errorKind, FirstlineError } from '@firstline/errors';
import type { Logger } from '@firstline/observability';

/** A field the client has to correct: its name, the rule it broke, and the sentence to show. */
export class FieldProblem {
  @ApiProperty({ example: 'text' }) field!: string;
  @ApiProperty({ example: 'isNotEmpty' }) problem!: string;
  @ApiProperty({ example: 'text should not be empty' }) message!: string;
}

export class ErrorDetails {
  @ApiPropertyOptional({ type: [FieldProblem] }) fields?: FieldProblem[];
}

/** The body of every error answer of every service. */
export class ErrorBody {
  @ApiProperty({
    description: 'What went wrong, for programs: `not_found`, `bad_request`, …',
    example: 'not_found',
  })
  error!: string;

  @ApiProperty({ description: 'What went wrong, for people' })
  message!: string;

  @ApiPropertyOptional({
    type: ErrorDetails,
    description: 'More for programs, where there is more: the fields to correct, for one',
  })
  details?: ErrorDetails;
}

const ERROR_MEANINGS: Record<number, string> = {
  400: 'The request is malformed or breaks a rule; `details.fields` names the fields',
  401: 'No valid bearer token',
  403: 'The signed-in agent may not do this',
  404: 'No such resource',
  409: 'The resource is not in a state that allows this',
  413: 'The body or a file is larger than allowed, or there are too many files',
  415: "The body's type, or a file's type, is not accepted",
  422: 'Well-formed, but cannot be processed as asked',
  429: 'Too many attempts; `Retry-After` says when to try again',
  503: 'A dependency is unavailable for a moment; `Retry-After` says when to try again',
};

/** Documents the error answers an endpoint gives, each an `ErrorBody`. */
export function ApiErrors(
  ...statuses: Array<keyof typeof ERROR_MEANINGS>
): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_MEANINGS[status], type: ErrorBody }),
    ),
  );
}

/** Long enough for a restart or a burst to pass, short enough for an agent waiting on a reply. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Request bodies and queries are read into their DTO classes and checked against their
 * decorators; properties a DTO does not declare are refused rather than dropped, so a misspelt
 * field is an error the client sees. A refusal names every field to correct.
 */
export function validationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const fields = errors.flatMap((error) => fieldProblems(error));
      return new BadRequestException({
        message: fields.map((field) => field.message).join('; '),
        details: { fields },
      });
    },
  });
}

function fieldProblems(error: ValidationError, parent = ''): FieldProblem[] {
  const field = parent ? `${parent}.${error.property}` : error.property;
  const own = Object.entries(error.constraints ?? {}).map(([problem, message]) => ({
    field,
    problem,
    message,
  }));
  return [...own, ...(error.children ?? []).flatMap((child) => fieldProblems(child, field))];
}

/** The part of Express's response the filter writes. */
interface Response {
  headersSent: boolean;
  status(code: number): { json(body: unknown): unknown };
  setHeader(name: string, value: string): unknown;
  end(): unknown;
}

interface Request {
  method: string;
  originalUrl?: string;
  url: string;
}

/**
 * Every error answer as an `ErrorBody`, its status from what failed: an HttpException keeps its
 * own; an error of kind `unavailable` (the database restarting, no connection free in time) is
 * 503 with Retry-After, since nothing is wrong with the request and clients and balancers should
 * try again; `bad-input` is 400 with its sentence. Anything else is a bug: 500, logged with its
 * stack, and answered without a word of its message, which may carry SQL or internal names.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const { status, body } = this.answer(exception, request);
    if (status === HttpStatus.SERVICE_UNAVAILABLE) {
      response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    }
    // A handler that streams (a file download) may fail after its headers went out.
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(status).json(body);
  }

  private answer(exception: unknown, request: Request): { status: number; body: ErrorBody } {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return { status, body: { error: errorCode(status), ...describe(exception) } };
    }
    if (errorKind(exception) === 'unavailable') {
      this.logger.warn({ err: exception, ...where(request) }, 'request failed: unavailable');
      const status = HttpStatus.SERVICE_UNAVAILABLE;
      const message = 'The service is unavailable for a moment; try again shortly';
      return { status, body: { error: errorCode(status), message } };
    }
    const refusal = clientError(exception);
    if (refusal)
      return {
        status: refusal.status,
        body: { error: errorCode(refusal.status), message: refusal.message },
      };
    if (exception instanceof FirstlineError && exception.kind === 'bad-input') {
      const status = HttpStatus.BAD_REQUEST;
      return { status, body: { error: errorCode(status), message: exception.message } };
    }
    this.logger.error({ err: exception, ...where(request) }, 'request failed');
    const status = HttpStatus.INTERNAL_SERVER_ERROR;
    return { status, body: { error: errorCode(status), message: 'Internal server error' } };
  }
}

/**
 * A refusal raised before any handler ran, by Express's body parsers (a body over the limit: 413,
 * malformed JSON: 400): `http-errors` objects with a 4xx status, whose message is written for the
 * client (`expose`).
 */
function clientError(exception: unknown): { status: number; message: string } | undefined {
  const candidate = exception as { status?: unknown; expose?: unknown; message?: unknown };
  if (
    typeof candidate?.status === 'number' &&
    candidate.status >= 400 &&
    candidate.status < 500 &&
    candidate.expose === true
  ) {
    return { status: candidate.status, message: String(candidate.message) };
  }
  return undefined;
}

/** The status's name in Nest's HttpStatus, lower case: 404 → `not_found`. */
function errorCode(status: number): string {
  const name = (HttpStatus as unknown as Record<number, string | undefined>)[status];
  return name ? name.toLowerCase() : `http_${status}`;
}

/** An HttpException's sentence (Nest's own carry one or a list) and the details it was given. */
function describe(exception: HttpException): Pick<ErrorBody, 'message' | 'details'> {
  const answer = exception.getResponse();
  if (typeof answer === 'string') return { message: answer };
  const { message, details } = answer as { message?: unknown; details?: ErrorBody['details'] };
  const sentence = Array.isArray(message)
    ? message.join('; ')
    : typeof message === 'string'
      ? message
      : exception.message;
  return details === undefined ? { message: sentence } : { message: sentence, details };
}

function where(request: Request) {
  return { method: request.method, path: (request.originalUrl ?? request.url).split('?')[0] };
}
