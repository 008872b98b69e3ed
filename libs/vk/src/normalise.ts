import { BadInputError } from '@firstline/errors';
import {
  AttachmentSchema,
  Channel,
  CsatAnswerSchema,
  create,
  IdentityKind,
  IdentitySchema,
  InboundMessageSchema,
  timestampFromDate,
  timestampFromMs,
  type Attachment,
  type InboundMessage,
} from '@firstline/contracts';
import { conversationKey, messageId } from './conversation';
import { parseCsatPayload } from './csat';
import type { VkAttachment, VkEvent, VkMessage, VkMessageEvent } from './vk-api';

/** What the adapter knows beside the event itself. */
export interface NormaliseContext {
  /** When the adapter accepted the event; SLA clocks start here. */
  receivedAt: Date;
  /** The sender's name from users.get, when known; display only. */
  senderName?: string;
}

/**
 * The VK user who caused the event, for name resolution; undefined for other event types and for
 * malformed events, which normalise() then reports.
 */
export function senderOf(event: VkEvent): number | undefined {
  const object = event.object as
    { message?: VkMessage; from_id?: number; user_id?: number } | undefined;
  switch (event.type) {
    case 'message_new':
      return object?.message?.from_id;
    case 'message_edit':
      return object?.from_id;
    case 'message_event':
      return object?.user_id;
    default:
      return undefined;
  }
}

/**
 * One Callback API / Bots Long Poll event as an InboundMessage, or undefined for events that are
 * not a customer's message (our own replies, typing, joins). Throws BadInputError for an event
 * whose object lacks what its type promises.
 */
export function normalise(event: VkEvent, context: NormaliseContext): InboundMessage | undefined {
  try {
    switch (event.type) {
      case 'message_new':
        return withClientLanguage(fromMessage(event.group_id, messageOf(event), context), event);
      case 'message_edit':
        return fromEdit(event.group_id, event.object as VkMessage, context);
      case 'message_event':
        return fromButtonPress(event, event.object as VkMessageEvent, context);
      default:
        return undefined;
    }
  } catch (error) {
    if (error instanceof BadInputError) throw error;
    throw new BadInputError(`VK ${event.type} event ${event.event_id ?? ''} is malformed`, {
      cause: error,
    });
  }
}

/** API 5.103+ wraps the new message with the client's capabilities: `{ message, client_info }`. */
function messageOf(event: VkEvent): VkMessage {
  const object = event.object as { message?: VkMessage };
  if (!object?.message)
    throw new BadInputError(`VK message_new event ${event.event_id} has no message`);
  return object.message;
}

function fromMessage(
  groupId: number,
  message: VkMessage,
  context: NormaliseContext,
): InboundMessage {
  const placeholders: string[] = [];
  const attachments: Attachment[] = [];
  const metadata: Record<string, string> = {
    group_id: String(groupId),
    peer_id: String(message.peer_id),
    vk_message_id: String(message.id),
    conversation_message_id: String(message.conversation_message_id),
  };
  for (const attachment of message.attachments ?? []) {
    const file = attachmentOf(attachment);
    if (file) attachments.push(file);
    else if (attachment.type === 'sticker') {
      placeholders.push('[sticker]');
      metadata.sticker_id = String(
        (attachment as { sticker: { sticker_id: number } }).sticker.sticker_id,
      );
    } else placeholders.push(`[${attachment.type}]`);
  }
  if (message.geo) {
    const { latitude, longitude } = message.geo.coordinates;
    const place = message.geo.place?.title ? ` (${message.geo.place.title})` : '';
    placeholders.push(`[location: ${latitude}, ${longitude}${place}]`);
    metadata.geo_latitude = String(latitude);
    metadata.geo_longitude = String(longitude);
  }
  const text = [message.text, ...placeholders].filter(Boolean).join('\n');
  if (message.conversation_message_id === undefined || message.peer_id === undefined) {
    throw new BadInputError(`VK message ${message.id} has no peer_id or conversation_message_id`);
  }
  return create(InboundMessageSchema, {
    messageId: messageId(groupId, message.peer_id, message.conversation_message_id),
    channel: Channel.VK,
    sender: create(IdentitySchema, {
      kind: IdentityKind.VK_USER,
      value: String(message.from_id),
      displayName: context.senderName ?? '',
    }),
    conversationKey: conversationKey(groupId, message.peer_id),
    textBody: text,
    replyText: text,
    attachments,
    channelMetadata: metadata,
    receivedAt: timestampFromDate(context.receivedAt),
    sentAt: timestampFromMs(message.date * 1000),
  });
}

