import {
  Channel,
  create,
  DeliveryReceiptSchema,
  DeliveryStatus,
  timestampFromDate,
  type DeliveryReceipt,
  type OutboundMessage,
} from '@firstline/contracts';
import type { SendFailure } from './errors';

/** What came of sending one OutboundMessage. */
export type SendOutcome =
  { sent: true; telegramMessageIds: number[] } | { sent: false; failure: SendFailure };

/**
 * The DeliveryReceipt for an outcome. A message is failed at most once (the send is claimed before
 * the receipt goes out), so the failed receipt's attempt number is always 1.
 */
export function receipt(
  message: OutboundMessage,
  outcome: SendOutcome,
  now: Date,
): DeliveryReceipt {
  const common = {
    outboundId: message.outboundId,
    ticketId: message.ticketId,
    channel: Channel.TELEGRAM,
    occurredAt: timestampFromDate(now),
  };
  if (outcome.sent) {
    return create(DeliveryReceiptSchema, {
      ...common,
      receiptId: `${message.outboundId}:${DeliveryStatus[DeliveryStatus.SENT]}`,
      status: DeliveryStatus.SENT,
      // The first part is the one a customer's reply most likely quotes.
      channelMessageId: String(outcome.telegramMessageIds[0] ?? ''),
    });
  }
  return create(DeliveryReceiptSchema, {
    ...common,
    receiptId: `${message.outboundId}:${DeliveryStatus[DeliveryStatus.FAILED]}:1`,
    status: DeliveryStatus.FAILED,
    reason: outcome.failure.reason,
    retryable: outcome.failure.kind === 'retryable',
    recipientUnreachable: outcome.failure.recipientUnreachable,
  });
}
