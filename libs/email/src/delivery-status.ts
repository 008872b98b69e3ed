import { deliveryReceipt } from '@firstline/channel';
import { Channel, create, OutboundMessageSchema, type DeliveryReceipt } from '@firstline/contracts';

/**
 * Delivery status notifications (RFC 3464): the report a mail server sends back when it could not
 * deliver, or is still trying to deliver, one of our messages.
 */
export interface DeliveryStatusReport {
  /** Message-ID of the mail that was not delivered, without angle brackets; '' when not quoted. */
  bouncedMessageId: string;
  /** The recipient it failed for; '' when the report does not say. */
  failedRecipient: string;
  /** "failed", "delayed", "delivered", "relayed" or "expanded" (RFC 3464 §2.3.3). */
  action: string;
  /** Enhanced status code, e.g. "5.1.1"; '' when missing. */
  status: string;
  /** The remote server's own words, for the agent. */
  diagnostic: string;
  /** True when the server gave up: the message will never arrive. */
  permanent: boolean;
}

/** Reads a DSN from the raw message; undefined when the mail is not one. */
export function parseDeliveryStatus(raw: string): DeliveryStatusReport | undefined {
  const headerEnd = raw.search(/\r?\n\r?\n/);
  const topHeaders = headerEnd === -1 ? raw : raw.slice(0, headerEnd);
  const statusPart = partAfter(raw, /^Content-Type:\s*message\/(global-)?delivery-status/im);
  const isReport =
    /^Content-Type:\s*multipart\/report/im.test(unfold(topHeaders)) &&
    /report-type="?delivery-status/i.test(unfold(topHeaders));
  if (!statusPart && !isReport) return undefined;

  const fields = statusPart ?? '';
  const recipient =
    field(fields, 'Final-Recipient') ||
    field(fields, 'Original-Recipient') ||
    field(unfold(topHeaders), 'X-Failed-Recipients');
  const status = /\d\.\d{1,3}\.\d{1,3}/.exec(field(fields, 'Status'))?.[0] ?? '';
  const action =
    field(fields, 'Action').toLowerCase() || (status.startsWith('4') ? 'delayed' : 'failed');
  const original = partAfter(
    raw,
    /^Content-Type:\s*(message\/(global|rfc822)|text\/rfc822-headers)/im,
  );
  const bouncedMessageId = original
    ? (/^Message-ID:\s*<([^>\s]+)>/im.exec(original)?.[1] ?? '')
    : '';
  return {
    bouncedMessageId,
    failedRecipient: recipient
      .replace(/^(rfc822|utf-8)\s*;\s*/i, '')
      .replace(/[<>]/g, '')
      .trim()
      .toLowerCase(),
    action,
    status,
    diagnostic: field(fields, 'Diagnostic-Code').replace(/^smtp\s*;\s*/i, ''),
    permanent: action === 'failed' || status.startsWith('5'),
  };
}

/** A report that one of our mails will never arrive. */
export interface Bounce {
  /** The outbound message the mail carried, read from our Message-ID. */
  outboundId: string;
  /** Our Message-ID of the mail, without angle brackets. */
  bouncedMessageId: string;
  /** Whom it failed for, in the server's own words, for the agent. */
  reason: string;
  /** The report's own message id: one receipt per report, the same when the mail is read again. */
  reportId: string;
}

/** Why a report says the mail failed, for the agent. */
export function bounceReason(report: DeliveryStatusReport): string {
  return `${report.failedRecipient || 'the recipient'}: ${report.diagnostic || report.status || 'undeliverable'}`;
}

/**
 * The FAILED receipt a bounce stands for; `ticketId` is the outbound message's, '' when unknown.
 * Its id names the report rather than an attempt: a bounce may come long after the send, and
 * each report is told once however often its mail is read.
 */
export function bounceReceipt(bounce: Bounce, ticketId: string, now: Date): DeliveryReceipt {
  const bounced = create(OutboundMessageSchema, { outboundId: bounce.outboundId, ticketId });
  const receipt = deliveryReceipt(
    Channel.EMAIL,
    bounced,
    {
      sent: false,
      failure: { kind: 'permanent', reason: bounce.reason, recipientUnreachable: false },
    },
    now,
  );
  receipt.receiptId = `${bounce.outboundId}:FAILED:bounce:${bounce.reportId}`;
  return receipt;
}

/** The text of the MIME part whose header matches, from its header to the next boundary line. */
function partAfter(raw: string, contentType: RegExp): string | undefined {
  const match = contentType.exec(raw);
  if (!match) return undefined;
  const rest = raw.slice(match.index + match[0].length);
  const boundary = rest.search(/^--[^\s]+\s*$/m);
  return boundary === -1 ? rest : rest.slice(0, boundary);
}

function field(text: string, name: string): string {
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t]+.*)*)`, 'im').exec(text);
  return match ? match[1].replace(/\s+/g, ' ').trim() : '';
}

function unfold(headers: string): string {
  return headers.replace(/\r?\n[ \t]+/g, ' ');
}
