import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SignedRequest, Verdict } from '@firstline/channel';
import { isVisitorId } from './conversation';

/**
 * The visitor token: `<visitor id>.<HMAC-SHA256 of it>`, base64url, minted by the chat service
 * when a browser opens its first chat and kept by the widget (localStorage), so the conversation
 * survives reloads and navigation. Anyone holding it writes as that visitor and reads the
 * conversation: it is a bearer secret, never logged, and proves nothing about who the visitor is.
 * It does not expire: the conversation is the visitor's for as long as they keep the token.
 */
export function mintVisitorToken(visitorId: string, secret: Buffer): string {
  if (!isVisitorId(visitorId)) throw new RangeError('a visitor id is a lower-case UUID');
  return `${visitorId}.${signatureOf(visitorId, secret)}`;
}

/** The visitor a token was minted for, or undefined for a token this secret did not sign. */
export function visitorOfToken(token: unknown, secret: Buffer): string | undefined {
  if (typeof token !== 'string') return undefined;
  const dot = token.indexOf('.');
  const visitorId = token.slice(0, dot);
  if (dot < 0 || !isVisitorId(visitorId)) return undefined;
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(signatureOf(visitorId, secret));
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? visitorId
    : undefined;
}

/**
 * A request from the widget carries the token as `Authorization: Bearer <token>`; the service
 * puts a WebSocket's `?token=` there (browsers cannot set headers on a WebSocket).
 */
export function verifyVisitor(request: SignedRequest, context: { tokenSecret: Buffer }): Verdict {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header)?.[1] : undefined;
  if (!token) return { kind: 'rejected', status: 401, reason: 'no visitor token' };
  return visitorOfToken(token, context.tokenSecret)
    ? { kind: 'accepted' }
    : { kind: 'rejected', status: 401, reason: 'a visitor token this service did not mint' };
}

function signatureOf(visitorId: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`chat-visitor:${visitorId}`).digest('base64url');
}
