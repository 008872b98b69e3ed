import { BadInputError } from '@firstline/errors';
import type { OutboundMessage } from '@firstline/contracts';
import { escapeHtml, splitHtml, toTelegramHtml } from './html';
import { csatCallbackData, parseConversationKey } from './ids';

/** Telegram's limit on a message's text (https://core.telegram.org/bots/api#sendmessage). */
export const MESSAGE_LIMIT = 4096;

export interface InlineKeyboard {
  inline_keyboard: Array<Array<{ text: string; callback_data: string }>>;
}

/** One Bot API call, with the parameters as the Bot API names them. */
export type BotApiCall =
  | {
      method: 'sendMessage';
      payload: {
        chat_id: string;
        text: string;
        parse_mode: 'HTML';
        reply_parameters?: { message_id: number; allow_sending_without_reply: true };
        reply_markup?: InlineKeyboard;
      };
    }
  | {
      method: 'sendDocument';
      /** `document` is an HTTP URL the Bot API fetches itself; the bytes never pass through us. */
      payload: { chat_id: string; document: string; caption?: string };
    };

/** Which bot sends to which chat, and the calls that make up the message, in order. */
export interface RenderedMessage {
  bot: string;
  chatId: string;
  calls: BotApiCall[];
}

/**
 * Turns an OutboundMessage into Bot API calls: its text in Telegram's HTML, split into parts of at
 * most 4,096 characters; each attachment as a document; a CSAT survey's 1–5 buttons under the last
 * part. Throws BadInputError for a message that cannot be sent as given.
 */
export function render(message: OutboundMessage): RenderedMessage {
  const conversation = parseConversationKey(message.conversationKey);
  if (!conversation) {
    throw new BadInputError(
      `outbound ${message.outboundId}: "${message.conversationKey}" is not a Telegram conversation key`,
    );
  }
  const chatId = message.threadRefs.chat_id ?? conversation.chatId;
  const html = message.htmlBody
    ? toTelegramHtml(message.htmlBody)
    : escapeHtml(message.textBody.trim());
  if (!html && message.attachments.length === 0) {
    throw new BadInputError(`outbound ${message.outboundId}: no text and no attachments to send`);
  }

  const calls: BotApiCall[] = [];
  const replyTo = Number(message.threadRefs.reply_to_message_id);
  splitHtml(html, MESSAGE_LIMIT).forEach((text, index) => {
    calls.push({
      method: 'sendMessage',
      payload: {
        chat_id: chatId,
        text,
        parse_mode: 'HTML',
        ...(index === 0 && Number.isInteger(replyTo) && replyTo > 0
          ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
          : {}),
      },
    });
  });
  for (const attachment of message.attachments) {
    if (!attachment.url) {
      throw new BadInputError(
        `outbound ${message.outboundId}: attachment "${attachment.fileName}" has no URL the Bot API can fetch`,
      );
    }
    calls.push({ method: 'sendDocument', payload: { chat_id: chatId, document: attachment.url } });
  }
  if (message.csatSurvey) {
    const last = calls.findLast((call) => call.method === 'sendMessage');
    if (!last || last.method !== 'sendMessage') {
      throw new BadInputError(
        `outbound ${message.outboundId}: a CSAT survey needs a question to show`,
      );
    }
    last.payload.reply_markup = csatKeyboard(message.ticketId);
  }
  return { bot: conversation.bot, chatId, calls };
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
