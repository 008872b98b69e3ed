/**
 * Ids and keys of the Telegram channel. Message ids are per chat and per bot, so the bot's name
 * is part of every id: two bots talking to the same user see the same chat id and overlapping
 * message ids.
 */

/** One conversation per bot and chat: `telegram:<bot>:<chat>`. */
export function conversationKey(bot: string, chatId: number | string): string {
  return `telegram:${bot}:${chatId}`;
}

/** Reads a conversation key back; undefined when it is not a Telegram one. */
export function parseConversationKey(key: string): { bot: string; chatId: string } | undefined {
  const match = /^telegram:([^:]+):(-?\d+)$/.exec(key);
  return match ? { bot: match[1], chatId: match[2] } : undefined;
}

/**
 * A message in a chat, the customer's or the bot's: `telegram:<bot>:<chat>:<message_id>`. The
 * bot's own are the ids its delivery receipts report, so a customer's reply that names one
 * (`reply_to_message`) threads to the ticket it was sent from.
 */
export function chatMessageId(bot: string, chatId: number | string, messageId: number): string {
  return `telegram:${bot}:${chatId}:${messageId}`;
}

/** An edit gets its own id, so each edit is recorded once: the original's id + `:edit:<edit_date>`. */
export function editMessageId(originalId: string, editDate: number): string {
  return `${originalId}:edit:${editDate}`;
}

/** A button press: Telegram's callback query id is unique per bot. */
export function callbackMessageId(bot: string, callbackQueryId: string): string {
  return `telegram:${bot}:callback:${callbackQueryId}`;
}

/** What a CSAT button carries back to us: `csat:<ticket>:<score>`, within Telegram's 64 bytes. */
export function csatCallbackData(ticketId: string, score: number): string {
  return `csat:${ticketId}:${score}`;
}

export function parseCsatCallbackData(
  data: string,
): { ticketId: string; score: number } | undefined {
  const match = /^csat:(.+):([1-5])$/.exec(data);
  return match ? { ticketId: match[1], score: Number(match[2]) } : undefined;
}
