import {
  Channel,
  create,
  DeliveryReceiptSchema,
  DeliveryStatus,
  timestampFromDate,
  type DeliveryReceipt,
  type OutboundMessage,
} from '@firstline/contracts';
import type { VkFailure } from './errors';

/** VK accepted the message and gave it this id. */
export function sentReceipt(
  outbound: OutboundMessage,
  vkMessageId: number,
  at: Date,
): DeliveryReceipt {
  return create(DeliveryReceiptSchema, {
    receiptId: `${outbound.outboundId}:SENT`,
    outboundId: outbound.outboundId,
    ticketId: outbound.ticketId,
    channel: Channel.VK,
    status: DeliveryStatus.SENT,
    channelMessageId: String(vkMessageId),
    occurredAt: timestampFromDate(at),
  });
}

/** VK refused the message for good; `attempt` keeps receipts of separate failures apart. */
export function failedReceipt(
  outbound: OutboundMessage,
  failure: VkFailure,
  at: Date,
  attempt = 1,
): DeliveryReceipt {
  return create(DeliveryReceiptSchema, {
    receiptId: `${outbound.outboundId}:FAILED:${attempt}`,
    outboundId: outbound.outboundId,
    ticketId: outbound.ticketId,
    channel: Channel.VK,
    status: DeliveryStatus.FAILED,
    reason: failure.reason,
    retryable: failure.kind === 'retryable',
    recipientUnreachable: failure.recipientUnreachable,
    occurredAt: timestampFromDate(at),
  });
}
