import { BadInputError } from '@firstline/errors';
import {
  AttachmentSchema,
  Channel,
  create,
  IdentityKind,
  IdentitySchema,
  InboundMessageSchema,
  timestampFromDate,
  timestampFromMs,
  type Attachment,
  type Identity,
  type InboundMessage,
} from '@firstline/contracts';
import type { CallbackQuery, Message, Update, User } from 'grammy/types';
import { fileLink } from './file-links';
import {
  callbackMessageId,
  conversationKey,
  editMessageId,
  inboundMessageId,
  parseCsatCallbackData,
} from './ids';

/** The bot an update came to, and where the adapter serves the files it received. */
export interface BotContext {
  /** The bot's name in TELEGRAM_BOTS, part of every id and key. */
  name: string;
  /** Base URL of the adapter's file route; attachments link to `<base>/telegram/<bot>/files/<file_id>`. */
  filesBaseUrl: string;
  /** What file links are signed with (fileLinkKey), and how long they open the file. */
  fileLinkKey: Uint8Array;
  fileLinkTtlSeconds: number;
}

/**
 * Turns one Bot API update into an InboundMessage, or undefined for updates that are not a
 * customer talking to support (group chats, channel posts, member changes, foreign buttons).
 * Throws BadInputError for an update that claims to be a message but lacks what every message has.
 */
export function normalise(
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): InboundMessage | undefined {
  if (update.message) return fromMessage(update.message, update, bot, receivedAt);
  if (update.edited_message) return fromMessage(update.edited_message, update, bot, receivedAt);
  if (update.callback_query) {
    return fromCallbackQuery(update.callback_query, update, bot, receivedAt);
  }
  return undefined;
}

function fromMessage(
  message: Message,
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): InboundMessage | undefined {
  // Support happens in private chats; a bot added to a group is not a customer writing to us.
  if (message.chat?.type !== 'private') return undefined;
  if (!message.from || typeof message.message_id !== 'number') {
    throw new BadInputError(`Telegram update ${update.update_id}: message without sender or id`);
  }
  const originalId = inboundMessageId(bot.name, message.chat.id, message.message_id);
  const content = contentOf(message, bot, receivedAt);
  const startPayload = /^\/start(?:@\w+)?\s+(\S+)/.exec(message.text ?? '')?.[1];
  const isEdit = message.edit_date !== undefined;
  return create(InboundMessageSchema, {
    messageId: isEdit ? editMessageId(originalId, message.edit_date!) : originalId,
    editOfMessageId: isEdit ? originalId : undefined,
    channel: Channel.TELEGRAM,
    sender: senderOf(message.from),
    conversationKey: conversationKey(bot.name, message.chat.id),
    textBody: content.text,
    attachments: content.attachments,
    sharedIdentities: content.sharedIdentities,
    linkToken: startPayload,
    channelMetadata: {
      bot: bot.name,
      chat_type: message.chat.type,
      update_id: String(update.update_id),
      telegram_message_id: String(message.message_id),
      content_kind: content.kind,
      ...(message.from.username ? { username: message.from.username } : {}),
      ...content.metadata,
    },
    receivedAt: timestampFromDate(receivedAt),
    sentAt: timestampFromMs((message.edit_date ?? message.date) * 1000),
    // The language of the user's Telegram app: what they read our texts in.
    language: message.from.language_code ?? '',
  });
}

function fromCallbackQuery(
  query: CallbackQuery,
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): InboundMessage | undefined {
  const answer = parseCsatCallbackData(query.data ?? '');
  if (!answer) return undefined;
  // The button sits under our survey message; without it (too old) the private chat id is the user id.
  const chatId = query.message?.chat.id ?? query.from.id;
  return create(InboundMessageSchema, {
    messageId: callbackMessageId(bot.name, query.id),
    channel: Channel.TELEGRAM,
    sender: senderOf(query.from),
    conversationKey: conversationKey(bot.name, chatId),
    textBody: `CSAT: ${answer.score} of 5`,
    csatAnswer: answer,
    channelMetadata: {
      bot: bot.name,
      update_id: String(update.update_id),
      content_kind: 'csat_answer',
      callback_query_id: query.id,
    },
    receivedAt: timestampFromDate(receivedAt),
  });
}

