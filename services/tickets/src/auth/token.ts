import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * What an agent's token says about them: only who they are. Role and teams are read fresh on
 * every request, not from here, so a change takes effect at once.
 */
export interface TokenClaims {
  /** The agent id. */
  sub: string;
  /** The account's token version when it was issued; a password change moves the account's on. */
  ver: number;
  /** Issued at, seconds since the epoch. */
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/** A JSON Web Token signed with HMAC-SHA256 (RFC 7519): any JWT library can read it. */
export function signToken(claims: TokenClaims, secret: Buffer): string {
  const body = `${HEADER}.${base64url(JSON.stringify(claims))}`;
  return `${body}.${sign(body, secret)}`;
}

/** The claims of a well-signed, unexpired token; undefined for anything else. */
export function verifyToken(
  token: string,
  secret: Buffer,
  now = Date.now(),
): TokenClaims | undefined {
  const [header, payload, signature] = token.split('.');
  if (header !== HEADER || !payload || !signature) return undefined;
  const expected = Buffer.from(sign(`${header}.${payload}`, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    const wellFormed =
      typeof claims.sub === 'string' &&
      Number.isInteger(claims.ver) &&
      typeof claims.iat === 'number' &&
      typeof claims.exp === 'number';
    return wellFormed && claims.exp * 1000 > now ? claims : undefined;
  } catch {
    return undefined;
  }
}

function sign(body: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}
