import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import { decode, DeliveryReceiptSchema, DeliveryStatus, TOPICS } from '@firstline/contracts';
import { TicketRepository } from '../database/ticket.repository';

const STATUS_NAMES: Partial<Record<DeliveryStatus, string>> = {
  [DeliveryStatus.SENT]: 'sent',
  [DeliveryStatus.DELIVERED]: 'delivered',
  [DeliveryStatus.FAILED]: 'failed',
};

/** Channel adapters' receipts set the delivery status agents see on each reply. */
@Injectable()
export class DeliveryReceiptConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tickets: TicketRepository,
  ) {}

  // A receipt is a plain overwrite keyed by the outbound id, so a redelivery changes nothing.
  @Consume({ topics: [TOPICS.deliveryReceipts.name] })
  async handle(messages: DeliveredMessage[]): Promise<void> {
    const receipts = messages.map((message) => {
      try {
        return decode(DeliveryReceiptSchema, message.value);
      } catch (error) {
        throw new BadInputError(`unreadable DeliveryReceipt: ${(error as Error).message}`);
      }
    });
    await this.dataSource.transaction(async (manager) => {
      for (const receipt of receipts) {
        const status = STATUS_NAMES[receipt.status];
        if (!status) throw new BadInputError(`receipt ${receipt.receiptId} has no status`);
        await this.tickets.updateDelivery(manager, receipt.outboundId, {
          status,
          reason: receipt.reason,
          channelMessageId: receipt.channelMessageId,
        });
      }
    });
  }
}
