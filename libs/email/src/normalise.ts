import { storageKeyOf } from '@firstline/attachments';
import { createHash } from 'node:crypto';
import { fileAttachment, identity, inboundMessage, type InboundFile } from '@firstline/channel';
import { BadInputError } from '@firstline/errors';
import { Channel, IdentityKind, type InboundMessage } from '@firstline/contracts';
import {
  simpleParser,
  type AddressObject,
  type Attachment as MailAttachment,
  type ParsedMail,
} from 'mailparser';
import { autoResponseReason, headerText } from './auto-response';
import { parseDeliveryStatus, type DeliveryStatusReport } from './delivery-status';
import { sanitiseHtml } from './html';
import { extractReply } from './quoted-reply';
import { messageIds, repliedMessageIds, resolveThread } from './threading';

export interface NormaliseOptions {
  /** When the adapter accepted the mail; SLA clocks start here. */
  receivedAt: Date;
  /** The domain of the Message-IDs Firstline mints, so that replies to them lead to their ticket. */
  ownDomain?: string;
  /** Larger attachments are listed without their bytes. */
  maxAttachmentBytes?: number;
  /**
   * Time for the whole of normalisation. A mail that has used it up by the time its text is
   * read is published with that text as it came, without reply extraction or HTML, and
   * `parse_budget_exceeded` in its metadata, rather than holding up the mailbox behind it.
   */
  timeBudgetMs?: number;
}

export interface NormalisedMail {
  message: InboundMessage;
  /** Bytes of the attachments, to be put into the attachment store before the message is published. */
  files: InboundFile[];
  /** Set when the mail is a delivery status notification. */
  deliveryStatus?: DeliveryStatusReport;
}

const defaultMaxAttachmentBytes = 25 * 1024 * 1024;
const defaultTimeBudgetMs = 2000;
/**
 * No header field a client writes comes near this (a References chain of 500 ids is 25 KB); the
 * address and encoded-word parsers are slow enough on longer ones to stall a mailbox.
 */
export const MAX_HEADER_FIELD_BYTES = 32 * 1024;

