import { fileAttachment, identity, inboundMessage, type Normalised } from '@firstline/channel';
import { Channel, IdentityKind, type Identity } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import type { CallbackQuery, Message, Update, User } from 'grammy/types';
import { messageContent, type MessageContent, type ReceivedFile } from './content';
import { fileLink } from './file-links';
import {
  callbackMessageId,
  chatMessageId,
  conversationKey,
  editMessageId,
  parseCsatCallbackData,
} from './ids';
import { forwardOrigin, quoted, replyContext } from './quoting';

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
 * One Bot API update as what Firstline should do with it: a customer's message or CSAT answer;
 * `ignored` for what is not a customer writing to support (ADR 0008 lists it); `rejected` for an
 * update that claims to be one but cannot be read. Never throws: a thrown error would answer the
 * webhook with 500, which Telegram retries for ever, and stop long polling at that update.
 */
export async function normalise(
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): Promise<Normalised> {
  try {
    return readUpdate(update, bot, receivedAt);
  } catch (error) {
    // Anything that fails while reading (a TypeError from a field of the wrong shape included)
    // is the payload's fault: its shape is Telegram's, not ours to trust.
    const reason = error instanceof BadInputError ? error.message : `unreadable (${String(error)})`;
    return { kind: 'rejected', reason: `Telegram update ${update?.update_id}: ${reason}` };
  }
}

function readUpdate(update: Update, bot: BotContext, receivedAt: Date): Normalised {
  if (typeof update?.update_id !== 'number')
    throw new BadInputError('not an update (no update_id)');
  if (update.message) return readMessage(update.message, 'new', update, bot, receivedAt);
  if (update.edited_message)
    return readMessage(update.edited_message, 'edit', update, bot, receivedAt);
  if (update.callback_query)
    return readCallbackQuery(update.callback_query, update, bot, receivedAt);
  const kind = Object.keys(update).find(
    (key) => key !== 'update_id' && present(update[key as keyof Update]),
  );
  if (!kind) return ignored('an update with nothing in it');
  return ignored(IGNORED_UPDATES[kind] ?? `a ${kind} update, which is not a customer writing`);
}

/** Update kinds a support bot does not act on, and why. */
const IGNORED_UPDATES: Record<string, string> = {
  channel_post: 'a channel post: support happens in private chats',
  edited_channel_post: 'a channel post: support happens in private chats',
  business_message:
    'a business account’s chat: answering it needs its business connection, which Firstline does not use',
  edited_business_message:
    'a business account’s chat: answering it needs its business connection, which Firstline does not use',
  my_chat_member: 'the bot’s own membership changed (e.g. the user blocked or restarted it)',
  chat_member: 'a chat member changed',
  chat_join_request: 'a request to join a group',
  message_reaction: 'a reaction, not a message',
  message_reaction_count: 'a reaction, not a message',
  inline_query: 'inline mode, which support bots do not offer',
  chosen_inline_result: 'inline mode, which support bots do not offer',
};

/**
 * Fields of service messages: Telegram's notes about the chat (members, titles, pins, payments,
 * permissions), not the customer writing. An invoice is the bot's own offer, forwarded or not.
 */
const SERVICE_FIELDS = [
  'new_chat_members',
  'left_chat_member',
  'new_chat_title',
  'new_chat_photo',
  'delete_chat_photo',
  'group_chat_created',
  'supergroup_chat_created',
  'channel_chat_created',
  'message_auto_delete_timer_changed',
  'migrate_to_chat_id',
  'migrate_from_chat_id',
  'pinned_message',
  'invoice',
  'successful_payment',
  'refunded_payment',
  'connected_website',
  'write_access_allowed',
  'passport_data',
  'proximity_alert_triggered',
  'boost_added',
  'chat_background_set',
  'checklist_tasks_done',
  'checklist_tasks_added',
  'direct_message_price_changed',
  'paid_message_price_changed',
  'forum_topic_created',
  'forum_topic_edited',
  'forum_topic_closed',
  'forum_topic_reopened',
  'general_forum_topic_hidden',
  'general_forum_topic_unhidden',
  'giveaway_created',
  'giveaway_winners',
  'giveaway_completed',
  'gift',
  'unique_gift',
  'gift_upgrade_sent',
  'video_chat_scheduled',
  'video_chat_started',
  'video_chat_ended',
  'video_chat_participants_invited',
] as const;

