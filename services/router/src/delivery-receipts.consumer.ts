import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { DeliveryStatus, TOPICS, type DeliveryReceipt } from '@firstline/contracts';
import { write } from '@firstline/persistence';
import { messagesRemembered } from './threads.store';

/**
 * Learns the ids of the messages we sent (an email's Message-ID) from their SENT receipts, so
 * that a customer's answer naming only our message continues its ticket. Remembering is
 * idempotent, so a redelivered receipt changes nothing.
 */
@Injectable()
export class DeliveryReceiptsConsumer {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.deliveryReceipts })
  async follow(messages: Array<Received<DeliveryReceipt>>): Promise<void> {
    const sent = messages
      .map(({ message }) => message)
      .filter(
        (receipt) =>
          receipt.status === DeliveryStatus.SENT && receipt.sentMessageId && receipt.ticketId,
      );
    await write(this.dataSource.manager, [
      messagesRemembered(
        sent.map((receipt) => ({ messageId: receipt.sentMessageId, ticketId: receipt.ticketId })),
      ),
    ]);
  }
}
