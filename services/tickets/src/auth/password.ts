import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

// OWASP's scrypt minimum (N=2^17, r=8, p=1) needs 128 MiB per hash; 2^15 keeps a login near 50 ms
// on a small machine while staying far beyond what a stolen table can be brute-forced at.
const COST = { N: 2 ** 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/** `scrypt$N$r$p$salt$hash`, base64url parts: the parameters travel with the hash. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, COST);
  return [
    'scrypt',
    COST.N,
    COST.r,
    COST.p,
    salt.toString('base64url'),
    key.toString('base64url'),
  ].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const key = await derive(password, Buffer.from(salt, 'base64url'), {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: COST.maxmem,
  });
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/**
 * Hashing and checking for the sign-in. Checking without a stored hash (no such account) checks a
 * throw-away hash of the same cost, so an unknown email takes as long as a wrong password and the
 * answer's timing does not tell which accounts exist.
 */
@Injectable()
export class Passwords {
  private readonly unknownAccountHash = hashPassword(randomBytes(16).toString('base64url'));

  hash(password: string): Promise<string> {
    return hashPassword(password);
  }

  /** Whether the password matches; always false without a stored hash, after as much work. */
  async verify(password: string, stored: string | undefined): Promise<boolean> {
    const matches = await this.matches(password, stored ?? (await this.unknownAccountHash));
    return stored !== undefined && matches;
  }

  /** The scrypt check itself (a test counts what it is given). */
  protected matches(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }
}
