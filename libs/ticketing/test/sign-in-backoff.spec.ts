import { SIGN_IN_POLICY, signInWaitMs, type SignInHistory } from '../src';

const now = Date.parse('2026-12-03T12:00:00Z');
const SECOND = 1000;
const MINUTE = 60 * SECOND;
/** `count` failures, one a second, the last `lastAgo` before now. */
const failures = (count: number, lastAgo = 0) =>
  Array.from({ length: count }, (_, i) => now - lastAgo - (count - 1 - i) * SECOND);
const history = (part: Partial<SignInHistory>): SignInHistory => ({
  pair: [],
  account: [],
  address: [],
  ...part,
});
const samePairEverywhere = (times: number[]) =>
  history({ pair: times, account: times, address: times });

describe('the sign-in back-off', () => {
  it('lets the first three failures of an account at one address pass without a wait', () => {
    expect(signInWaitMs(samePairEverywhere(failures(2)), now)).toBe(0);
  });

  it.each`
    count | wait
    ${3}  | ${1 * SECOND}
    ${4}  | ${2 * SECOND}
    ${5}  | ${4 * SECOND}
    ${9}  | ${64 * SECOND}
    ${11} | ${256 * SECOND}
    ${12} | ${5 * MINUTE}
    ${20} | ${5 * MINUTE}
  `(
    'after $count failures of one account at one address waits $wait ms after the last',
    ({ count, wait }) => {
      expect(signInWaitMs(history({ pair: failures(count) }), now)).toBe(wait);
    },
  );

  it('counts the wait from the last failure, so it ends on its own', () => {
    expect(signInWaitMs(history({ pair: failures(5, 3 * SECOND) }), now)).toBe(1 * SECOND);
    expect(signInWaitMs(history({ pair: failures(5, 4 * SECOND) }), now)).toBe(0);
  });

  it('does not slow an account down at another address for a few failures elsewhere', () => {
    // Failures of this account from elsewhere, none from here.
    expect(signInWaitMs(history({ account: failures(9) }), now)).toBe(0);
  });

  it('slows an account down everywhere once guesses come from many addresses', () => {
    expect(signInWaitMs(history({ account: failures(10) }), now)).toBe(1 * SECOND);
    expect(signInWaitMs(history({ account: failures(13) }), now)).toBe(8 * SECOND);
  });

  it('refuses an address that failed on 30 accounts until the oldest failures leave the window', () => {
    expect(signInWaitMs(history({ address: failures(29) }), now)).toBe(0);
    expect(signInWaitMs(history({ address: failures(30) }), now)).toBe(
      SIGN_IN_POLICY.windowMs - 29 * SECOND,
    );
    expect(signInWaitMs(history({ address: failures(31) }), now)).toBe(
      SIGN_IN_POLICY.windowMs - 29 * SECOND,
    );
  });

  it('forgets failures older than the window', () => {
    const old = failures(40, SIGN_IN_POLICY.windowMs);
    expect(signInWaitMs(samePairEverywhere(old), now)).toBe(0);
  });
});
