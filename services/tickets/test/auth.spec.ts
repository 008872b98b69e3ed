import { UnauthorizedException } from '@nestjs/common';
import { AuthService } from '../src/auth/auth.service';
import type { LoginAttempts } from '../src/auth/login-attempts';
import { hashPassword, Passwords, verifyPassword } from '../src/auth/password';
import { signToken, verifyToken } from '../src/auth/token';
import type { AgentAccount, DirectoryRepository } from '../src/database/directory.repository';
import { TicketsSettings } from '../src/tickets-settings';

const secret = Buffer.from('a-test-secret-of-at-least-32-characters');
const now = Date.parse('2026-11-23T12:00:00Z');
const claims = { sub: 'ann', ver: 0, iat: now / 1000, exp: now / 1000 + 60 };

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

  const forged = (change: object) =>
    token.replace(
      /\.[^.]+\./,
      `.${Buffer.from(JSON.stringify({ ...claims, ...change })).toString('base64url')}.`,
    );

  it.each`
    case                          | tampered
    ${'expired'}                  | ${() => verifyToken(token, secret, now + 61_000)}
    ${'signed with another'}      | ${() => verifyToken(token, Buffer.from('x'.repeat(32)), now)}
    ${'with a changed version'}   | ${() => verifyToken(forged({ ver: 1 }), secret, now)}
    ${'garbage'}                  | ${() => verifyToken('not.a.token', secret, now)}
    ${'signed without a version'} | ${() => verifyToken(signToken({ ...claims, ver: undefined as unknown as number }, secret), secret, now)}
  `('are refused when $case', ({ tampered }) => {
    expect(tampered()).toBeUndefined();
  });
});

/** Passwords that note every hash they check. */
class RecordingPasswords extends Passwords {
  readonly checked: string[] = [];

  protected override matches(password: string, stored: string): Promise<boolean> {
    this.checked.push(stored);
    return super.matches(password, stored);
  }
}

describe('a sign-in', () => {
  const passwords = new RecordingPasswords();
  let ann: AgentAccount;
  const auth = () =>
    new AuthService(
      {
        accountWithEntry: async (by: { email: string }) =>
          by.email === ann.email ? { account: ann, entry: undefined } : undefined,
      } as unknown as DirectoryRepository,
      new TicketsSettings({}),
      {
        begin: async (account: string, address: string) => ({
          id: '1',
          account,
          address,
          retryAfterSeconds: 0,
        }),
      } as unknown as LoginAttempts,
      passwords,
    );

  beforeAll(async () => {
    ann = {
      agentId: 'ann',
      email: 'ann@firstline.example',
      role: 'agent',
      passwordHash: await hashPassword('the right one'),
      deactivatedAt: null,
      tokenVersion: 0,
    };
  });

  beforeEach(() => passwords.checked.splice(0));

  it('for an unknown account checks a throw-away hash of the same cost, so it takes as long', async () => {
    const attempt = auth().login('nobody@firstline.example', 'a guess', '192.0.2.1');
    await expect(attempt).rejects.toThrow(UnauthorizedException);
    expect(passwords.checked).toHaveLength(1);
    expect(passwords.checked[0]).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(passwords.checked[0]).not.toBe(ann.passwordHash);
  });

  it('with a wrong password checks the account’s hash, once', async () => {
    const attempt = auth().login(ann.email, 'a guess', '192.0.2.1');
    await expect(attempt).rejects.toThrow('Wrong email or password');
    expect(passwords.checked).toEqual([ann.passwordHash]);
  });

  it('never lets the throw-away hash sign anyone in', async () => {
    expect(await passwords.verify('', undefined)).toBe(false);
  });
});
