import { fileAttachment, identity, inboundMessage, type Normalised } from '@firstline/channel';
import { Channel, IdentityKind, type Attachment } from '@firstline/contracts';
import { bareId, conversationKey, messageId } from './conversation';
import { parseCsatPayload } from './csat';
import type { OkAttachment, OkWebhook } from './ok-api';

/** What the adapter knows beside the webhook body: the group whose webhook received it. */
export interface OkContext {
  /** The OK group's id; part of every conversation key, so a reply goes out with its token. */
  groupId: string;
  /** The secret path segment the group's webhook was subscribed with (see verify.ts). */
  webhookSecret: string;
}

/**
 * One webhook body as what Firstline should do with it: a customer's message, a survey score,
 * something to ignore, or something malformed to dead-letter. Never throws.
 */
export function normaliseWebhook(
  body: OkWebhook,
  context: OkContext,
  receivedAt: Date,
): Normalised {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    return { kind: 'rejected', reason: 'an OK webhook body must be a JSON object' };
  }
  const type = body.webhookType ?? (body.message ? 'MESSAGE_CREATED' : undefined);
  switch (type) {
    case 'MESSAGE_CREATED':
      return fromMessage(body, context, receivedAt);
    case 'MESSAGE_CALLBACK':
      return fromButtonPress(body, context, receivedAt);
    case 'CHAT_SYSTEM':
      return { kind: 'ignored', reason: 'an OK chat system event, not a customer writing' };
    default:
      return { kind: 'ignored', reason: `OK webhook type ${String(type)} is not a message` };
  }
}

/** The chat, the sender and what they are called, or why the body does not name them. */
function parties(body: OkWebhook): { chatId: string; userId: string; name: string } | string {
  const chatId = body.recipient?.chat_id;
  const userId = body.sender?.user_id;
  if (typeof chatId !== 'string' || !chatId) return 'has no recipient.chat_id';
  if (typeof userId !== 'string' || !bareId(userId)) return 'has no sender.user_id';
  return { chatId, userId: bareId(userId), name: stringOr(body.sender?.name) };
}

function fromMessage(body: OkWebhook, context: OkContext, receivedAt: Date): Normalised {
  const who = parties(body);
  if (typeof who === 'string') return { kind: 'rejected', reason: `OK message ${who}` };
  const message = body.message;
  if (!message || typeof message !== 'object' || typeof message.mid !== 'string' || !message.mid) {
    return { kind: 'rejected', reason: `OK message in ${who.chatId} has no message.mid` };
  }
  const received = [
    ...listOf(message.attachments),
    ...(message.attachment ? [message.attachment] : []),
  ];
  const attachments: Attachment[] = [];
  const lines: string[] = [];
  received.forEach((attachment, index) => {
    const read = readAttachment(attachment, index);
    if (read.file) attachments.push(read.file);
    if (read.line) lines.push(read.line);
  });
  const text = [stringOr(message.text), ...lines].filter(Boolean).join('\n');
  if (!text && attachments.length === 0) {
    return {
      kind: 'rejected',
      reason: `OK message ${message.mid} has neither text nor attachments`,
    };
  }
  const metadata: Record<string, string> = {
    group_id: context.groupId,
    chat_id: who.chatId,
    mid: message.mid,
  };
  if (typeof message.seq === 'number') metadata.seq = String(message.seq);
  const inbound = inboundMessage({
    messageId: messageId(context.groupId, who.chatId, message.mid),
    channel: Channel.OK,
    sender: identity(IdentityKind.OK_USER, who.userId, who.name),
    conversationKey: conversationKey(context.groupId, who.chatId),
    textBody: text,
    replyText: text,
    attachments,
    channelMetadata: metadata,
    receivedAt,
    sentAt: sentAtOf(body),
  });
  if (typeof message.reply_to === 'string' && message.reply_to) {
    inbound.repliedMessageIds = [messageId(context.groupId, who.chatId, message.reply_to)];
  }
  return { kind: 'message', message: inbound };
}

/** A pressed CALLBACK button; Firstline's only such buttons are the CSAT survey's. */
function fromButtonPress(body: OkWebhook, context: OkContext, receivedAt: Date): Normalised {
  const csat = parseCsatPayload(body.payload);
  if (!csat) return { kind: 'ignored', reason: 'an OK button press that is not a survey answer' };
  const who = parties(body);
  if (typeof who === 'string') return { kind: 'rejected', reason: `OK button press ${who}` };
  const press = stringOr(body.callbackId) || String(body.timestamp ?? '');
  if (!press) return { kind: 'rejected', reason: 'OK button press has no callbackId' };
  const key = conversationKey(context.groupId, who.chatId);
  const text = `Rated the support ${csat.score} of 5`;
  return {
    kind: 'message',
    message: inboundMessage({
      messageId: `${key}:csat:${press}`,
      channel: Channel.OK,
      sender: identity(IdentityKind.OK_USER, who.userId, who.name),
      conversationKey: key,
      textBody: text,
      replyText: text,
      csatAnswer: csat,
      channelMetadata: { group_id: context.groupId, chat_id: who.chatId, callback_id: press },
      receivedAt,
      sentAt: sentAtOf(body),
    }),
  };
}

/** OK stamps webhooks in milliseconds. */
function sentAtOf(body: OkWebhook): Date | undefined {
  return typeof body.timestamp === 'number' ? new Date(body.timestamp) : undefined;
}

/**
 * An attachment as a file the agent can open and/or a line of text that keeps what it says:
 * a shared link, a place, a contact. OK documents the payload only for IMAGE (`id`, `token`,
 * `url`) and SHARE (`url`); for the others the adapter takes `url`, `name`/`title` and the
 * coordinates or phone when present, and otherwise names the type, so nothing vanishes silently.
 */
function readAttachment(
  attachment: OkAttachment,
  index: number,
): { file?: Attachment; line?: string } {
  const type = stringOr(attachment?.type).toUpperCase() || 'UNKNOWN';
  const payload = (attachment?.payload ?? {}) as Record<string, unknown>;
  const url = stringOr(payload.url);
  const title = stringOr(payload.title) || stringOr(payload.name);
  switch (type) {
    case 'SHARE':
      return { line: `[link: ${[title, url].filter(Boolean).join(' — ') || 'shared content'}]` };
    case 'LOCATION': {
      const { latitude, longitude } = payload as { latitude?: unknown; longitude?: unknown };
      return typeof latitude === 'number' && typeof longitude === 'number'
        ? { line: `[location: ${latitude}, ${longitude}]` }
        : { line: '[location]' };
    }
    case 'CONTACT': {
      const contact = [title, stringOr(payload.phone)].filter(Boolean).join(', ');
      return { line: contact ? `[contact: ${contact}]` : '[contact]' };
    }
    case 'IMAGE':
    case 'VIDEO':
    case 'AUDIO':
    case 'FILE':
      if (!url) return { line: `[${type.toLowerCase()} without a link]` };
      return {
        file: fileAttachment({
          url,
          fileName: title || `${type.toLowerCase()}-${index + 1}`,
          sizeBytes: typeof payload.size === 'number' ? payload.size : 0,
        }),
      };
    default:
      return { line: url ? `[${type.toLowerCase()}: ${url}]` : `[${type.toLowerCase()}]` };
  }
}

function listOf<T>(value: T[] | undefined): T[] {
  return Array.isArray(value) ? value : [];
}

function stringOr(value: unknown): string {
  return typeof value === 'string' ? value : '';
}
