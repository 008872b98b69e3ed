import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  TOPICS,
  type DeliveryReceipt,
} from '@firstline/contracts';
import { rememberMessages } from './threads.store';

/**
 * Learns the ids of the messages we sent (an email's Message-ID) from their SENT receipts, so
 * that a customer's answer naming only our message continues its ticket. Remembering is
 * idempotent, so a redelivered receipt changes nothing.
 */
@Injectable()
export class DeliveryReceiptsConsumer {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topics: [TOPICS.deliveryReceipts.name] })
  async follow(messages: DeliveredMessage[]): Promise<void> {
    const sent = messages
      .map(parse)
      .filter(
        (receipt) =>
          receipt.status === DeliveryStatus.SENT && receipt.sentMessageId && receipt.ticketId,
      );
    await rememberMessages(
      this.dataSource.manager,
      sent.map((receipt) => ({ messageId: receipt.sentMessageId, ticketId: receipt.ticketId })),
    );
  }
}

function parse(message: DeliveredMessage): DeliveryReceipt {
  try {
    return decode(DeliveryReceiptSchema, message.value);
  } catch (error) {
    throw new BadInputError(`delivery receipt ${message.headers.messageId} is not valid protobuf`, {
      cause: error,
    });
  }
}
