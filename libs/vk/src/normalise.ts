import { identity, inboundMessage, type Normalised } from '@firstline/channel';
import { Channel, IdentityKind, timestampFromMs, type InboundMessage } from '@firstline/contracts';
import type { VkContext } from './adapter';
import { authorsIn, contentOf } from './content';
import { conversationKey, messageId } from './conversation';
import { parseCsatPayload } from './csat';
import type { VkEvent, VkMessage, VkMessageEvent } from './vk-api';

/** Peers from here on are group chats (2000000000 + chat id); support is a private dialogue. */
const FIRST_CHAT_PEER = 2_000_000_000;

/**
 * One Callback API / Bots Long Poll event as what Firstline should do with it. What is ignored,
 * and why, is listed in docs/adr/0009-vk.md; an event whose object lacks what its type promises
 * is rejected with the reason. Never throws.
 */
export function normaliseEvent(event: unknown, context: VkContext, receivedAt: Date): Normalised {
  try {
    return classify(event as Partial<VkEvent>, context, receivedAt);
  } catch (error) {
    // Only input VK never sends gets here (a number where an object belongs): it is bad input.
    const type = (event as Partial<VkEvent> | null)?.type;
    return rejected(`VK ${String(type)} event could not be read: ${String(error)}`);
  }
}

function classify(event: Partial<VkEvent>, context: VkContext, receivedAt: Date): Normalised {
  if (!event || typeof event !== 'object' || typeof event.type !== 'string') {
    return rejected('not a VK event: it has no type');
  }
  const name = `VK ${event.type} event${event.event_id ? ` ${event.event_id}` : ''}`;
  if (event.group_id !== undefined && Number(event.group_id) !== context.groupId) {
    return rejected(`${name} names community ${event.group_id}, not ${context.groupId}`);
  }
  const object = event.object as Record<string, unknown> | null | undefined;
  switch (event.type) {
    case 'message_new': {
      // 5.103 and later wrap the message with the client's capabilities; older events are flat.
      const message = (object?.message ?? (object?.peer_id ? object : undefined)) as
        VkMessage | undefined;
      if (!message || typeof message !== 'object') return rejected(`${name} has no message`);
      const result = fromMessage(message, name, context, receivedAt);
      if (result.kind === 'message') withClientLanguage(result.message, object);
      return result;
    }
    case 'message_edit':
      if (!object || typeof object !== 'object') return rejected(`${name} has no message`);
      return fromEdit(object as VkMessage, name, context, receivedAt);
    case 'message_event':
      if (!object || typeof object !== 'object') return rejected(`${name} has no object`);
      return fromButtonPress(object as Partial<VkMessageEvent>, name, context, receivedAt);
    case 'message_reply':
      return ignored("the community's own reply, sent through VK");
    default:
      return ignored(
        IGNORED_EVENTS[event.type] ?? `not a customer writing to support (${event.type})`,
      );
  }
}

/** Event types a community may subscribe to that are not a customer writing to support. */
const IGNORED_EVENTS: Record<string, string> = {
  confirmation: 'the Callback API confirmation request, answered when the request is verified',
  message_allow: 'the customer allowed messages from the community: nothing to answer',
  message_deny: 'the customer denied messages from the community: nothing to answer',
  message_typing_state: 'the customer is typing',
};

function fromMessage(
  message: VkMessage,
  name: string,
  context: VkContext,
  receivedAt: Date,
): Normalised {
  if (message.peer_id !== undefined && message.peer_id >= FIRST_CHAT_PEER) {
    return ignored(
      `a group chat (peer ${message.peer_id}): support answers private dialogues only`,
    );
  }
  if (message.action) return ignored(`a service action (${message.action.type})`);
  if (message.out === 1) return ignored("the community's own message");
  const { peer_id: peer, from_id: from, conversation_message_id: cmid, date } = message;
  if (peer === undefined || cmid === undefined || from === undefined || date === undefined) {
    return rejected(`${name}: the message lacks peer_id, from_id, conversation_message_id or date`);
  }
  if (from <= 0) return ignored('a message written on behalf of a community');
  const content = contentOf(message, context.userNames ?? new Map());
  if (!content.full && content.attachments.length === 0) return ignored('an empty message');
  const { groupId } = context;
  const metadata: Record<string, string> = {
    ...content.metadata,
    group_id: String(groupId),
    peer_id: String(peer),
    vk_message_id: String(message.id),
    conversation_message_id: String(cmid),
  };
  const forwarded = message.fwd_messages?.length ?? 0;
  if (forwarded > 0) metadata.forwarded_messages = String(forwarded);
  if (message.payload) metadata.button_payload = message.payload;
  const reply = message.reply_message?.conversation_message_id;
  if (reply !== undefined) metadata.reply_to_conversation_message_id = String(reply);
  const inbound = inboundMessage({
    messageId: messageId(groupId, peer, cmid),
    channel: Channel.VK,
    sender: identity(IdentityKind.VK_USER, String(from), context.userNames?.get(from)),
    conversationKey: conversationKey(groupId, peer),
    textBody: content.full,
    // Forwarded messages without a word of the customer's own are what they want to show.
    replyText: content.own || content.full,
    attachments: content.attachments,
    channelMetadata: metadata,
    repliedMessageIds: reply !== undefined ? [messageId(groupId, peer, reply)] : [],
    receivedAt,
    sentAt: new Date(date * 1000),
  });
  return { kind: 'message', message: inbound };
}

