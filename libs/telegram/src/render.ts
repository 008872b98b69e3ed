import { conversationOf } from '@firstline/channel';
import type { Attachment, OutboundMessage } from '@firstline/contracts';
import { BadInputError, PermanentError } from '@firstline/errors';
import { escapeHtml, splitHtml, toTelegramHtml } from './html';
import { csatCallbackData, parseConversationKey } from './ids';

/** Telegram's limit on a message's text (https://core.telegram.org/bots/api#sendmessage). */
export const MESSAGE_LIMIT = 4096;

export interface InlineKeyboard {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

/**
 * Bot API limits on what a bot sends (https://core.telegram.org/bots/api#sendphoto,
 * #senddocument, #sendmediagroup): a photo of at most 10 MB, any file of at most 50 MB, a caption
 * of at most 1,024 characters, 2–10 files in one album.
 */
export const PHOTO_LIMIT_BYTES = 10 * 1024 * 1024;
export const DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;
export const CAPTION_LIMIT = 1024;
export const MEDIA_GROUP_LIMIT = 10;

/** Image types Telegram shows as photos; every other file, and a photo above 10 MB, goes as a document. */
const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp']);

/**
 * A file a call uploads: the attachment whose bytes the sender reads, and the most the call may
 * carry. The sender puts the bytes (grammY's InputFile) where the call names the file.
 */
export interface OutboundFile {
  attachment: Attachment;
  kind: 'photo' | 'document';
  /** PHOTO_LIMIT_BYTES or DOCUMENT_LIMIT_BYTES: checked again on the bytes once they are read. */
  limitBytes: number;
}

interface Caption {
  caption?: string;
  parse_mode?: 'HTML';
}

type ReplyParameters = { message_id: number; allow_sending_without_reply: true };

/** One album item (InputMediaPhoto / InputMediaDocument): photos and documents never share an album. */
export interface InputMedia<F> extends Caption {
  type: 'photo' | 'document';
  media: F;
}

/** One Bot API call, with the parameters as the Bot API names them; `F` is how a file is given. */
export type BotApiCall<F = OutboundFile> =
  | {
      method: 'sendMessage';
      payload: {
        chat_id: string;
        text: string;
        parse_mode: 'HTML';
        reply_parameters?: ReplyParameters;
        reply_markup?: InlineKeyboard;
      };
    }
  | {
      method: 'sendPhoto';
      payload: Caption & { chat_id: string; photo: F; reply_parameters?: ReplyParameters };
    }
  | {
      method: 'sendDocument';
      payload: Caption & { chat_id: string; document: F; reply_parameters?: ReplyParameters };
    }
  | {
      method: 'sendMediaGroup';
      payload: { chat_id: string; media: Array<InputMedia<F>>; reply_parameters?: ReplyParameters };
    };

/** Which bot sends to which chat, and the calls that make up the message, in order. */
export interface RenderedMessage {
  bot: string;
  chatId: string;
  /** Part `n` of the message is call `n - 1`: `<outboundId>:<n>` names it in the sent-part record. */
  outboundId: string;
  calls: BotApiCall[];
}

/**
 * Turns an OutboundMessage into Bot API calls: its text in Telegram's HTML, split into parts of at
 * most 4,096 characters; its files uploaded, photos and other files each in albums of up to ten
 * (one file alone goes by sendPhoto or sendDocument), with the text as the caption of the first
 * file when it fits in 1,024 characters and sent before them otherwise; a CSAT survey's 1–5
 * buttons under the last text part. Throws BadInputError for a message that cannot be sent as
 * given and PermanentError for a file above Telegram's limits.
 */
export function render(message: OutboundMessage): RenderedMessage {
  const conversation = conversationOf(message, parseConversationKey, 'a Telegram conversation key');
  const chatId = message.threadRefs.chat_id ?? conversation.chatId;
  const html = message.htmlBody
    ? toTelegramHtml(message.htmlBody)
    : escapeHtml(message.textBody.trim());
  if (!html && message.attachments.length === 0) {
    throw new BadInputError(`outbound ${message.outboundId}: no text and no attachments to send`);
  }
  const files = message.attachments.map((attachment) => outboundFile(message, attachment));
  const replyTo = Number(message.threadRefs.reply_to_message_id);
  const replyParameters: ReplyParameters | undefined =
    Number.isInteger(replyTo) && replyTo > 0
      ? { message_id: replyTo, allow_sending_without_reply: true }
      : undefined;

  // The survey's buttons hang under a text message; an album cannot carry buttons at all.
  // The caption limit counts characters after entities parsing: the HTML's length is never less.
  const caption =
    files.length > 0 && !message.csatSurvey && html && html.length <= CAPTION_LIMIT
      ? { caption: html, parse_mode: 'HTML' as const }
      : undefined;
  const calls: BotApiCall[] = [];
  if (html && !caption) {
    for (const text of splitHtml(html, MESSAGE_LIMIT)) {
      calls.push({ method: 'sendMessage', payload: { chat_id: chatId, text, parse_mode: 'HTML' } });
    }
  }
  for (const type of ['photo', 'document'] as const) {
    const ofType = files.filter((file) => file.kind === type);
    for (let start = 0; start < ofType.length; start += MEDIA_GROUP_LIMIT) {
      const album = ofType.slice(start, start + MEDIA_GROUP_LIMIT);
      const captioned = calls.length === 0 ? caption : undefined;
      calls.push(fileCall(chatId, type, album, captioned));
    }
  }
  if (replyParameters) calls[0].payload.reply_parameters = replyParameters;
  if (message.csatSurvey) {
    const last = calls.findLast((call) => call.method === 'sendMessage');
    if (!last || last.method !== 'sendMessage') {
      throw new BadInputError(
        `outbound ${message.outboundId}: a CSAT survey needs a question to show`,
      );
    }
    last.payload.reply_markup = csatKeyboard(message.ticketId);
  }
  return { bot: conversation.bot, chatId, outboundId: message.outboundId, calls };
}

/** One file alone by its own method, several as an album with the caption on the first. */
function fileCall(
  chatId: string,
  type: 'photo' | 'document',
  album: OutboundFile[],
  caption: Caption | undefined,
): BotApiCall {
  if (album.length > 1) {
    return {
      method: 'sendMediaGroup',
      payload: {
        chat_id: chatId,
        media: album.map((file, index) => ({
          type,
          media: file,
          ...(index === 0 ? caption : {}),
        })),
      },
    };
  }
  return type === 'photo'
    ? { method: 'sendPhoto', payload: { chat_id: chatId, photo: album[0], ...caption } }
    : { method: 'sendDocument', payload: { chat_id: chatId, document: album[0], ...caption } };
}

/** How an attachment goes: a photo when Telegram shows its type as one and it is small enough. */
function outboundFile(message: OutboundMessage, attachment: Attachment): OutboundFile {
  if (!attachment.storageKey && !attachment.url) {
    throw new BadInputError(
      `outbound ${message.outboundId}: attachment "${attachment.fileName}" has neither a storage key nor a URL`,
    );
  }
  if (attachment.sizeBytes > DOCUMENT_LIMIT_BYTES) {
    throw new PermanentError(
      `outbound ${message.outboundId}: "${attachment.fileName}" is ${megabytes(attachment.sizeBytes)}; Telegram bots send files of at most ${megabytes(DOCUMENT_LIMIT_BYTES)}`,
    );
  }
  const photo =
    PHOTO_TYPES.has(attachment.contentType.toLowerCase()) &&
    attachment.sizeBytes <= PHOTO_LIMIT_BYTES;
  return photo
    ? { attachment, kind: 'photo', limitBytes: PHOTO_LIMIT_BYTES }
    : { attachment, kind: 'document', limitBytes: DOCUMENT_LIMIT_BYTES };
}

/**
 * A file name grammY can put in a multipart header: it writes the name unquoted and refuses line
 * breaks, so control characters and the header's own delimiters become "_".
 */
export function telegramFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = name.replace(/[\u0000-\u001f\u007f";\\]/g, '_').trim();
  return safe || 'file';
}

function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}

/** One row of five buttons, 1 (very unsatisfied) to 5 (very satisfied). */
export function csatKeyboard(ticketId: string): InlineKeyboard {
  const buttons = [1, 2, 3, 4, 5].map((score) => ({
    text: '⭐'.repeat(score),
    callback_data: csatCallbackData(ticketId, score),
  }));
  if (Buffer.byteLength(buttons[0].callback_data) > 64) {
    throw new BadInputError(`ticket id "${ticketId}" is too long for a Telegram button (64 bytes)`);
  }
  return { inline_keyboard: [buttons] };
}
