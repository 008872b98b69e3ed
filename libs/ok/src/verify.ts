import { timingSafeEqual } from 'node:crypto';
import type { SignedRequest, Verdict } from '@firstline/channel';
import type { OkContext } from './normalise';

/**
 * OK signs nothing it posts to a webhook: the subscription is only a URL
 * (graph.user.subscribe), and the documentation names no signature, header or shared secret.
 * The only thing a stranger cannot know is the URL itself, so the service subscribes
 * `/ok/webhook/<secret>` with an unguessable secret and this check compares the path a request
 * came to with it (docs/adr/0018-ok.md).
 *
 * The service passes the request's path as the HTTP/2-style `:path` pseudo-header, since
 * SignedRequest carries headers and body only.
 */

/** The webhook route; the last segment is the group's secret. */
export const WEBHOOK_PATH_PREFIX = '/ok/webhook/';
/**
 * What a group's webhook secret may be, for the service's config (`webhookSecret(…)` of
 * libs/config, which also sets the minimum length): it is a path segment, so URL-safe characters
 * only; OK states no limit on the URL, 128 keeps it far below any.
 */
export const OK_WEBHOOK_SECRET = {
  max: 128,
  alphabet: { pattern: /^[A-Za-z0-9_-]+$/, described: 'letters, digits, "-" and "_"' },
};

/** The path of the URL to subscribe with POST /graph/me/subscribe for a group's secret. */
export function webhookPath(secret: string): string {
  return `${WEBHOOK_PATH_PREFIX}${encodeURIComponent(secret)}`;
}

export function verifyWebhook(request: SignedRequest, context: OkContext): Verdict {
  const path = request.headers[':path'];
  if (typeof path !== 'string') {
    return { kind: 'rejected', status: 400, reason: 'the request path was not passed as :path' };
  }
  const pathname = path.split('?')[0];
  if (!pathname.startsWith(WEBHOOK_PATH_PREFIX)) {
    return { kind: 'rejected', status: 400, reason: `not an OK webhook path: ${pathname}` };
  }
  const given = safeDecode(pathname.slice(WEBHOOK_PATH_PREFIX.length));
  if (given === undefined || !sameSecret(given, context.webhookSecret)) {
    return { kind: 'rejected', status: 403, reason: 'wrong webhook secret in the path' };
  }
  return { kind: 'accepted' };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return expected.length > 0 && a.length === b.length && timingSafeEqual(a, b);
}
