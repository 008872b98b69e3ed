import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { DeliveryStatus, TOPICS, type DeliveryReceipt } from '@firstline/contracts';
import { TicketRepository } from '../database/ticket.repository';

/** The statuses agents see, by the receipt's; a receipt without one is refused. */
export const DELIVERY_STATUS_NAMES: Partial<Record<DeliveryStatus, string>> = {
  [DeliveryStatus.SENT]: 'sent',
  [DeliveryStatus.DELIVERED]: 'delivered',
  [DeliveryStatus.READ]: 'read',
  [DeliveryStatus.FAILED]: 'failed',
};

/** Channel adapters' receipts set the delivery status agents see on each reply. */
@Injectable()
export class DeliveryReceiptConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketRepository,
  ) {}

  // A receipt is a plain overwrite keyed by the outbound id, so a redelivery changes nothing; a
  // batch is one statement (a reply's receipts in order), not one per receipt.
  @Consume({
    topic: TOPICS.deliveryReceipts,
    check: (receipt) => (DELIVERY_STATUS_NAMES[receipt.status] ? undefined : 'it has no status'),
  })
  async handle(messages: Array<Received<DeliveryReceipt>>): Promise<void> {
    await this.dataSource.transaction((manager) =>
      this.tickets.updateDeliveries(
        manager,
        messages.map(({ message: receipt }) => ({
          outboundId: receipt.outboundId,
          status: DELIVERY_STATUS_NAMES[receipt.status]!,
          reason: receipt.reason,
          channelMessageId: receipt.channelMessageId,
        })),
      ),
    );
  }
}
