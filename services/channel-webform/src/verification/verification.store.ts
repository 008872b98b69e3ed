import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/**
 * "This is me" links (docs/adr/0014-identity.md): the email copies of a web-form conversation
 * carry one, and acting on it proves the typed address is the customer's. Each is random,
 * single-use and expires; once one is used the conversation's address is proven and later copies
 * carry none.
 */

/** The link to put in a copy mailed to `email`: the conversation's live one, or a new one. */
export async function verificationTokenFor(
  manager: EntityManager,
  statusToken: string,
  email: string,
  now: Date,
  ttlMs: number,
): Promise<string | undefined> {
  const links = await manager.query<
    Array<{ token: string; expires_at: Date; used_at: Date | null }>
  >(
    `SELECT token, expires_at, used_at FROM channel_webform.verification
      WHERE status_token = $1 AND email = $2`,
    [statusToken, email],
  );
  if (links.some((link) => link.used_at)) return undefined;
  const live = links.find((link) => link.expires_at > now);
  if (live) return live.token;
  const token = randomBytes(24).toString('base64url');
  await manager.query(
    `INSERT INTO channel_webform.verification (token, status_token, email, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5)`,
    [token, statusToken, email, now, new Date(now.getTime() + ttlMs)],
  );
  return token;
}

export type VerificationLink =
  | {
      state: 'usable' | 'used' | 'expired';
      statusToken: string;
      email: string;
      locale: string;
      /** What the request was about, so that only who sent it confirms. */
      subject: string;
    }
  | { state: 'unknown' };

/** What a link is now, without using it (the confirmation page asks before it acts). */
export async function readVerification(
  manager: EntityManager,
  token: string,
  now: Date,
): Promise<VerificationLink> {
  const [link] = await manager.query<
    Array<{
      status_token: string;
      email: string;
      locale: string;
      subject: string;
      expires_at: Date;
      used_at: Date | null;
    }>
  >(
    `SELECT v.status_token, v.email, c.locale, c.subject, v.expires_at, v.used_at
       FROM channel_webform.verification v
       JOIN channel_webform.conversation c USING (status_token)
      WHERE v.token = $1`,
    [token],
  );
  if (!link) return { state: 'unknown' };
  const state = link.used_at ? 'used' : link.expires_at <= now ? 'expired' : 'usable';
  return {
    state,
    statusToken: link.status_token,
    email: link.email,
    locale: link.locale,
    subject: link.subject,
  };
}

/**
 * Uses the link once: of two concurrent posts, one finds it usable and the other used. Returns
 * what it was before.
 */
export async function useVerification(
  manager: EntityManager,
  token: string,
  now: Date,
): Promise<VerificationLink> {
  const used = await manager.query<Array<{ token: string }>>(
    // Wrapped so the driver hands back the rows (a bare UPDATE answers rows and a count).
    `WITH used AS (
       UPDATE channel_webform.verification SET used_at = $2
        WHERE token = $1 AND used_at IS NULL AND expires_at > $2
        RETURNING token)
     SELECT token FROM used`,
    [token, now],
  );
  const link = await readVerification(manager, token, now);
  return used.length === 1 && link.state !== 'unknown' ? { ...link, state: 'usable' } : link;
}
