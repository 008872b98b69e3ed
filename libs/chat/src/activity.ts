import {
  Channel,
  ChatActivitySchema,
  create,
  DeliveryReceiptSchema,
  DeliveryStatus,
  type DeliveryReceipt,
  timestampFromDate,
  timestampMs,
  type ChatActivity,
} from '@firstline/contracts';
import { conversationKey, isClientMessageId, visitorOfConversation } from './conversation';

/**
 * Typing and read marks: what happens in a chat between its messages (docs/adr/0019-live-chat.md).
 * Both sides repeat "typing" at most every TYPING_REPEAT_SECONDS while a key is pressed, and the
 * other side shows the cue for TYPING_SECONDS after the last one: a lost signal only shortens it,
 * and a cue never outlives the typing by more than a few seconds.
 */
export const TYPING_SECONDS = 6;
export const TYPING_REPEAT_SECONDS = 3;

/** Someone typing in a chat: the visitor (no name), or the agent by first name. */
export function typingActivity(options: {
  activityId: string;
  conversationKey: string;
  ticketId?: string;
  byVisitor: boolean;
  displayName?: string;
  at: Date;
}): ChatActivity {
  return create(ChatActivitySchema, {
    activityId: options.activityId,
    conversationKey: options.conversationKey,
    ticketId: options.ticketId ?? '',
    occurredAt: timestampFromDate(options.at),
    details: {
      case: 'typing',
      value: {
        byVisitor: options.byVisitor,
        displayName: options.byVisitor ? '' : (options.displayName ?? ''),
        seconds: TYPING_SECONDS,
      },
    },
  });
}

/** An agent saw the visitor's messages up to `messageId` (an inbound message id of the chat). */
export function agentReadActivity(options: {
  activityId: string;
  ticketId: string;
  messageId: string;
  at: Date;
}): ChatActivity {
  const read = readMessage(options.messageId);
  if (!read) throw new RangeError(`"${options.messageId}" is not a live-chat message id`);
  return create(ChatActivitySchema, {
    activityId: options.activityId,
    conversationKey: conversationKey(read.visitorId),
    ticketId: options.ticketId,
    occurredAt: timestampFromDate(options.at),
    details: { case: 'agentRead', value: { messageId: options.messageId } },
  });
}

/** Until when a typing cue lasts; undefined when the activity is not typing or already over. */
export function typingUntil(activity: ChatActivity, now: Date): Date | undefined {
  if (activity.details.case !== 'typing' || !activity.occurredAt) return undefined;
  const seconds = Math.min(activity.details.value.seconds || TYPING_SECONDS, TYPING_SECONDS);
  const until = timestampMs(activity.occurredAt) + seconds * 1000;
  // A clock ahead of ours must not stretch the cue past its length from now.
  const capped = Math.min(until, now.getTime() + seconds * 1000);
  return capped > now.getTime() ? new Date(capped) : undefined;
}

/** The visitor and the widget's message id of a chat's inbound message id, or undefined. */
export function readMessage(
  messageId: string,
): { visitorId: string; clientMessageId: string } | undefined {
  const colon = messageId.lastIndexOf(':');
  const visitorId = visitorOfConversation(messageId.slice(0, colon));
  const clientMessageId = messageId.slice(colon + 1);
  return colon > 0 && visitorId && isClientMessageId(clientMessageId)
    ? { visitorId, clientMessageId }
    : undefined;
}

/**
 * The receipt saying the visitor saw an agent's reply: the widget showed it while its page was
 * visible. One per reply (its id is stable), so a repeat is the same receipt.
 */
export function readReceipt(
  reply: { outboundId: string; ticketId: string; channelMessageId: string },
  at: Date,
): DeliveryReceipt {
  return create(DeliveryReceiptSchema, {
    receiptId: `${reply.outboundId}:READ`,
    outboundId: reply.outboundId,
    ticketId: reply.ticketId,
    channel: Channel.CHAT,
    status: DeliveryStatus.READ,
    channelMessageId: reply.channelMessageId,
    occurredAt: timestampFromDate(at),
  });
}
