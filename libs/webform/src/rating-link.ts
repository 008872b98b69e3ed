import { createHmac, timingSafeEqual } from 'node:crypto';
import { inboundMessage } from '@firstline/channel';
import { Channel, type IdentityKind, type InboundMessage } from '@firstline/contracts';

/**
 * The satisfaction survey's rating link: a page of the web-form service where the customer gives
 * 1–5 and a comment from any device, for channels without buttons (email, web forms). The link
 * carries what the answer needs to reach the rated ticket, signed (HMAC-SHA256 with a secret the
 * tickets service and the web-form service share) so nobody can rate a ticket they were not
 * asked about or bend the answer to another customer, and it expires.
 */
export interface RatingLink {
  ticketId: string;
  ticketNumber: string;
  /** The ticket's conversation: the answer is published under its key, in its order. */
  conversationKey: string;
  channel: Channel;
  /** The customer the survey went to: the answer comes from them. */
  customer: { kind: IdentityKind; value: string; displayName: string };
  /** The customer's language, BCP 47: the page speaks it. */
  language: string;
  expiresAt: Date;
}

/** How long a customer may follow a survey's link. */
export const RATING_LINK_TTL_MS = 30 * 24 * 60 * 60 * 1000;

/** The path of the rating page under the web-form service's public URL. */
export const RATING_PATH = '/webform/rate/';

interface Payload {
  t: string;
  n: string;
  k: string;
  c: number;
  s: [number, string, string];
  l: string;
  x: number;
}

export function signRatingLink(link: RatingLink, secret: Buffer): string {
  const payload: Payload = {
    t: link.ticketId,
    n: link.ticketNumber,
    k: link.conversationKey,
    c: link.channel,
    s: [link.customer.kind, link.customer.value, link.customer.displayName],
    l: link.language,
    x: Math.floor(link.expiresAt.getTime() / 1000),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${signature(body, secret)}`;
}

export type RatingLinkVerdict =
  { ok: true; link: RatingLink } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** What a token from a rating link says, when it is ours, whole and not expired. */
export function verifyRatingLink(token: string, secret: Buffer, now: Date): RatingLinkVerdict {
  const [body, mac, extra] = token.split('.');
  if (!body || !mac || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signature(body, secret));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'forged' };
  }
  let payload: Payload;
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (payload.x * 1000 <= now.getTime()) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    link: {
      ticketId: payload.t,
      ticketNumber: payload.n,
      conversationKey: payload.k,
      channel: payload.c,
      customer: { kind: payload.s[0], value: payload.s[1], displayName: payload.s[2] },
      language: payload.l,
      expiresAt: new Date(payload.x * 1000),
    },
  };
}

function signature(body: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(`rating:${body}`).digest('base64url');
}

/** What the customer gave on the rating page. */
export interface Rating {
  score: number;
  comment: string;
}

/** Longest comment kept: a paragraph or two, not a letter. */
export const RATING_COMMENT_MAX_LENGTH = 2_000;

/** The rating page's fields as a rating, or undefined without a score from 1 to 5. */
export function readRating(fields: Record<string, string | undefined>): Rating | undefined {
  const score = Number(fields.score);
  if (!Number.isInteger(score) || score < 1 || score > 5) return undefined;
  return { score, comment: (fields.comment ?? '').trim().slice(0, RATING_COMMENT_MAX_LENGTH) };
}

/**
 * A rating as the survey answer it is, on the inbound topic like a pressed button (one path for
 * CSAT): from the customer the survey went to, in the rated ticket's conversation. A second
 * post of the same page (same key) is the same message.
 */
export function ratingMessage(
  link: RatingLink,
  rating: Rating,
  context: { idempotencyKey: string; receivedAt: Date },
): InboundMessage {
  return inboundMessage({
    messageId: `webform:rating:${link.ticketId}:${context.idempotencyKey}`,
    channel: Channel.WEBFORM,
    sender: { ...link.customer },
    conversationKey: link.conversationKey,
    textBody: rating.comment,
    replyText: rating.comment,
    channelMetadata: { source: 'rating_page', rated_channel: Channel[link.channel].toLowerCase() },
    receivedAt: context.receivedAt,
    csatAnswer: { ticketId: link.ticketId, score: rating.score, comment: rating.comment },
    language: link.language,
  });
}
