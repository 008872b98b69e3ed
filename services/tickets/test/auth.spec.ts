import { retryAfterMs } from '../src/auth/login-attempts';
import { hashPassword, verifyPassword } from '../src/auth/password';
import { signToken, verifyToken } from '../src/auth/token';

const secret = Buffer.from('a-test-secret-of-at-least-32-characters');
const now = Date.parse('2026-11-23T12:00:00Z');
const claims = { sub: 'ann', role: 'agent' as const, exp: now / 1000 + 60 };

describe('passwords', () => {
  it('verify against their scrypt hash, and a wrong one does not', async () => {
    const hash = await hashPassword('correct horse');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(await verifyPassword('correct horse', hash)).toBe(true);
    expect(await verifyPassword('correct hors', hash)).toBe(false);
  });

  it('hash with a fresh salt each time', async () => {
    expect(await hashPassword('same')).not.toBe(await hashPassword('same'));
  });
});

describe('tokens', () => {
  const token = signToken(claims, secret);

  it('carry their claims while unexpired', () => {
    expect(verifyToken(token, secret, now)).toEqual(claims);
  });

  it.each`
    case                     | tampered
    ${'expired'}             | ${() => verifyToken(token, secret, now + 61_000)}
    ${'signed with another'} | ${() => verifyToken(token, Buffer.from('x'.repeat(32)), now)}
    ${'with a changed role'} | ${() => verifyToken(token.replace(/\.[^.]+\./, `.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.`), secret, now)}
    ${'garbage'}             | ${() => verifyToken('not.a.token', secret, now)}
  `('are refused when $case', ({ tampered }) => {
    expect(tampered()).toBeUndefined();
  });
});

describe('login attempts', () => {
  const fiveFailures = [0, 1, 2, 3, 4].map((i) => now + i * 1000);

  it('allow a fifth attempt, and refuse a sixth for the rest of the minute', () => {
    expect(retryAfterMs(fiveFailures.slice(0, 4), now + 4_000, 5, 60_000)).toBe(0);
    expect(retryAfterMs(fiveFailures, now + 5_000, 5, 60_000)).toBe(55_000);
    expect(retryAfterMs(fiveFailures, now + 60_001, 5, 60_000)).toBe(0);
  });

  it('wait only until enough of the attempts have left the window', () => {
    const seven = [...fiveFailures, now + 5_000, now + 6_000];
    expect(retryAfterMs(seven, now + 10_000, 5, 60_000)).toBe(52_000);
  });
});
