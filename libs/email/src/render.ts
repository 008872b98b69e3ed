import type { Readable } from 'node:stream';
import { BadInputError } from '@firstline/errors';
import { IdentityKind, type OutboundMessage } from '@firstline/contracts';
import type Mail from 'nodemailer/lib/mailer';
import { messageIds, ownMessageId, tagSubject } from './threading';

export interface RenderOptions {
  /** The support mailbox the reply comes from. */
  fromAddress: string;
  /** The domain of the Message-IDs Firstline mints. */
  messageIdDomain: string;
}

export interface RenderedMail {
  /** Our Message-ID without angle brackets: the customer's answer will refer to it. */
  messageId: string;
  /** Attachments from Firstline's store are named here without their bytes: see `withStoredFiles`. */
  mail: Mail.Options;
  /** The storage key of each of `mail.attachments`, '' for one linked by URL. */
  storageKeys: string[];
}

/**
 * An OutboundMessage as the mail nodemailer sends, but for the bytes of stored attachments, which
 * the service reads from its store. Throws BadInputError for what cannot be sent.
 */
export function render(outbound: OutboundMessage, options: RenderOptions): RenderedMail {
  const recipient = outbound.recipient;
  if (!recipient?.value || !isEmailIdentity(recipient.kind)) {
    throw new BadInputError(`outbound ${outbound.outboundId} has no email recipient`);
  }
  const messageId = ownMessageId(
    outbound.outboundId,
    outbound.ticketNumber,
    options.messageIdDomain,
  );
  // The conversation key names the thread's root; keeping it first in References keeps the
  // customer's answer in the same conversation even when In-Reply-To is all the client keeps.
  const root = outbound.conversationKey.startsWith('email:')
    ? outbound.conversationKey.slice('email:'.length)
    : '';
  const inReplyTo = messageIds(outbound.threadRefs.in_reply_to)[0];
  const references = messageIds(
    [root, outbound.threadRefs.references ?? '', inReplyTo ?? ''].join(' '),
  );
  const headers: Record<string, string> = {};
  if (outbound.automatic) {
    headers['Auto-Submitted'] = 'auto-replied';
    // Asks Exchange not to answer our automatic mail with its own out-of-office reply.
    headers['X-Auto-Response-Suppress'] = 'All';
  }

  return {
    messageId,
    mail: {
      messageId: `<${messageId}>`,
      from: { name: outbound.senderDisplayName, address: options.fromAddress },
      to: { name: recipient.displayName, address: recipient.value },
      subject: tagSubject(outbound.subject, outbound.ticketNumber),
      text: outbound.textBody,
      ...(outbound.htmlBody ? { html: outbound.htmlBody } : {}),
      ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
      ...(references.length ? { references: references.map((id) => `<${id}>`) } : {}),
      headers,
      attachments: outbound.attachments.map((attachment) => {
        const common = { filename: attachment.fileName, contentType: attachment.contentType };
        if (attachment.storageKey) {
          return { ...common, ...(attachment.contentId ? { cid: attachment.contentId } : {}) };
        }
        return { ...common, href: attachment.url };
      }),
    },
    storageKeys: outbound.attachments.map((attachment) => attachment.storageKey),
  };
}

/**
 * The mail with the bytes of its stored attachments, `files` by storage key (streams are read by
 * nodemailer while it sends, so a large file is never whole in memory). Throws BadInputError
 * for one the store does not have: sending again would not find it either.
 */
export function withStoredFiles(
  rendered: RenderedMail,
  files: ReadonlyMap<string, Buffer | Readable>,
): Mail.Options {
  return {
    ...rendered.mail,
    attachments: rendered.mail.attachments?.map((attachment, index) => {
      const storageKey = rendered.storageKeys[index];
      if (!storageKey) return attachment;
      const content = files.get(storageKey);
      if (!content) throw new BadInputError(`attachment ${storageKey} is not in the store`);
      return { ...attachment, content };
    }),
  };
}

function isEmailIdentity(kind: IdentityKind): boolean {
  return kind === IdentityKind.EMAIL || kind === IdentityKind.WEBFORM_EMAIL;
}