function readMessage(
  message: Message,
  kind: 'new' | 'edit',
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): Normalised {
  const { chat } = message;
  if (typeof chat?.id !== 'number' || typeof chat.type !== 'string') {
    throw new BadInputError('a message without its chat');
  }
  // Support happens in private chats; a bot added to a group is not a customer writing to us.
  if (chat.type !== 'private')
    return ignored(`a message in a ${chat.type} chat: support happens in private chats`);
  if (typeof message.message_id !== 'number' || typeof message.date !== 'number') {
    throw new BadInputError('a message without message_id or date');
  }
  const from = message.from;
  if (typeof from?.id !== 'number') throw new BadInputError('a message without its sender (from)');
  const service = SERVICE_FIELDS.find((field) => present(message[field as keyof Message]));
  if (service) return ignored(`a service message (${service}), not the customer writing`);
  // Only the message that starts a live location is the customer's; each move of it is an edit.
  if (kind === 'edit' && message.location) return ignored('a live location moving');
  if (kind === 'edit' && typeof message.edit_date !== 'number') {
    throw new BadInputError('an edited message without edit_date');
  }

  const originalId = chatMessageId(bot.name, chat.id, message.message_id);
  const content = messageContent(message);
  const forwardedFrom = forwardOrigin(message);
  const reply = replyContext(message);
  const ownText = forwardedFrom
    ? [`Forwarded from ${forwardedFrom}:`, content.text && quoted(content.text)]
        .filter(Boolean)
        .join('\n')
    : content.text;
  const textBody = [
    reply && `In reply to${reply.author ? ` ${reply.author}` : ''}:\n${quoted(reply.text)}`,
    ownText,
  ]
    .filter(Boolean)
    .join('\n\n');
  const startPayload = /^\/start(?:@\w+)?\s+(\S+)/.exec(content.words)?.[1];
  const edited = kind === 'edit' ? message.edit_date! : undefined;
  // Only a reply within this chat names a message of ours; `external_reply` is another chat's.
  const repliedTo = message.reply_to_message?.message_id;

  return {
    kind: 'message',
    message: inboundMessage({
      messageId: edited ? editMessageId(originalId, edited) : originalId,
      editOfMessageId: edited ? originalId : undefined,
      channel: Channel.TELEGRAM,
      sender: senderOf(from),
      conversationKey: conversationKey(bot.name, chat.id),
      textBody,
      // A forward carries nobody's words of the customer's own.
      replyText: forwardedFrom ? '' : content.text,
      attachments: content.files.map((file) => attachment(file, bot, receivedAt)),
      sharedIdentities: ownPhones(content, from),
      repliedMessageIds:
        typeof repliedTo === 'number' ? [chatMessageId(bot.name, chat.id, repliedTo)] : [],
      linkToken: startPayload,
      channelMetadata: {
        bot: bot.name,
        chat_type: chat.type,
        update_id: String(update.update_id),
        telegram_message_id: String(message.message_id),
        content_kind: content.kind,
        ...(from.username ? { username: from.username } : {}),
        ...(forwardedFrom ? { forwarded_from: forwardedFrom } : {}),
        ...(typeof repliedTo === 'number' ? { reply_to_message_id: String(repliedTo) } : {}),
        ...content.metadata,
      },
      receivedAt,
      sentAt: new Date((edited ?? message.date) * 1000),
      // The language of the user's Telegram app: what they read our texts in.
      language: from.language_code ?? '',
    }),
  };
}

function readCallbackQuery(
  query: CallbackQuery,
  update: Update,
  bot: BotContext,
  receivedAt: Date,
): Normalised {
  if (typeof query.id !== 'string' || typeof query.from?.id !== 'number') {
    throw new BadInputError('a button press without its id or sender (from)');
  }
  const answer = parseCsatCallbackData(typeof query.data === 'string' ? query.data : '');
  if (!answer) return ignored('a button press that does not answer our survey');
  // The button sits under our survey message; without it (too old) the private chat id is the user id.
  const chatId =
    typeof query.message?.chat?.id === 'number' ? query.message.chat.id : query.from.id;
  return {
    kind: 'message',
    message: inboundMessage({
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
      receivedAt,
    }),
  };
}

function senderOf(user: User): Identity {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ');
  return identity(IdentityKind.TELEGRAM_USER, String(user.id), name);
}

/** Only the user's own contact proves their number; a friend's card is just information. */
function ownPhones(content: MessageContent, from: User): Identity[] {
  return content.contacts.flatMap(({ name, phone, userId }) =>
    phone && userId === from.id ? [identity(IdentityKind.PHONE, phone, name)] : [],
  );
}

function attachment(file: ReceivedFile, bot: BotContext, receivedAt: Date) {
  const expires = Math.floor(receivedAt.getTime() / 1000) + bot.fileLinkTtlSeconds;
  return fileAttachment({
    url: fileLink(
      bot.filesBaseUrl,
      { bot: bot.name, fileId: file.fileId, fileName: file.fileName, expires },
      bot.fileLinkKey,
    ),
    fileName: file.fileName,
    contentType: file.contentType,
    sizeBytes: file.sizeBytes,
  });
}

function ignored(reason: string): Normalised {
  return { kind: 'ignored', reason };
}

/**
 * Whether a field is really there: relays that serialise every member send `null`, `false`, `0`
 * or `[]` for what Telegram left out (`"edit_date": null`, `"migrate_to_chat_id": 0`).
 */
function present(value: unknown): boolean {
  return (
    value !== undefined &&
    value !== null &&
    value !== false &&
    value !== 0 &&
    !(Array.isArray(value) && value.length === 0)
  );
}