/** An edit gets an id of its own and points at the message it changes. */
function fromEdit(
  message: VkMessage,
  name: string,
  context: VkContext,
  receivedAt: Date,
): Normalised {
  if (message.out === 1) return ignored("an edit of the community's own message");
  const result = fromMessage(message, name, context, receivedAt);
  if (result.kind !== 'message') return result;
  const inbound = result.message;
  const original = inbound.messageId;
  inbound.messageId = `${original}:edit:${message.update_time ?? message.date}`;
  inbound.editOfMessageId = original;
  if (message.update_time) inbound.sentAt = timestampFromMs(message.update_time * 1000);
  return result;
}

/** A callback button press; Firstline's only callback buttons are the CSAT survey's. */
function fromButtonPress(
  press: Partial<VkMessageEvent>,
  name: string,
  context: VkContext,
  receivedAt: Date,
): Normalised {
  const { user_id: user, peer_id: peer, event_id: pressId } = press;
  if (user === undefined || peer === undefined || !pressId) {
    return rejected(`${name}: the press lacks user_id, peer_id or event_id`);
  }
  if (peer >= FIRST_CHAT_PEER) return ignored(`a button pressed in a group chat (peer ${peer})`);
  const csat = parseCsatPayload(press.payload);
  if (!csat) return ignored('a press of a button that is not the satisfaction survey');
  const key = conversationKey(context.groupId, peer);
  const text = `Rated the support ${csat.score} of 5`;
  return {
    kind: 'message',
    message: inboundMessage({
      messageId: `${key}:csat:${pressId}`,
      channel: Channel.VK,
      sender: identity(IdentityKind.VK_USER, String(user), context.userNames?.get(user)),
      conversationKey: key,
      textBody: text,
      replyText: text,
      csatAnswer: csat,
      channelMetadata: {
        group_id: String(context.groupId),
        peer_id: String(peer),
        button_event_id: pressId,
      },
      receivedAt,
    }),
  };
}

/**
 * VK's `client_info.lang_id` names the language of the user's VK app (0 Russian, 3 English); the
 * others, which Firstline does not answer in, leave it to the router to read the text.
 */
const VK_LANGUAGES: Record<number, string> = { 0: 'ru', 3: 'en' };

function withClientLanguage(
  inbound: InboundMessage,
  object: Record<string, unknown> | null | undefined,
): void {
  const langId = (object?.client_info as { lang_id?: unknown } | undefined)?.lang_id;
  if (typeof langId === 'number' && VK_LANGUAGES[langId]) inbound.language = VK_LANGUAGES[langId];
}

/**
 * The VK users an event names — its sender and the authors of what it forwards or quotes —
 * whose names users.get should give before normalising.
 */
export function usersNamedIn(event: VkEvent): number[] {
  const object = event.object as
    { message?: VkMessage; from_id?: number; user_id?: number } | null | undefined;
  let users: number[] = [];
  if (event.type === 'message_new' && object?.message) {
    users = [object.message.from_id ?? 0, ...authorsIn(object.message)];
  } else if (event.type === 'message_new' || event.type === 'message_edit') {
    users = object ? [object.from_id ?? 0, ...authorsIn(object as VkMessage)] : [];
  } else if (event.type === 'message_event') {
    users = [object?.user_id ?? 0];
  }
  return users.filter((id) => typeof id === 'number' && id > 0);
}

const ignored = (reason: string): Normalised => ({ kind: 'ignored', reason });
const rejected = (reason: string): Normalised => ({ kind: 'rejected', reason });
