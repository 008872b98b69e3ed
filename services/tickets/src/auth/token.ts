import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an agent's token says about them. Teams are read fresh on every request, not from here. */
export interface TokenClaims {
  /** The agent id. */
  sub: string;
  role: 'agent' | 'supervisor' | 'admin';
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
    return typeof claims.exp === 'number' && claims.exp * 1000 > now ? claims : undefined;
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
