/**
 * Email threading: which conversation a mail continues and which ticket it names. Replies carry
 * the thread in In-Reply-To / References; the Message-IDs Firstline mints name the outbound
 * message and its ticket, and the subject carries the ticket number as "[#N]".
 */

/** Message-IDs in a header value (`<a@b> <c@d>`), without angle brackets, in order, deduplicated. */
export function messageIds(header: string | string[] | undefined): string[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const ids: string[] = [];
  for (const value of values) {
    const bracketed = value.match(/<[^<>\s]+>/g);
    const found = bracketed ? bracketed.map((id) => id.slice(1, -1)) : value.split(/[\s,]+/);
    for (const id of found) if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

const subjectTag = /\[#(\d+)\]/;

/** The ticket number of a "[#N]" tag in the subject. */
export function ticketNumberInSubject(subject: string): string | undefined {
  return subjectTag.exec(subject)?.[1];
}

/** The subject with the ticket's "[#N]" tag appended once. */
export function tagSubject(subject: string, ticketNumber: string): string {
  if (!ticketNumber || ticketNumberInSubject(subject) === ticketNumber) return subject;
  return `${subject.trim()} [#${ticketNumber}]`.trim();
}

/** What Firstline put into a Message-ID it minted for an outbound message. */
export interface OwnMessageId {
  outboundId: string;
  ticketNumber: string;
}

// "fl.<ticket number or x>.<base64url outbound id>@<domain>": self-describing, so that a reply or
// a bounce that only quotes it leads back to the ticket and the outbound message without a lookup.
const ownIdPattern = /^fl\.(\d+|x)\.([A-Za-z0-9_-]+)@(.+)$/;

export function ownMessageId(outboundId: string, ticketNumber: string, domain: string): string {
  const encoded = Buffer.from(outboundId, 'utf8').toString('base64url');
  return `fl.${/^\d+$/.test(ticketNumber) ? ticketNumber : 'x'}.${encoded}@${domain}`;
}

/** Reads a Message-ID minted by `ownMessageId` for `domain`; undefined for anybody else's. */
export function parseOwnMessageId(id: string, domain?: string): OwnMessageId | undefined {
  const match = ownIdPattern.exec(id);
  if (!match) return undefined;
  if (domain && match[3].toLowerCase() !== domain.toLowerCase()) return undefined;
  const outboundId = Buffer.from(match[2], 'base64url').toString('utf8');
  if (!outboundId) return undefined;
  return { outboundId, ticketNumber: match[1] === 'x' ? '' : match[1] };
}

export interface MailThreadHeaders {
  messageId: string;
  inReplyTo: string[];
  references: string[];
  subject: string;
}

export interface Thread {
  /** `email:<root Message-ID>`: equal for every mail of one thread. */
  conversationKey: string;
  /** The ticket the mail says it answers, from our own Message-IDs or the subject tag. */
  ticketNumber?: string;
}

/**
 * A reply's References start with the thread's root; clients that drop References still name
 * their parent in In-Reply-To. A mail with neither starts a conversation of its own, whatever its
 * subject says: the ticket number in a subject is a hint for the router, not a thread.
 */
export function resolveThread(mail: MailThreadHeaders, ownDomain?: string): Thread {
  const root = mail.references[0] ?? mail.inReplyTo[0] ?? mail.messageId;
  const ours = [...mail.inReplyTo, ...[...mail.references].reverse()]
    .map((id) => parseOwnMessageId(id, ownDomain))
    .find((own) => own?.ticketNumber);
  const ticketNumber = ours?.ticketNumber ?? ticketNumberInSubject(mail.subject);
  return { conversationKey: `email:${root}`, ...(ticketNumber ? { ticketNumber } : {}) };
}

/** How the router knows a mail: "email:<Message-ID>", the form of InboundMessage.message_id. */
export function threadMessageId(messageId: string): string {
  return `email:${messageId}`;
}

/**
 * The mails a mail answers, as the router knows them, nearest first: its In-Reply-To, then its
 * References from the newest back to the root. The router continues the ticket of the first one
 * it knows, so a client that keeps only In-Reply-To still threads.
 */
export function repliedMessageIds(inReplyTo: string[], references: string[]): string[] {
  return [...new Set([...inReplyTo, ...[...references].reverse()])].map(threadMessageId);
}
