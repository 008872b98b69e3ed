import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) from the server's side, as Postgres does it: the password
 * never crosses the socket, and the server proves it knows it too. Only what the embedded
 * Postgres needs: one password, no channel binding (it serves plain TCP on loopback).
 */
export const SCRAM_MECHANISM = 'SCRAM-SHA-256';

/** What the server keeps of the password: enough to check a proof, not to sign in with. */
export interface ScramSecret {
  salt: Buffer;
  iterations: number;
  storedKey: Buffer;
  serverKey: Buffer;
}

/** One sign-in between the server's first message and the client's final one. */
export interface ScramExchange {
  clientFirstBare: string;
  serverFirst: string;
  nonce: string;
  gs2Header: string;
}

export type ScramStep<T> = { ok: true; value: T } | { ok: false; reason: string };

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();

/** Postgres's default iteration count. */
export function scramSecret(password: string, iterations = 4096): ScramSecret {
  const salt = randomBytes(16);
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  return {
    salt,
    iterations,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** Answers `n,,n=user,r=clientnonce` with `r=clientnonce+servernonce,s=salt,i=iterations`. */
export function scramServerFirst(
  secret: ScramSecret,
  clientFirst: string,
): ScramStep<ScramExchange> {
  const match = /^([ny](?:,[^,]*)?,)((?:m=[^,]*,)?n=[^,]*,r=([^,]+)(?:,.*)?)$/.exec(clientFirst);
  if (!match) return { ok: false, reason: 'malformed SCRAM client-first-message' };
  const [, gs2Header, clientFirstBare, clientNonce] = match;
  if (clientFirstBare.startsWith('m='))
    return { ok: false, reason: 'SCRAM extensions unsupported' };
  const nonce = clientNonce + randomBytes(18).toString('base64');
  const serverFirst = `r=${nonce},s=${secret.salt.toString('base64')},i=${secret.iterations}`;
  return { ok: true, value: { clientFirstBare, serverFirst, nonce, gs2Header } };
}

/** Checks `c=…,r=…,p=proof`; on success, the `v=signature` that proves the server to the client. */
export function scramServerFinal(
  secret: ScramSecret,
  exchange: ScramExchange,
  clientFinal: string,
): ScramStep<string> {
  const match = /^(c=([^,]*),r=([^,]*)(?:,(?!p=)[^,]*)*),p=([A-Za-z0-9+/=]+)$/.exec(clientFinal);
  if (!match) return { ok: false, reason: 'malformed SCRAM client-final-message' };
  const [, withoutProof, binding, nonce, proofText] = match;
  if (
    Buffer.from(binding, 'base64').toString() !== exchange.gs2Header ||
    nonce !== exchange.nonce
  ) {
    return { ok: false, reason: 'SCRAM channel binding or nonce does not match' };
  }
  const authMessage = `${exchange.clientFirstBare},${exchange.serverFirst},${withoutProof}`;
  const proof = Buffer.from(proofText, 'base64');
  const signature = hmac(secret.storedKey, authMessage);
  if (proof.length !== signature.length) return { ok: false, reason: 'wrong password' };
  const clientKey = Buffer.from(proof.map((byte, index) => byte ^ signature[index]));
  if (!timingSafeEqual(sha256(clientKey), secret.storedKey)) {
    return { ok: false, reason: 'wrong password' };
  }
  return { ok: true, value: `v=${hmac(secret.serverKey, authMessage).toString('base64')}` };
}
