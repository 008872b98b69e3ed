import { Catch, HttpException, HttpStatus, type ArgumentsHost } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { errorKind } from '@firstline/errors';

/** Long enough for a restart or a burst to pass, short enough for an agent waiting on a reply. */
export const RETRY_AFTER_SECONDS = 5;

/** The part of Express's response this filter writes. */
interface Response {
  status(code: number): { json(body: unknown): unknown };
  setHeader(name: string, value: string): unknown;
}

/**
 * A request that failed because the database could not serve it (restarting, refusing
 * connections, no pooled connection free in time) says nothing about the request: 503 with
 * Retry-After, so clients and balancers try again, instead of a 500 that reads as a bug.
 * Everything else goes on to Nest's own handling.
 */
@Catch()
export class UnavailableFilter extends BaseExceptionFilter {
  override catch(exception: unknown, host: ArgumentsHost): void {
    if (exception instanceof HttpException || errorKind(exception) !== 'unavailable') {
      super.catch(exception, host);
      return;
    }
    const response = host.switchToHttp().getResponse<Response>();
    response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(HttpStatus.SERVICE_UNAVAILABLE).json({
      statusCode: HttpStatus.SERVICE_UNAVAILABLE,
      message: 'The database is unavailable for a moment; try again shortly',
    });
  }
}
