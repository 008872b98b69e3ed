import { Channel, IdentityKind } from '@firstline/contracts';
import { signRatingLink, verifyRatingLink, type RatingLink } from '../src';

const secret = Buffer.from('a-secret-of-at-least-thirty-two-characters');
const now = new Date('2026-12-03T12:00:00Z');
const link: RatingLink = {
  ticketId: '6f1c0c1e-7b59-4a4c-9d3e-2f0a1b2c3d4e',
  ticketNumber: '10001',
  conversationKey: 'email:root@example.com',
  channel: Channel.EMAIL,
  customer: { kind: IdentityKind.EMAIL, value: 'ann@example.com', displayName: 'Анна' },
  language: 'ru',
  expiresAt: new Date('2026-12-10T12:00:00Z'),
};

describe('rating links', () => {
  it('say which ticket and customer they rate, for the web-form service that shares the secret', () => {
    const token = signRatingLink(link, secret);
    expect(token).toMatch(/^[\w-]+\.[\w-]+$/);
    expect(verifyRatingLink(token, secret, now)).toEqual({ ok: true, link });
  });

  it('refuse a token bent to another ticket or signed with another secret', () => {
    const token = signRatingLink(link, secret);
    const [, mac] = token.split('.');
    const bent = signRatingLink({ ...link, ticketId: 'someone-else' }, secret).split('.')[0];
    expect(verifyRatingLink(`${bent}.${mac}`, secret, now)).toEqual({
      ok: false,
      reason: 'forged',
    });
    expect(verifyRatingLink(token, Buffer.from('x'.repeat(32)), now)).toEqual({
      ok: false,
      reason: 'forged',
    });
  });

  it('expire', () => {
    const token = signRatingLink(link, secret);
    expect(verifyRatingLink(token, secret, link.expiresAt)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it.each(['', 'abc', 'a.b.c', '.', 'abc.'])('call %j malformed', (token) => {
    expect(verifyRatingLink(token, secret, now)).toEqual({ ok: false, reason: 'malformed' });
  });
});
