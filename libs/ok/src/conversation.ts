/**
 * How OK's ids become Firstline's conversation keys and stable message ids. The Graph API
 * prefixes ids with their kind ("chat:C3ecb9d02a600", "mid:…", "user:…"); keys carry the bare id.
 */

/** `ok:<group>:<chat>`: one group's dialogue with one user; the group picks the token to reply with. */
export function conversationKey(groupId: string, chatId: string): string {
  return `ok:${groupId}:${bareId(chatId)}`;
}

/** `ok:<group>:<chat>:<mid>`: a redelivered webhook carries the same mid, so the same id. */
export function messageId(groupId: string, chatId: string, mid: string): string {
  return `${conversationKey(groupId, chatId)}:${bareId(mid)}`;
}

/** What a conversation key looks like, for errors about one that does not. */
export const CONVERSATION_KEY_FORM = 'an OK conversation key (ok:<group>:<chat>)';

/** The group and the Graph API's chat id of a conversation key; undefined for any other key. */
export function parseConversationKey(key: string): { groupId: string; chatId: string } | undefined {
  const match = /^ok:([^:]+):([^:]+)$/.exec(key);
  return match ? { groupId: match[1], chatId: `chat:${match[2]}` } : undefined;
}

/** "user:123" → "123"; an id without a prefix stays as it is. */
export function bareId(id: string): string {
  const colon = id.indexOf(':');
  return colon < 0 ? id : id.slice(colon + 1);
}