/** One raw RFC 5322 message as the channel-agnostic InboundMessage. Throws BadInputError. */
export async function normalise(raw: Buffer, options: NormaliseOptions): Promise<NormalisedMail> {
  const startedAt = performance.now();
  const budgetMs = options.timeBudgetMs ?? defaultTimeBudgetMs;
  const overBudget = () => performance.now() - startedAt > budgetMs;
  let mail: ParsedMail;
  try {
    // skipImageLinks keeps `cid:` references instead of inlining images as data: URLs.
    mail = await simpleParser(withUtf8Headers(withCappedHeaderFields(raw)), {
      skipImageLinks: true,
      skipTextToHtml: true,
      keepDeliveryStatus: true,
    });
  } catch (error) {
    throw new BadInputError(`unreadable MIME message: ${String(error)}`, { cause: error });
  }

  const from = senderOf(mail);
  const senderAddress = from?.address.toLowerCase() ?? '';
  const deliveryStatus = parseDeliveryStatus(raw.toString('latin1'));
  const ownMessageId = messageIds(mail.messageId)[0] ?? '';
  const inReplyTo = messageIds(mail.inReplyTo);
  const references = messageIds(mail.references);
  if (deliveryStatus?.bouncedMessageId && references.length === 0 && inReplyTo.length === 0) {
    references.push(deliveryStatus.bouncedMessageId);
  }
  const subject = mail.subject ?? '';
  const id = ownMessageId || `sha256:${createHash('sha256').update(raw).digest('hex')}`;
  const thread = resolveThread(
    { messageId: id, inReplyTo, references, subject },
    options.ownDomain,
  );
  const autoResponse = deliveryStatus
    ? `delivery status: ${deliveryStatus.action}`
    : autoResponseReason(mail.headers, senderAddress);

  const maxBytes = options.maxAttachmentBytes ?? defaultMaxAttachmentBytes;
  const files: InboundFile[] = [];
  const attachments = [];
  for (const part of mail.attachments) {
    const storageKey =
      part.content.length <= maxBytes
        ? storageKeyOf(createHash('sha256').update(part.content).digest('hex'))
        : '';
    if (storageKey && !files.some((file) => file.storageKey === storageKey)) {
      files.push({ storageKey, content: part.content });
    }
    attachments.push(
      fileAttachment({
        storageKey,
        fileName: part.filename || (await unnamedPartName(part)),
        contentType: declaredType(part),
        sizeBytes: part.content.length,
        contentId:
          part.contentDisposition === 'inline' || part.related ? stripAngles(part.cid) : '',
      }),
    );
  }

  const textBody = (mail.text ?? '').replace(/\r\n?/g, '\n');
  // Every pass below is linear; the budget is for what nobody foresaw. Checked between passes.
  const skipped: string[] = [];
  let htmlBody = '';
  if (typeof mail.html === 'string') {
    if (overBudget()) skipped.push('HTML');
    else htmlBody = sanitiseHtml(mail.html);
  }
  let replyText = textBody;
  if (overBudget()) skipped.push('reply extraction');
  else replyText = extractReply(textBody);
  const metadata: Record<string, string> = {
    to: addressList(mail, 'to'),
    cc: addressList(mail, 'cc'),
    reply_to: addressList(mail, 'reply-to'),
    in_reply_to: inReplyTo.join(' '),
    references: references.join(' '),
  };
  if (autoResponse) metadata.auto_response_reason = autoResponse;
  if (skipped.length) {
    metadata.parse_budget_exceeded = `${skipped.join(' and ')} skipped: ${Math.round(performance.now() - startedAt)} ms spent of ${budgetMs}`;
  }
  if (deliveryStatus) {
    metadata.delivery_action = deliveryStatus.action;
    metadata.delivery_status = deliveryStatus.status;
    metadata.failed_recipient = deliveryStatus.failedRecipient;
    metadata.diagnostic = deliveryStatus.diagnostic;
  }

  const message = inboundMessage({
    messageId: `email:${id}`,
    channel: Channel.EMAIL,
    sender: identity(IdentityKind.EMAIL, senderAddress, from?.name),
    conversationKey: thread.conversationKey,
    subject,
    textBody,
    htmlBody,
    attachments,
    channelMetadata: Object.fromEntries(Object.entries(metadata).filter(([, value]) => value)),
    autoResponse: Boolean(autoResponse),
    receivedAt: options.receivedAt,
    sentAt: mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date : undefined,
    inReplyToTicketNumber: thread.ticketNumber,
    // The hints the router threads by: every mail this one answers, nearest first.
    repliedMessageIds: repliedMessageIds(inReplyTo, references),
    replyText,
    bouncedMessageId: deliveryStatus?.bouncedMessageId || undefined,
  });
  return { message, files, ...(deliveryStatus ? { deliveryStatus } : {}) };
}

interface Address {
  address: string;
  name: string;
}

/** Group syntax ("Undisclosed recipients:;") nests addresses; flatten it. */
function addresses(field: AddressObject | AddressObject[] | undefined): Address[] {
  const objects = Array.isArray(field) ? field : field ? [field] : [];
  const flat: Address[] = [];
  const visit = (entries: { address?: string; name: string; group?: unknown[] }[]) => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group as typeof entries);
      else if (entry.address || entry.name) {
        // "Name (ann@example.com)": old clients put the address into a comment.
        flat.push({ address: entry.address ?? '', name: entry.name });
      }
    }
  };
  for (const object of objects) visit(object.value);
  return flat;
}

