/**
 * How a visitor's ids become Firstline's conversation keys and stable message ids. A visitor is
 * one browser holding one token (token.ts); its conversation is the visitor's, across reloads.
 */

/** `chat:<visitor>`: everything one visitor writes is one conversation. */
export function conversationKey(visitorId: string): string {
  return `chat:${visitorId}`;
}

/**
 * `chat:<visitor>:<client message id>`: the widget names every message before sending it and
 * sends a message again under the same name after a lost connection, so a resend is the same id.
 */
export function messageId(visitorId: string, clientMessageId: string): string {
  return `${conversationKey(visitorId)}:${clientMessageId}`;
}

/** The visitor of a conversation key; undefined for any other key. */
export function visitorOfConversation(key: string): string | undefined {
  const match = /^chat:([^:]+)$/.exec(key);
  return match && isVisitorId(match[1]) ? match[1] : undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Visitor ids are the UUIDs the service mints (randomUUID), lower-case. */
export function isVisitorId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** What the widget may name a message: up to 64 of letters, digits, "-" and "_" (a UUID fits). */
export function isClientMessageId(value: unknown): value is string {
  return typeof value === 'string' && /^[A-Za-z0-9_-]{1,64}$/.test(value);
}
