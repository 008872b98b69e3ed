/**
 * How long an agents' sign-in must wait, from the failed (or still unfinished) attempts before it.
 * Three counts, each over the last `windowMs`:
 *
 * - one account from one client address: `freePerPair` failures free, then each further failure
 *   doubles the wait after it (from `firstDelayMs` up to `maxDelayMs`). A guesser is slowed down
 *   where they sit; a colleague at another address is not;
 * - one account from every address: the same doubling after `freePerAccount` failures, so a
 *   guesser spread over many addresses is slowed down too (a higher threshold, because these
 *   failures also delay the account's owner);
 * - one address over every account: a hard limit of `perAddress` failures, against one machine
 *   trying a common password on many accounts; sized well above an office's typos.
 *
 * A wait ends on its own: nothing locks an account for good, and once it has passed the right
 * password signs in. While one lasts the password is not checked at all — an answer that told
 * right from wrong would let a guesser go on at full speed.
 */
export interface SignInPolicy {
  windowMs: number;
  freePerPair: number;
  freePerAccount: number;
  perAddress: number;
  firstDelayMs: number;
  maxDelayMs: number;
}

export const SIGN_IN_POLICY: SignInPolicy = {
  windowMs: 15 * 60_000,
  freePerPair: 3,
  freePerAccount: 10,
  perAddress: 30,
  firstDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
};

/** Times (ms since the epoch) of the earlier failed or unfinished attempts that concern a sign-in. */
export interface SignInHistory {
  /** For this account from this client address. */
  pair: number[];
  /** For this account from any address. */
  account: number[];
  /** From this address for any account. */
  address: number[];
}

/** Milliseconds until the sign-in may be checked; 0 when it may be checked now. */
export function signInWaitMs(
  history: SignInHistory,
  now: number,
  policy: SignInPolicy = SIGN_IN_POLICY,
): number {
  const recent = (times: number[]) =>
    times.filter((at) => at > now - policy.windowMs && at <= now).sort((a, b) => a - b);
  return Math.max(
    0,
    backOff(recent(history.pair), policy.freePerPair, now, policy),
    backOff(recent(history.account), policy.freePerAccount, now, policy),
    hardLimit(recent(history.address), now, policy),
  );
}

/** After `free` failures, the wait after the last one doubles with each further failure. */
function backOff(failures: number[], free: number, now: number, policy: SignInPolicy): number {
  if (failures.length < free) return 0;
  const doublings = failures.length - free;
  const delay = Math.min(policy.firstDelayMs * 2 ** doublings, policy.maxDelayMs);
  return failures[failures.length - 1] + delay - now;
}

/** At the limit, the wait lasts until enough of the failures have left the window. */
function hardLimit(failures: number[], now: number, policy: SignInPolicy): number {
  if (failures.length < policy.perAddress) return 0;
  return failures[failures.length - policy.perAddress] + policy.windowMs - now;
}
