import {
  create,
  DeliveryReceiptSchema,
  DeliveryStatus,
  timestampFromDate,
  type Channel,
  type DeliveryReceipt,
  type OutboundMessage,
} from '@firstline/contracts';
import type { SendOutcome } from './adapter';

/**
 * The DeliveryReceipt for one outcome, the same for every channel. `attempt` numbers the failed
 * receipts of one message (a message may fail, be retried by an agent and fail again); the receipt
 * id is stable for a given outcome, so a receipt published twice is recognised downstream.
 */
export function deliveryReceipt(
  channel: Channel,
  message: OutboundMessage,
  outcome: SendOutcome,
  now: Date,
  attempt = 1,
): DeliveryReceipt {
  const common = {
    outboundId: message.outboundId,
    ticketId: message.ticketId,
    channel,
    occurredAt: timestampFromDate(now),
  };
  if (outcome.sent) {
    return create(DeliveryReceiptSchema, {
      ...common,
      receiptId: `${message.outboundId}:${DeliveryStatus[DeliveryStatus.SENT]}`,
      status: DeliveryStatus.SENT,
      channelMessageId: outcome.channelMessageId,
    });
  }
  return create(DeliveryReceiptSchema, {
    ...common,
    receiptId: `${message.outboundId}:${DeliveryStatus[DeliveryStatus.FAILED]}:${attempt}`,
    status: DeliveryStatus.FAILED,
    reason: outcome.failure.reason,
    retryable: outcome.failure.kind === 'retryable',
    recipientUnreachable: outcome.failure.recipientUnreachable,
  });
}
