/** How VK ids become Firstline's conversation keys and stable message ids. */

/** `vk:<group>:<peer>`: one community's dialogue with one peer. */
export function conversationKey(groupId: number, peerId: number): string {
  return `vk:${groupId}:${peerId}`;
}

/**
 * `vk:<group>:<peer>:<conversation_message_id>`. The community is part of the id because
 * conversation_message_id counts per dialogue, and the same user writes to several communities.
 */
export function messageId(groupId: number, peerId: number, conversationMessageId: number): string {
  return `${conversationKey(groupId, peerId)}:${conversationMessageId}`;
}

/** What a conversation key looks like, for errors about one that does not. */
export const CONVERSATION_KEY_FORM = 'a VK conversation key (vk:<group>:<peer>)';

/** The community and peer of a conversation key, or undefined when it is not a VK key. */
export function parseConversationKey(key: string): { groupId: number; peerId: number } | undefined {
  const match = /^vk:(\d+):(\d+)$/.exec(key);
  return match ? { groupId: Number(match[1]), peerId: Number(match[2]) } : undefined;
}