function addressList(mail: ParsedMail, key: 'to' | 'cc' | 'reply-to'): string {
  const field = key === 'to' ? mail.to : key === 'cc' ? mail.cc : mail.replyTo;
  const found = addresses(field).map((entry) => entry.address.toLowerCase());
  if (found.every(Boolean)) return found.join(', ');
  // "Name (ann@example.com)": old clients put the address into a comment, which the parser drops.
  const rawLine = mail.headerLines.find((line) => line.key === key)?.line ?? '';
  // Matches start only where a token starts, so a long token is scanned once, not once per character.
  const inRaw = rawLine.match(/(?<![^\s()<>,:;"])[^\s()<>,:;"]+@[^\s()<>,;"]+/g) ?? [];
  return [
    ...new Set([...found.filter(Boolean), ...inRaw.map((email) => email.toLowerCase())]),
  ].join(', ');
}

/**
 * Who wrote the mail: the first of From, Reply-To and Sender that holds an address (spam and
 * broken clients send an empty or address-less From). Spaces inside the angle brackets, which
 * some senders put into the local part, are dropped rather than cutting the address short.
 */
function senderOf(mail: ParsedMail): Address | undefined {
  const candidates = [mail.from, mail.replyTo, headerAddress(mail, 'sender')];
  for (const candidate of candidates) {
    const found = addresses(candidate).find((entry) => entry.address.includes('@'));
    if (!found) continue;
    const rawFrom = mail.headerLines.find((line) => line.key === 'from')?.line ?? '';
    const spaced = spacedAddress(rawFrom);
    const address = candidate === mail.from && spaced ? spaced.replace(/\s+/g, '') : found.address;
    return { address: address.trim(), name: found.name.replace(/[ \t\r\n]+/g, ' ').trim() };
  }
  // "From: MAILER-DAEMON (Mail Delivery System)": a bare local name, the comment as display name.
  const bare = addresses(mail.from)[0];
  if (bare && /^[\w.-]+$/.test(bare.name)) {
    const rawFrom = mail.headerLines.find((line) => line.key === 'from')?.line ?? '';
    return { address: bare.name, name: /\(([^()]*)\)/.exec(rawFrom)?.[1]?.trim() ?? '' };
  }
  return undefined;
}

/** "<ann smith@example.com>": the first bracketed address with spaces before its @, in one pass. */
function spacedAddress(rawFrom: string): string | undefined {
  for (const [, inside] of rawFrom.matchAll(/<([^<>]*)>/g)) {
    const at = inside.indexOf('@');
    const local = inside.slice(0, at);
    const domain = inside.slice(at + 1);
    if (at > 0 && /\s/.test(local) && domain && !/\s/.test(domain)) return inside;
  }
  return undefined;
}

function headerAddress(mail: ParsedMail, name: string): AddressObject | undefined {
  const value = mail.headers.get(name);
  return value && typeof value === 'object' && 'value' in value
    ? (value as AddressObject)
    : undefined;
}

/**
 * Header fields must be ASCII, but some clients write raw 8-bit text in the body's charset
 * (GB2312, Shift_JIS, Latin-1). When the header block is not valid UTF-8, decode it with the
 * first charset the message declares, so names and subjects read as the sender meant them.
 */
function withUtf8Headers(raw: Buffer): Buffer {
  const end = headerBlockEnd(raw);
  const headers = relabelShiftJisWords(raw.subarray(0, end));
  if (headers !== raw.subarray(0, end) && !headers.some((byte) => byte > 0x7f)) {
    return Buffer.concat([headers, raw.subarray(end)]);
  }
  if (!headers.some((byte) => byte > 0x7f) || decodeAs(headers, 'utf-8') !== undefined) return raw;
  const decoded =
    declaredCharsets(raw)
      .map((charset) => decodeAs(headers, charset))
      .find((text) => text !== undefined) ?? new TextDecoder('latin1').decode(headers);
  return Buffer.concat([Buffer.from(decoded, 'utf8'), raw.subarray(end)]);
}

/** Every header field cut to MAX_HEADER_FIELD_BYTES, its continuation lines counted with it. */
function withCappedHeaderFields(raw: Buffer): Buffer {
  const end = headerBlockEnd(raw);
  if (end <= MAX_HEADER_FIELD_BYTES) return raw;
  const lines = raw.subarray(0, end).toString('latin1').split('\n');
  const kept: string[] = [];
  let fieldBytes = 0;
  let capped = false;
  for (const line of lines) {
    const before = /^[ \t]/.test(line) ? fieldBytes : 0;
    fieldBytes = before + line.length + 1;
    if (fieldBytes <= MAX_HEADER_FIELD_BYTES) {
      kept.push(line);
    } else {
      // The line that crosses the cap keeps what fits; the rest of the field is dropped.
      if (before < MAX_HEADER_FIELD_BYTES)
        kept.push(line.slice(0, MAX_HEADER_FIELD_BYTES - before));
      capped = true;
    }
  }
  if (!capped) return raw;
  return Buffer.concat([Buffer.from(kept.join('\n'), 'latin1'), raw.subarray(end)]);
}

/** ISO-2022-JP is 7-bit; an encoded word labelled so whose bytes are 8-bit is Shift_JIS. */
function relabelShiftJisWords(headers: Buffer): Buffer {
  const text = headers.toString('latin1');
  const relabelled = text.replace(
    /=\?iso-2022-jp\?b\?([A-Za-z0-9+/=]+)\?=/gi,
    (word, base64: string) =>
      Buffer.from(base64, 'base64').some((byte) => byte > 0x7f)
        ? `=?shift_jis?B?${base64}?=`
        : word,
  );
  return relabelled === text ? headers : Buffer.from(relabelled, 'latin1');
}

/**
 * Charsets the message declares, multi-byte ones first: a client that writes raw 8-bit headers is
 * most often an East Asian one, and a single-byte charset would decode anything without error.
 * ISO-2022-JP is 7-bit, so 8-bit text beside it is Shift_JIS.
 */
function declaredCharsets(raw: Buffer): string[] {
  const declared = [...raw.toString('latin1').matchAll(/charset="?([\w.:-]+)"?/gi)].map((match) =>
    match[1].toLowerCase().replace(/^iso-2022-jp$/, 'shift_jis'),
  );
  const multiByte = /gb|big5|shift|sjis|euc|ks_c|utf-8/;
  const unique = [...new Set(declared)];
  return [...unique.filter((c) => multiByte.test(c)), ...unique.filter((c) => !multiByte.test(c))];
}

function headerBlockEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  const ends = [crlf, lf].filter((index) => index !== -1);
  return ends.length ? Math.min(...ends) : raw.length;
}

function decodeAs(bytes: Buffer, charset: string): string | undefined {
  const label = /^(iso-?)?gb2312$/i.test(charset) ? 'gbk' : charset;
  try {
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const extensions: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/jpg': 'jpg',
  'text/plain': 'txt',
  'text/html': 'html',
  'message/rfc822': 'eml',
  'message/delivery-status': 'txt',
  'text/rfc822-headers': 'txt',
};

const conventionalNames: Record<string, string> = {
  'message/delivery-status': 'delivery-status.txt',
  'text/rfc822-headers': 'original-headers.txt',
};

/** A name for a part the sender did not name: an attached mail's subject, its description, its type. */
async function unnamedPartName(part: MailAttachment): Promise<string> {
  const type = part.contentType.toLowerCase();
  const [kind, subtype = 'bin'] = type.split('/');
  const extension = extensions[type] ?? subtype.replace(/^x-/, '');
  if (type === 'message/rfc822') {
    // The whole part, so that its body's charset can decode raw 8-bit headers.
    const converted = withUtf8Headers(part.content);
    const headers = converted.subarray(0, headerBlockEnd(converted));
    const embedded = await simpleParser(headers, { skipHtmlToText: true }).catch(() => undefined);
    if (embedded?.subject?.trim()) return `${embedded.subject.trim()}.eml`;
  }
  const description = headerText(part.headers, 'content-description');
  if (description) {
    return /\.\w{2,4}$/.test(description) ? description : `${description}.${extension}`;
  }
  return conventionalNames[type] ?? `${kind === 'image' ? 'image' : 'file'}.${extension}`;
}

/** The type the sender declared; mailparser replaces application/octet-stream with a guess. */
function declaredType(part: MailAttachment): string {
  const declared = part.headers.get('content-type');
  const value =
    declared && typeof declared === 'object' && 'value' in declared
      ? String(declared.value)
      : part.contentType;
  return value.toLowerCase();
}

function stripAngles(id: string | undefined): string {
  return (id ?? '').replace(/^<|>$/g, '').trim();
}
