import { IdentityKind } from '@firstline/contracts';
import {
  issuesLinkToken,
  isTypedIdentity,
  linkTokenState,
  normaliseEmailAddress,
  normaliseIdentity,
  normalisePhoneNumber,
  proofApplies,
  provenKindOf,
  resolveSender,
  type CustomerResolution,
  type SenderFacts,
} from '../src';

const typed = { kind: IdentityKind.WEBFORM_EMAIL, value: 'ann@example.com' };
const telegram = { kind: IdentityKind.TELEGRAM_USER, value: '700000001' };

describe('normaliseIdentity', () => {
  it.each([
    [
      'a mailbox in any letter case is one address',
      IdentityKind.EMAIL,
      ' Ann@Example.COM ',
      'ann@example.com',
    ],
    ['a typed address likewise', IdentityKind.WEBFORM_EMAIL, 'ANN@example.com', 'ann@example.com'],
    ['a Telegram id is only trimmed', IdentityKind.TELEGRAM_USER, ' 700000001 ', '700000001'],
    ['a phone keeps its form', IdentityKind.WEBFORM_PHONE, '+4915112345678', '+4915112345678'],
  ])('%s', (_case, kind, value, expected) => {
    expect(normaliseIdentity({ kind, value })).toEqual({ kind, value: expected });
  });

  it('normalises an address the same way wherever it is asked', () => {
    expect(normaliseEmailAddress('\tBOB@Example.org')).toBe('bob@example.org');
  });
});

describe('normalisePhoneNumber', () => {
  it.each([
    ['+7 (912) 345-67-89', '+79123456789'],
    ['0049 151 12345678', '+4915112345678'],
    ['+1.415.555.0100', '+14155550100'],
    ['89123456789', undefined],
    ['+0123456', undefined],
    ['call me', undefined],
  ])('%s → %s', (typed, expected) => {
    expect(normalisePhoneNumber(typed)).toBe(expected);
  });
});

describe('typed identities', () => {
  it.each([
    [IdentityKind.WEBFORM_EMAIL, true, IdentityKind.EMAIL],
    [IdentityKind.WEBFORM_PHONE, true, IdentityKind.PHONE],
    [IdentityKind.EMAIL, false, undefined],
    [IdentityKind.TELEGRAM_USER, false, undefined],
    [IdentityKind.PHONE, false, undefined],
  ])('kind %s: typed %s, proven as %s once verified', (kind, isTyped, proven) => {
    expect(isTypedIdentity(kind)).toBe(isTyped);
    expect(provenKindOf(kind)).toBe(proven);
  });
});

describe('linkTokenState', () => {
  const now = new Date('2026-03-20T12:00:00Z');
  const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
  const day = 24 * 3_600_000;

  it.each<[string, { issuedAt: Date; usedAt: Date | null }, string]>([
    ['a token issued an hour ago is usable', { issuedAt: hoursAgo(1), usedAt: null }, 'usable'],
    ['one issued exactly a day ago still is', { issuedAt: hoursAgo(24), usedAt: null }, 'usable'],
    ['one issued 25 hours ago has expired', { issuedAt: hoursAgo(25), usedAt: null }, 'expired'],
    [
      'a used token is used, however fresh',
      { issuedAt: hoursAgo(1), usedAt: hoursAgo(0.5) },
      'used',
    ],
  ])('%s', (_case, token, expected) => {
    expect(linkTokenState(token, now, day)).toBe(expected);
  });
});

describe('resolveSender', () => {
  it.each<[string, SenderFacts, CustomerResolution]>([
    [
      'a typed address somebody else has proved by mail gets a provisional customer',
      { sender: typed },
      { kind: 'provisional' },
    ],
    [
      'a typed address its owner verified reaches them',
      { sender: typed, knownCustomerId: 'owner' },
      { kind: 'known', customerId: 'owner' },
    ],
    [
      'a follow-up on the status page stays with the conversation’s customer',
      { sender: typed, conversationCustomerId: 'provisional-1', knownCustomerId: 'owner' },
      { kind: 'known', customerId: 'provisional-1' },
    ],
    [
      'a typed sender bringing a link token is not moved by it',
      { sender: typed, linkToken: { customerId: 'victim', state: 'usable' } },
      { kind: 'provisional' },
    ],
    [
      'a Telegram user with a usable token moves to the token’s customer',
      {
        sender: telegram,
        knownCustomerId: 'own',
        linkToken: { customerId: 'web', state: 'usable' },
      },
      { kind: 'linked', customerId: 'web' },
    ],
    [
      'a used token moves nobody',
      { sender: telegram, knownCustomerId: 'own', linkToken: { customerId: 'web', state: 'used' } },
      { kind: 'known', customerId: 'own' },
    ],
    [
      'an expired token moves nobody; a first-time sender is new',
      { sender: telegram, linkToken: { customerId: 'web', state: 'expired' } },
      { kind: 'new' },
    ],
    [
      'a known Telegram user is their customer',
      { sender: telegram, knownCustomerId: 'own' },
      { kind: 'known', customerId: 'own' },
    ],
  ])('%s', (_case, facts, expected) => {
    expect(resolveSender(facts)).toEqual(expected);
  });
});

describe('issuesLinkToken', () => {
  it.each<[string, IdentityKind, CustomerResolution['kind'], boolean]>([
    [
      'a submission on its own provisional customer hands out its token',
      IdentityKind.WEBFORM_EMAIL,
      'provisional',
      true,
    ],
    [
      'a submission typed with a verified address hands out none',
      IdentityKind.WEBFORM_EMAIL,
      'known',
      false,
    ],
    ['a known proven sender’s token is remembered', IdentityKind.TELEGRAM_USER, 'known', true],
    ['a new proven sender’s too', IdentityKind.EMAIL, 'new', true],
  ])('%s', (_case, sender, resolution, expected) => {
    expect(issuesLinkToken(sender, resolution)).toBe(expected);
  });
});

describe('proofApplies', () => {
  it.each([
    ['to the address the customer typed', [typed], typed, true],
    ['not to another address', [typed], { ...typed, value: 'bob@example.com' }, false],
    ['not to a customer who typed nothing', [], typed, false],
  ])('a proof applies %s', (_case, claims, proven, expected) => {
    expect(proofApplies(claims, proven)).toBe(expected);
  });
});
