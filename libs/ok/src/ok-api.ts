/**
 * The parts of the OK Bot API (the Graph API a group's messages are served by) the adapter uses,
 * as OK sends and expects them. Sources:
 * - https://apiok.ru/dev/graph_api/bot_api (group access token, `access_token` parameter)
 * - https://apiok.ru/en/dev/graph_api/methods/graph.user/graph.user.subscribe/post (webhook
 *   subscription, event types MESSAGE_CREATED / MESSAGE_CALLBACK / CHAT_SYSTEM, the webhook body,
 *   answer 200 within 5 s, redelivery, removal after 8 hours, OK's source networks)
 * - https://apiok.ru/en/dev/graph_api/methods/graph.user/graph.user.messages/post (sending to
 *   /graph/me/messages/{chat_id}, at most 5 attachments)
 * - https://apiok.ru/en/dev/graph_api/methods/graph.chat/graph.chat.answer/post (message format,
 *   attachment types, CALLBACK buttons and their callbackId)
 * - https://apiok.ru/dev/graph_api/methods/graph.user/graph.user.fileUploadUrl/get (uploads)
 * - https://apiok.ru/en/dev/errors (error codes)
 * What those pages leave open, and what the adapter assumes there, is in docs/adr/0018-ok.md.
 */

/** Where the Graph API lives; tests point the service at a fake instead. */
export const OK_API_ROOT = 'https://api.ok.ru';

/** The event types a subscription can ask for. */
export type OkWebhookType = 'MESSAGE_CREATED' | 'MESSAGE_CALLBACK' | 'CHAT_SYSTEM';

/**
 * One webhook POST body. A new message carries `message`; a pressed CALLBACK button carries
 * `callbackId` and the button's `payload`. OK's own examples of a new message leave
 * `webhookType` out, so its absence is read as MESSAGE_CREATED.
 */
export interface OkWebhook {
  webhookType?: OkWebhookType | string;
  /** "user:123456789012"; `name` is the sender's first and last name. */
  sender?: { user_id?: string; name?: string };
  /** "chat:C3ecb9d02a600": the group's dialogue with this user. */
  recipient?: { chat_id?: string };
  message?: OkMessage;
  /** When it happened, in milliseconds since the epoch. */
  timestamp?: number;
  callbackId?: string;
  payload?: string;
}

export interface OkMessage {
  text?: string;
  /** Increasing sequence number within the chat. */
  seq?: number;
  /** "mid:C3ecb9d02a600.15cea67d78d2059": stable, so a redelivered webhook has the same one. */
  mid?: string;
  attachments?: OkAttachment[];
  /** A single attachment, as the send format allows beside `attachments`. */
  attachment?: OkAttachment;
  /** The mid of the message this one answers. */
  reply_to?: string;
}

export type OkAttachmentType =
  | 'IMAGE'
  | 'VIDEO'
  | 'AUDIO'
  | 'SHARE'
  | 'FILE'
  | 'CONTACT'
  | 'INLINE_KEYBOARD'
  | 'LOCATION'
  | 'MUSIC'
  | 'CALL'
  | 'PRESENT'
  | 'STICKER';

/** The payload's fields depend on the type: IMAGE has `id`, `token`, `url`; SHARE has `url`. */
export interface OkAttachment {
  type: OkAttachmentType | string;
  payload?: Record<string, unknown>;
}

/** One inline-keyboard button; CALLBACK buttons come back as MESSAGE_CALLBACK with `payload`. */
export interface OkButton {
  type: 'CALLBACK';
  text: string;
  payload: string;
  intent?: 'DEFAULT' | 'POSITIVE' | 'NEGATIVE';
}

/** The body of POST /graph/me/messages/{chat_id}. */
export interface OkSendBody {
  recipient: { chat_id: string };
  message: {
    text?: string;
    attachments?: OkAttachment[];
  };
}

/** What a send answers; the message's mid when OK gives it. */
export interface OkSendResult {
  success?: boolean;
  message_id?: string;
}

/** The file types GET /graph/me/fileUploadUrl takes as `type`, and attachments are sent as. */
export type OkUploadType = 'FILE' | 'IMAGE' | 'VIDEO' | 'AUDIO';

/** The error object every Graph API method may answer with. */
export interface OkErrorBody {
  error_code: number;
  error_msg?: string;
  error_data?: unknown;
}