/**
 * VK's `client_info.lang_id` names the language of the user's VK app (0 Russian, 3 English); the
 * others, which Firstline does not answer in, leave it to the router to read the text.
 */
const VK_LANGUAGES: Record<number, string> = { 0: 'ru', 3: 'en' };

function withClientLanguage(inbound: InboundMessage, event: VkEvent): InboundMessage {
  const langId = (event.object as { client_info?: { lang_id?: unknown } }).client_info?.lang_id;
  if (typeof langId === 'number' && VK_LANGUAGES[langId]) inbound.language = VK_LANGUAGES[langId];
  return inbound;
}

/** An edit gets an id of its own and points at the message it changes. */
function fromEdit(groupId: number, message: VkMessage, context: NormaliseContext): InboundMessage {
  const inbound = fromMessage(groupId, message, context);
  const original = inbound.messageId;
  inbound.messageId = `${original}:edit:${message.update_time ?? message.date}`;
  inbound.editOfMessageId = original;
  if (message.update_time) inbound.sentAt = timestampFromMs(message.update_time * 1000);
  return inbound;
}

/** A callback button press; Firstline's only callback buttons are the CSAT survey's. */
function fromButtonPress(
  event: VkEvent,
  press: VkMessageEvent,
  context: NormaliseContext,
): InboundMessage | undefined {
  const csat = parseCsatPayload(press.payload);
  if (!csat) return undefined;
  const key = conversationKey(event.group_id, press.peer_id);
  return create(InboundMessageSchema, {
    messageId: `${key}:csat:${press.event_id}`,
    channel: Channel.VK,
    sender: create(IdentitySchema, {
      kind: IdentityKind.VK_USER,
      value: String(press.user_id),
      displayName: context.senderName ?? '',
    }),
    conversationKey: key,
    textBody: `Rated the support ${csat.score} of 5`,
    replyText: `Rated the support ${csat.score} of 5`,
    csatAnswer: create(CsatAnswerSchema, csat),
    channelMetadata: {
      group_id: String(event.group_id),
      peer_id: String(press.peer_id),
      button_event_id: press.event_id,
    },
    receivedAt: timestampFromDate(context.receivedAt),
  });
}

function attachmentOf(attachment: VkAttachment): Attachment | undefined {
  switch (attachment.type) {
    case 'photo': {
      const { photo } = attachment as Extract<VkAttachment, { type: 'photo' }>;
      const largest = photo.sizes.reduce((best, size) =>
        size.width * size.height > best.width * best.height ? size : best,
      );
      return create(AttachmentSchema, {
        url: largest.url,
        fileName: `photo${photo.owner_id}_${photo.id}.jpg`,
        contentType: 'image/jpeg',
      });
    }
    case 'doc': {
      const { doc } = attachment as Extract<VkAttachment, { type: 'doc' }>;
      return create(AttachmentSchema, {
        url: doc.url,
        fileName: doc.title,
        contentType: DOC_TYPES[doc.ext.toLowerCase()] ?? 'application/octet-stream',
        sizeBytes: doc.size,
      });
    }
    case 'audio_message': {
      const voice = (attachment as Extract<VkAttachment, { type: 'audio_message' }>).audio_message;
      return create(AttachmentSchema, {
        url: voice.link_ogg,
        fileName: `voice${voice.owner_id}_${voice.id}.ogg`,
        contentType: 'audio/ogg',
      });
    }
    default:
      return undefined;
  }
}

/** VK names a document's type only by its extension. */
const DOC_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
