import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Lets the widget, running on a shop's own pages, call the public API: the origins in
 * WEBFORM_ALLOWED_ORIGINS (or every origin for `*`). Retry-After is exposed so the widget can say
 * how long to wait after a 429.
 */
export function allowWidgetOrigins(allowed: '*' | string[]) {
  return (request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const origin = request.headers.origin;
    if (origin && (allowed === '*' || allowed.includes(origin))) {
      response.setHeader('access-control-allow-origin', allowed === '*' ? '*' : origin);
      response.setHeader('vary', 'Origin');
      response.setHeader('access-control-expose-headers', 'Retry-After, Idempotent-Replayed');
    }
    if (request.method === 'OPTIONS') {
      response.setHeader('access-control-allow-methods', 'GET, POST');
      response.setHeader(
        'access-control-allow-headers',
        'Content-Type, Idempotency-Key, Accept-Language',
      );
      response.setHeader('access-control-max-age', '600');
      response.statusCode = 204;
      response.end();
      return;
    }
    next();
  };
}
