import { IdentityKind, type Identity } from '@firstline/contracts';

/**
 * Who a message is from, and how far that is proven (docs/adr/0014-identity.md).
 *
 * A channel proves some identities by itself: a mailbox that sent mail is the mailbox replies go
 * to, a Telegram or VK user id is given by the platform. An address typed into a web form proves
 * nothing: anyone can type anyone's. Such a typed identity reaches an existing customer only once
 * its owner verified it by acting on a link sent to it; until then each submission gets a
 * provisional customer of its own, which agents see as unverified and may merge.
 */

/** An identity as the router stores and compares it. */
export interface IdentityKey {
  kind: IdentityKind;
  value: string;
}

/** The one normalisation of an email address: addresses differing only in case are one. */
export function normaliseEmailAddress(address: string): string {
  return address.trim().toLowerCase();
}

/**
 * A phone number in E.164, from what people type: spaces, dashes, dots and brackets go; a leading
 * "00" is the international prefix. Without a country code the number cannot be called from
 * another country, so it is refused rather than guessed.
 */
export function normalisePhoneNumber(typed: string): string | undefined {
  const compact = typed.replace(/[\s\-().]/g, '').replace(/^00/, '+');
  return /^\+[1-9]\d{6,14}$/.test(compact) ? compact : undefined;
}

const EMAIL_KINDS = new Set([IdentityKind.EMAIL, IdentityKind.WEBFORM_EMAIL]);

/** An identity as stored and compared: email addresses lower-cased, every value trimmed. */
export function normaliseIdentity(identity: Pick<Identity, 'kind' | 'value'>): IdentityKey {
  return {
    kind: identity.kind,
    value: EMAIL_KINDS.has(identity.kind)
      ? normaliseEmailAddress(identity.value)
      : identity.value.trim(),
  };
}

/** The kinds a channel proves, for each kind a customer merely types. */
const PROVEN_KIND_OF_TYPED = new Map([
  [IdentityKind.WEBFORM_EMAIL, IdentityKind.EMAIL],
  [IdentityKind.WEBFORM_PHONE, IdentityKind.PHONE],
]);

/** Typed by the customer (web-form email or phone): proves nothing until verified. */
export function isTypedIdentity(kind: IdentityKind): boolean {
  return PROVEN_KIND_OF_TYPED.has(kind);
}

/**
 * What a verified typed identity also is: whoever proved a typed email address owns the mailbox,
 * so mail from it reaches them too (unless the mailbox is already someone's).
 */
export function provenKindOf(kind: IdentityKind): IdentityKind | undefined {
  return PROVEN_KIND_OF_TYPED.get(kind);
}

export type LinkTokenState = 'usable' | 'used' | 'expired';

/**
 * A link token (the web status page's token brought to Telegram) moves the sender's identity to
 * the customer it was issued for, once, and only within `ttlMs` of being issued: a token that
 * leaked later, or one shown again, moves nobody.
 */
export function linkTokenState(
  token: { issuedAt: Date; usedAt: Date | null },
  now: Date,
  ttlMs: number,
): LinkTokenState {
  if (token.usedAt) return 'used';
  return now.getTime() - token.issuedAt.getTime() > ttlMs ? 'expired' : 'usable';
}

/** What the router knows about a message's sender when it decides their customer. */
export interface SenderFacts {
  sender: IdentityKey;
  /** The customer the sender's identity belongs to: proven, or typed and verified. */
  knownCustomerId?: string;
  /** The customer of the conversation the message continues, if it has a ticket already. */
  conversationCustomerId?: string;
  /** The customer the message's link token was issued for, and whether it may still be used. */
  linkToken?: { customerId: string; state: LinkTokenState };
}

export type CustomerResolution =
  /** The sender brought a usable link token: their identity moves to its customer. */
  | { kind: 'linked'; customerId: string }
  /** The sender's identity, or the conversation it writes in, names the customer. */
  | { kind: 'known'; customerId: string }
  /** A typed identity nobody verified: a provisional customer of its own. */
  | { kind: 'provisional' }
  /** A proven identity seen for the first time: a new customer. */
  | { kind: 'new' };

/**
 * Which customer a message is from. A typed sender belongs to the conversation it writes in (a
 * web-form follow-up on its status page, whose token only the submitter holds), then to whoever
 * verified that identity; otherwise it is provisional. A link token moves only a proven
 * identity: typing an address and bringing a token proves nothing about the address.
 */
export function resolveSender(facts: SenderFacts): CustomerResolution {
  const { sender, knownCustomerId, conversationCustomerId, linkToken } = facts;
  if (isTypedIdentity(sender.kind)) {
    const customerId = conversationCustomerId ?? knownCustomerId;
    return customerId ? { kind: 'known', customerId } : { kind: 'provisional' };
  }
  if (linkToken?.state === 'usable') return { kind: 'linked', customerId: linkToken.customerId };
  return knownCustomerId ? { kind: 'known', customerId: knownCustomerId } : { kind: 'new' };
}

/**
 * Whether the token a message hands out (the web status page's) is remembered as its customer's
 * link token. Holding it proves only that one sent the message, so it names the customer only
 * when the sender is proven or the customer was made for this very message: a submission typed
 * with someone's verified address hands out no key to them.
 */
export function issuesLinkToken(
  sender: IdentityKind,
  resolution: CustomerResolution['kind'],
): boolean {
  return !isTypedIdentity(sender) || resolution === 'provisional';
}

/**
 * A proof counts only for an identity the conversation's customer typed: a link names one
 * conversation and one address, and proves that address for that customer alone.
 */
export function proofApplies(claims: IdentityKey[], proven: IdentityKey): boolean {
  return claims.some((claim) => claim.kind === proven.kind && claim.value === proven.value);
}
