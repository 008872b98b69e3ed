import type { Chat, Message, MessageOrigin, User } from 'grammy/types';
import { chatName, summaryOf, userName } from './content';

/**
 * Forwards and replies as an agent must read them: a forwarded message is someone else's words,
 * shown quoted under whose they are; a reply shows what it answers. Without this an agent takes a
 * forwarded complaint for the customer's own, and "yes, that one" for a message of its own.
 */

/** The fields Bot API 7.0 replaced with `forward_origin`; older relays and fixtures still send them. */
interface LegacyForward {
  forward_from?: User | null;
  forward_from_chat?: Chat | null;
  forward_sender_name?: string | null;
  forward_signature?: string | null;
  forward_date?: number | null;
}

/** Whose message this is when it was forwarded, or undefined when it was not. */
export function forwardOrigin(message: Message): string | undefined {
  if (message.forward_origin) return originName(message.forward_origin);
  const legacy = message as Message & LegacyForward;
  const signed = (name: string) =>
    legacy.forward_signature ? `${name} (${legacy.forward_signature})` : name;
  if (legacy.forward_from) return userName(legacy.forward_from);
  if (legacy.forward_from_chat) return signed(chatName(legacy.forward_from_chat));
  if (legacy.forward_sender_name) return legacy.forward_sender_name;
  return legacy.forward_date ? 'someone' : undefined;
}

function originName(origin: MessageOrigin): string {
  switch (origin.type) {
    case 'user':
      return userName(origin.sender_user);
    case 'hidden_user':
      return origin.sender_user_name || 'a hidden user';
    case 'chat':
      return signedBy(chatName(origin.sender_chat), origin.author_signature);
    case 'channel':
      return signedBy(chatName(origin.chat), origin.author_signature);
    default:
      return 'someone';
  }
}

function signedBy(name: string, signature: string | null | undefined): string {
  return signature ? `${name} (${signature})` : name;
}

/**
 * What the message answers: the passage the customer chose to quote, else the replied message
 * itself (in this chat, or another's through `external_reply`), shortened: the agent has it whole
 * in the ticket, the quote only has to say which one.
 */
export function replyContext(
  message: Message,
): { author: string | undefined; text: string } | undefined {
  const replied = message.reply_to_message;
  const external = message.external_reply;
  if (!replied && !external && !message.quote) return undefined;
  const author = replied?.from
    ? userName(replied.from)
    : external?.origin
      ? originName(external.origin)
      : undefined;
  if (message.quote?.text) return { author, text: message.quote.text };
  const text = summaryOf((replied ?? external ?? {}) as Partial<Message>);
  return { author, text: text.length > QUOTE_LIMIT ? `${text.slice(0, QUOTE_LIMIT)}…` : text };
}

const QUOTE_LIMIT = 280;

/** Lines as an email client quotes them. */
export function quoted(text: string): string {
  return text
    .split('\n')
    .map((line) => `> ${line}`)
    .join('\n');
}
