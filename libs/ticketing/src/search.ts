import { normaliseEmailAddress, normalisePhoneNumber } from '@firstline/routing';

/**
 * What an agent typed into the search box, read as every kind of thing it could name. One query
 * can be several at once ("10001" is a ticket number, a Telegram, VK or OK id and words), so each
 * reading is searched and the hits are ranked together (`rankSearchHits`).
 */
export interface SearchQuery {
  /** The query as typed (trimmed): searched as words of subjects and messages, stemmed. Empty for "#10001". */
  words: string;
  /** "#10001" or "10001". */
  ticketNumber?: string;
  /** Lower-cased: a whole address, or its start ("ann@exa"). */
  email?: string;
  /**
   * The digits of a phone number however it was typed (at least 7): stored numbers are E.164,
   * and one ending in these digits matches, so "912 345-67-89" finds +79123456789.
   */
  phoneDigits?: string;
  /** A Telegram, VK or OK user id ("123456", VK's "id123456", an OK profile link). */
  accountId?: string;
  /** A Telegram @username, without the "@" and lower-cased (usernames ignore case). */
  telegramUsername?: string;
  /** The words of the query as the starts of a customer's names: "ann sm" finds Ann Smith. */
  namePrefixes: string[];
}

const TICKET_NUMBER = /^#?(\d{1,18})$/;
const PHONE_LIKE = /^\+?[\d\s\-().]+$/;
const MIN_PHONE_DIGITS = 7;
const ACCOUNT_ID = /^(?:(?:https?:\/\/)?(?:vk\.com\/id|ok\.ru\/profile\/)|id)?(\d{1,20})\/?$/i;
// Telegram: 5–32 letters, digits and underscores; shorter ones are accepted for old accounts.
const TELEGRAM_USERNAME = /^@([a-z0-9_]{3,32})$/i;
const EMAIL_START = /^[^\s@]+@[^\s@]*$/;
const MAX_NAME_WORDS = 5;

export function readSearchQuery(typed: string): SearchQuery {
  const words = typed.trim();
  const number = TICKET_NUMBER.exec(words);
  const ticketNumber = number?.[1].replace(/^0+(?=\d)/, '');
  // "#10001" names a ticket and nothing else.
  if (ticketNumber && words.startsWith('#')) return { words: '', ticketNumber, namePrefixes: [] };
  const query: SearchQuery = { words, namePrefixes: namePrefixes(words) };
  if (ticketNumber) query.ticketNumber = ticketNumber;
  if (EMAIL_START.test(words)) query.email = normaliseEmailAddress(words);
  const phone = normalisePhoneNumber(words);
  const digits = words.replace(/\D/g, '');
  if (phone) query.phoneDigits = phone.slice(1);
  else if (PHONE_LIKE.test(words) && digits.length >= MIN_PHONE_DIGITS) query.phoneDigits = digits;
  const account = ACCOUNT_ID.exec(words);
  if (account) query.accountId = account[1];
  const username = TELEGRAM_USERNAME.exec(words);
  if (username) query.telegramUsername = username[1].toLowerCase();
  return query;
}

/** Lower-cased words of letters and digits, each the start of a name word. */
function namePrefixes(words: string): string[] {
  return (words.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((word) => /\p{L}/u.test(word))
    .slice(0, MAX_NAME_WORDS);
}

/** What a ticket was found by, from the most to the least certain. */
export const SEARCH_MATCHES = ['number', 'email', 'phone', 'account', 'name', 'text'] as const;
export type SearchMatch = (typeof SEARCH_MATCHES)[number];

export interface SearchHit {
  ticketId: string;
  match: SearchMatch;
  /** The whole number, address or id, not only its start or end. */
  exact: boolean;
  /** How well the words matched (ts_rank_cd): compared only among text hits. */
  rank: number;
  /** The ticket's last change: the newer of two equal hits comes first. */
  updatedAt: Date;
  /** For a text hit, the message that matched best. */
  messageId?: string;
}

/**
 * One hit per ticket, best first: a ticket named by its number, then tickets of a customer named
 * by a whole address, phone or id, then by part of one or by name, then by words (better ranked
 * first). Newer tickets first among equals.
 */
export function rankSearchHits(hits: SearchHit[], limit: number): SearchHit[] {
  const best = new Map<string, SearchHit>();
  for (const hit of hits) {
    const kept = best.get(hit.ticketId);
    if (!kept || compareHits(hit, kept) < 0) best.set(hit.ticketId, hit);
  }
  return [...best.values()].sort(compareHits).slice(0, limit);
}

function tier(hit: SearchHit): number {
  if (hit.match === 'number') return 0;
  if (hit.match === 'text') return 3;
  return hit.exact ? 1 : 2;
}

function compareHits(a: SearchHit, b: SearchHit): number {
  return (
    tier(a) - tier(b) ||
    b.rank - a.rank ||
    SEARCH_MATCHES.indexOf(a.match) - SEARCH_MATCHES.indexOf(b.match) ||
    b.updatedAt.getTime() - a.updatedAt.getTime()
  );
}

/** A piece of a highlighted text: the console shows `match` pieces marked, all of it as text. */
export interface HighlightFragment {
  text: string;
  match: boolean;
}

/**
 * Splits a text that marks its matches between `start` and `stop` (as ts_headline writes them)
 * into fragments. The markers are characters a message cannot contain (they are removed from it
 * before it is highlighted), so no HTML ever travels: the console renders plain text.
 */
export function highlightFragments(
  marked: string,
  start: string,
  stop: string,
): HighlightFragment[] {
  const fragments: HighlightFragment[] = [];
  for (const [index, piece] of marked.split(start).entries()) {
    const [inside, after] = index === 0 ? [undefined, piece] : splitOnce(piece, stop);
    if (inside) fragments.push({ text: inside, match: true });
    if (after) fragments.push({ text: after, match: false });
  }
  return fragments;
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at === -1 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}

/** The fragments of a value found by its whole or part (an address, a phone, a name). */
export function highlightWithin(value: string, found: string): HighlightFragment[] {
  const at = found ? value.toLowerCase().indexOf(found.toLowerCase()) : -1;
  if (at === -1) return [{ text: value, match: false }];
  return [
    { text: value.slice(0, at), match: false },
    { text: value.slice(at, at + found.length), match: true },
    { text: value.slice(at + found.length), match: false },
  ].filter((fragment) => fragment.text);
}