interface Content {
  kind: string;
  text: string;
  attachments: Attachment[];
  sharedIdentities: Identity[];
  metadata: Record<string, string>;
}

function contentOf(message: Message, bot: BotContext, receivedAt: Date): Content {
  const text = message.text ?? message.caption ?? '';
  const content = (kind: string, extra: Partial<Content> = {}): Content => ({
    kind,
    text,
    attachments: [],
    sharedIdentities: [],
    metadata: {},
    ...extra,
  });
  const file = (fileId: string, fileName: string, contentType: string, size?: number) =>
    create(AttachmentSchema, {
      url: fileLink(
        bot.filesBaseUrl,
        {
          bot: bot.name,
          fileId,
          fileName,
          expires: Math.floor(receivedAt.getTime() / 1000) + bot.fileLinkTtlSeconds,
        },
        bot.fileLinkKey,
      ),
      fileName,
      contentType,
      sizeBytes: size ?? 0,
    });

  if (message.photo?.length) {
    // Telegram sends every size it made; the last is the original resolution.
    const photo = message.photo[message.photo.length - 1];
    return content('photo', {
      attachments: [
        file(photo.file_id, `photo-${photo.file_unique_id}.jpg`, 'image/jpeg', photo.file_size),
      ],
    });
  }
  if (message.document) {
    const { document } = message;
    return content('document', {
      attachments: [
        file(
          document.file_id,
          document.file_name ?? `document-${document.file_unique_id}`,
          document.mime_type ?? 'application/octet-stream',
          document.file_size,
        ),
      ],
    });
  }
  if (message.voice) {
    const { voice } = message;
    return content('voice', {
      attachments: [
        file(
          voice.file_id,
          `voice-${voice.file_unique_id}.ogg`,
          voice.mime_type ?? 'audio/ogg',
          voice.file_size,
        ),
      ],
      metadata: { duration_seconds: String(voice.duration) },
    });
  }
  if (message.video) {
    const { video } = message;
    return content('video', {
      attachments: [
        file(
          video.file_id,
          video.file_name ?? `video-${video.file_unique_id}.mp4`,
          video.mime_type ?? 'video/mp4',
          video.file_size,
        ),
      ],
      metadata: { duration_seconds: String(video.duration) },
    });
  }
  if (message.sticker) {
    // A sticker says little an agent can act on; its emoji stands in for it.
    return content('sticker', {
      text: `[sticker${message.sticker.emoji ? ` ${message.sticker.emoji}` : ''}]`,
    });
  }
  if (message.location) {
    const { latitude, longitude } = message.location;
    return content('location', {
      text: `[location ${latitude}, ${longitude}]`,
      metadata: { latitude: String(latitude), longitude: String(longitude) },
    });
  }
  if (message.contact) {
    const { contact } = message;
    const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
    const phone = e164(contact.phone_number);
    // Only the user's own contact proves their number; a friend's card is just information.
    const own = contact.user_id !== undefined && contact.user_id === message.from?.id;
    return content('contact', {
      text: `[contact ${name} ${phone}]`,
      sharedIdentities: own
        ? [create(IdentitySchema, { kind: IdentityKind.PHONE, value: phone, displayName: name })]
        : [],
      metadata: { contact_phone: phone },
    });
  }
  if (message.text !== undefined) return content('text');
  // Polls, games, audio, round videos: recorded so the customer is not ignored, shown as what they are.
  return content('unsupported', { text: text || '[a kind of message Firstline cannot show yet]' });
}

function senderOf(user: User): Identity {
  return create(IdentitySchema, {
    kind: IdentityKind.TELEGRAM_USER,
    value: String(user.id),
    displayName: [user.first_name, user.last_name].filter(Boolean).join(' '),
  });
}

/** Telegram gives phone numbers with or without "+", digits only otherwise. */
function e164(phone: string): string {
  return `+${phone.replace(/\D/g, '')}`;
}
