import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorBody } from '@firstline/runtime';
import {
  describeProblem,
  pickLocale,
  type FieldError,
  type Locale,
  type Problem,
  type ProblemDetails,
} from '@firstline/webform';

/**
 * A request the channel refuses, with the reason the customer reads. Every refusal of the public
 * API is one of these: a 4xx whose `message` the widget shows as it is and whose `errors` point
 * at the fields to correct.
 */
export class Rejection extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
    readonly details: ProblemDetails = {},
    readonly fieldErrors: FieldError[] = [],
    readonly retryAfterSeconds?: number,
  ) {
    super(problem);
  }
}

/** What the request carries, as far as the filter needs it. */
export type WebRequest = IncomingMessage & {
  body?: Record<string, unknown>;
  query?: Record<string, unknown>;
  ip?: string;
};

/** The customer's language for this request: the form's `locale` field, ?locale=, then Accept-Language. */
export function requestLocale(request: WebRequest): Locale {
  const fromBody = typeof request.body?.locale === 'string' ? request.body.locale : undefined;
  const fromQuery = typeof request.query?.locale === 'string' ? request.query.locale : undefined;
  return pickLocale(fromBody, fromQuery, request.headers['accept-language']);
}

/** Whether the client is a plain HTML form (no script) that wants a page back, not JSON. */
export function wantsHtml(request: IncomingMessage): boolean {
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
}

/**
 * A refusal as every service's error body: the problem's code, the sentence in the customer's
 * language, and the fields to correct.
 */
export function rejectionBody(rejection: Rejection, locale: Locale): ErrorBody {
  if (rejection.fieldErrors.length === 0) {
    return {
      error: rejection.problem,
      message: describeProblem(rejection.problem, locale, rejection.details),
    };
  }
  return {
    error: rejection.problem,
    message: rejection.fieldErrors.map((error) => error.message).join(' '),
    details: { fields: rejection.fieldErrors },
  };
}

/**
 * Renders Rejections in the customer's language, for widgets and plain forms; every other error
 * (Nest's own 4xx, an unavailable database) goes on to the filter every service has.
 */
@Catch(Rejection)
export class RejectionFilter implements ExceptionFilter {
  catch(rejection: Rejection, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    renderRejection(http.getRequest<WebRequest>(), http.getResponse<ServerResponse>(), rejection);
  }
}

/** Answers a refused request: JSON for the widget and API clients, a small page for plain forms. */
export function renderRejection(
  request: WebRequest,
  response: ServerResponse,
  rejection: Rejection,
): void {
  const body = rejectionBody(rejection, requestLocale(request));
  // Refused before or while its body was read: the rest is not waited for.
  if (!request.complete) response.setHeader('connection', 'close');
  if (rejection.retryAfterSeconds !== undefined) {
    response.setHeader('retry-after', String(rejection.retryAfterSeconds));
  }
  if (wantsHtml(request)) {
    response.statusCode = rejection.status;
    response.setHeader('content-type', 'text/html; charset=utf-8');
    response.end(
      `<!doctype html><meta charset="utf-8"><title>${escapeHtml(body.message)}</title>` +
        `<p role="alert">${escapeHtml(body.message)}</p><p><a href="javascript:history.back()">←</a></p>`,
    );
    return;
  }
  send(response, rejection.status, body);
}

export function send(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('content-type', 'application/json; charset=utf-8');
  response.end(JSON.stringify(body));
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
