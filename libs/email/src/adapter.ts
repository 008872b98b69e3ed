import type { ChannelAdapter, Normalised } from '@firstline/channel';
import { Channel } from '@firstline/contracts';
import { bounceReason, type Bounce } from './delivery-status';
import { classifySmtpError } from './errors';
import { normalise } from './normalise';
import { render, type RenderedMail } from './render';
import { parseOwnMessageId } from './threading';

/** What the adapter knows beside a raw mail: the support address and its limits. */
export interface EmailContext {
  /** The support address replies come from; '' where nothing is sent (no SMTP configured). */
  fromAddress: string;
  /**
   * The domain of the Message-IDs Firstline mints. Unset: the domain of `fromAddress` for ours,
   * and any Message-ID of our shape counts as ours when reading replies and bounces.
   */
  messageIdDomain?: string;
  /** Larger attachments are listed without their bytes (default 25 MB). */
  maxAttachmentBytes?: number;
  /** Time for reading one mail (default 2 s): see `NormaliseOptions.timeBudgetMs`. */
  timeBudgetMs?: number;
}

/** What one raw mail is for Firstline; beside it, the bounce of one of our mails it reports. */
export interface ReadMail {
  result: Normalised;
  /** Set for a bounce of our own mail: publish `bounceReceipt` with the result. */
  bounce?: Bounce;
}

/**
 * One raw RFC 5322 mail as the contract's Normalised. A mail that cannot be parsed, or names no
 * sender, is rejected with the reason. Mail written by machines is still a message (marked `auto_response`: the
 * router decides, docs/adr/0013), except the server's reports on our own mail: a delay notice is
 * ignored (the server keeps trying) and a bounce is ignored as a message and returned as a bounce.
 */
export async function readMail(
  raw: Buffer,
  context: EmailContext,
  receivedAt: Date,
): Promise<ReadMail> {
  if (!Buffer.isBuffer(raw))
    return { result: { kind: 'rejected', reason: 'not the bytes of a mail' } };
  let mail;
  try {
    mail = await normalise(raw, {
      receivedAt,
      ownDomain: context.messageIdDomain,
      maxAttachmentBytes: context.maxAttachmentBytes,
      timeBudgetMs: context.timeBudgetMs,
    });
  } catch (error) {
    // Whatever the parser tripped over, the next attempt would trip again and hold up the mailbox.
    const reason = error instanceof Error ? error.message : String(error);
    return { result: { kind: 'rejected', reason } };
  }
  const { message, files, deliveryStatus } = mail;
  const bounced = deliveryStatus?.bouncedMessageId ?? '';
  const ours = bounced ? parseOwnMessageId(bounced, context.messageIdDomain) : undefined;
  if (!deliveryStatus || !ours) {
    // Nobody to answer: the router could not route it either, and the dead letter keeps the mail.
    if (!message.sender?.value) {
      return {
        result: { kind: 'rejected', reason: 'no sender address in From, Reply-To or Sender' },
      };
    }
    return { result: { kind: 'message', message, files } };
  }
  if (!deliveryStatus.permanent) {
    return {
      result: {
        kind: 'ignored',
        reason: `delivery of our ${bounced} delayed (${deliveryStatus.status || deliveryStatus.action}); the server keeps trying`,
      },
    };
  }
  return {
    result: { kind: 'ignored', reason: `bounce of our ${bounced}: reported in a delivery receipt` },
    bounce: {
      outboundId: ours.outboundId,
      bouncedMessageId: bounced,
      reason: bounceReason(deliveryStatus),
      reportId: message.messageId,
    },
  };
}

/**
 * The email channel as the adapter contract (libs/channel) describes it. No verify: mail is read
 * from a mailbox the adapter logs in to, so no stranger can hand it a request to forge.
 */
export const emailAdapter: ChannelAdapter<Buffer, EmailContext, RenderedMail> = {
  channel: Channel.EMAIL,
  normalise: async (raw, context, receivedAt) => (await readMail(raw, context, receivedAt)).result,
  render: (message, context) =>
    render(message, {
      fromAddress: context.fromAddress,
      messageIdDomain: context.messageIdDomain ?? context.fromAddress.split('@')[1] ?? '',
    }),
  classifyError: classifySmtpError,
};
