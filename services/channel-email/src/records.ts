import type { OutgoingMessage } from '@firstline/bus';
import {
  Channel,
  DeliveryReceiptSchema,
  DeliveryStatus,
  TOPICS,
  create,
  encode,
  messageType,
  timestampFromDate,
  type InboundMessage,
} from '@firstline/contracts';
import { threadMessageId } from '@firstline/email';

export function inboundRecord(message: InboundMessage): OutgoingMessage {
  return {
    topic: TOPICS.inbound.name,
    key: TOPICS.inbound.key(message),
    value: encode(TOPICS.inbound.schema, message),
    headers: { messageId: message.messageId, type: messageType(TOPICS.inbound.schema) },
  };
}

export interface ReceiptFacts {
  outboundId: string;
  ticketId: string;
  status: DeliveryStatus.SENT | DeliveryStatus.FAILED;
  /** For SENT: our Message-ID. */
  channelMessageId?: string;
  /** For FAILED: why, in words an agent can act on, and what makes this report unique. */
  reason?: string;
  failure?: string;
  /** For FAILED: whether sending again later may succeed (default false). */
  retryable?: boolean;
}

/** Receipt ids are derived from what they report, so that a redelivery yields the same id. */
export function receiptRecord(facts: ReceiptFacts, occurredAt = new Date()): OutgoingMessage {
  const receiptId =
    facts.status === DeliveryStatus.SENT
      ? `${facts.outboundId}:SENT`
      : `${facts.outboundId}:FAILED:${facts.failure ?? 'send'}`;
  const receipt = create(DeliveryReceiptSchema, {
    receiptId,
    outboundId: facts.outboundId,
    ticketId: facts.ticketId,
    channel: Channel.EMAIL,
    status: facts.status,
    reason: facts.reason ?? '',
    channelMessageId: facts.channelMessageId ?? '',
    sentMessageId: facts.channelMessageId ? threadMessageId(facts.channelMessageId) : '',
    occurredAt: timestampFromDate(occurredAt),
    retryable: facts.retryable ?? false,
  });
  return {
    topic: TOPICS.deliveryReceipts.name,
    key: TOPICS.deliveryReceipts.key(receipt),
    value: encode(TOPICS.deliveryReceipts.schema, receipt),
    headers: { messageId: receiptId, type: messageType(TOPICS.deliveryReceipts.schema) },
  };
}
