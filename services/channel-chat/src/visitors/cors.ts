import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The widget runs on the site's pages, another origin: its requests to /chat are allowed for the
 * origins of CHAT_ALLOWED_ORIGINS. The token travels in the Authorization header, never in a
 * cookie, so no credentials mode is needed. Retry-After (of a 429) is readable by the page.
 */
export function chatCors(allowsOrigin: (origin: string | undefined) => boolean) {
  return (request: IncomingMessage, response: ServerResponse, next: () => void) => {
    const origin = request.headers.origin;
    if (origin !== undefined && allowsOrigin(origin)) {
      response.setHeader('access-control-allow-origin', origin);
      response.setHeader('vary', 'Origin');
      response.setHeader('access-control-expose-headers', 'Retry-After');
    }
    if (request.method !== 'OPTIONS') return next();
    response.setHeader('access-control-allow-methods', 'GET, POST');
    response.setHeader('access-control-allow-headers', 'Authorization, Content-Type');
    response.setHeader('access-control-max-age', '600');
    response.statusCode = 204;
    response.end();
  };
}
