import {
  Channel,
  create,
  IdentityKind,
  IdentitySchema,
  OutboundMessageSchema,
  timestampDate,
  type OutboundMessage,
} from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import { fillText, type CustomerTexts } from '@firstline/routing';

/** A message to the customer as their status page shows it. */
export interface StatusPageReply {
  /** The page's key. */
  statusToken: string;
  /** The page shows the message under this id, and its receipt names it. */
  outboundId: string;
  ticketId: string;
  text: string;
  /** Unset when tickets named nobody: the page then shows the team, in the customer's language. */
  senderDisplayName?: string;
  automatic: boolean;
  createdAt: Date;
  /** Files the customer downloads from the page, from Firstline's attachment store. */
  attachments: ReplyFile[];
}

/** A file of a reply, as the page lists it and its download route finds it. */
export interface ReplyFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

const CONVERSATION_PREFIX = 'webform:';

/**
 * The status page a message goes to. The page shows the text: HTML is the email channel's, and
 * the email copy carries the attachments.
 */
export function renderReply(message: OutboundMessage, now: Date = new Date()): StatusPageReply {
  if (!message.conversationKey.startsWith(CONVERSATION_PREFIX)) {
    throw new BadInputError(
      `outbound ${message.outboundId}: "${message.conversationKey}" is not a web-form conversation`,
    );
  }
  return {
    statusToken: message.conversationKey.slice(CONVERSATION_PREFIX.length),
    outboundId: message.outboundId,
    ticketId: message.ticketId,
    text: message.textBody,
    senderDisplayName: message.senderDisplayName || undefined,
    automatic: message.automatic,
    createdAt: message.createdAt ? timestampDate(message.createdAt) : now,
    attachments: message.attachments
      .filter((file) => file.storageKey)
      .map(({ storageKey, fileName, contentType, sizeBytes }) => ({
        storageKey,
        fileName,
        contentType,
        sizeBytes,
      })),
  };
}

/** Where an email copy goes and what its footer links to. */
export interface EmailCopyAddress {
  email: string;
  customerName: string;
  /** The customer's status page. */
  statusLink: string;
  /** The "this is me" link, until the address is proven (docs/adr/0014-identity.md). */
  verificationLink?: string;
}

/**
 * The same message for the customer's mailbox, on the email channel under an id of its own
 * (`<outbound id>:email`), with the link back to the status page under the text.
 */
export function emailCopyOf(
  message: OutboundMessage,
  address: EmailCopyAddress,
  texts: CustomerTexts,
): OutboundMessage {
  const footer = [
    fillText(texts.statusLink, { link: address.statusLink }),
    address.verificationLink && fillText(texts.verifyLink, { link: address.verificationLink }),
  ]
    .filter(Boolean)
    .join('\n');
  return create(OutboundMessageSchema, {
    ...message,
    outboundId: `${message.outboundId}:email`,
    channel: Channel.EMAIL,
    recipient: create(IdentitySchema, {
      kind: IdentityKind.EMAIL,
      value: address.email,
      displayName: address.customerName,
    }),
    textBody: `${message.textBody}\n\n--\n${footer}\n`,
    // The HTML version would lack the links; the email channel renders the text.
    htmlBody: '',
    threadRefs: {},
  });
}
