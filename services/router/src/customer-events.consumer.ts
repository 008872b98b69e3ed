import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BadInputError, Consume, type DeliveredMessage } from '@firstline/bus';
import { CustomerEventSchema, decode, TOPICS, type CustomerEvent } from '@firstline/contracts';
import { claimMessages } from '@firstline/persistence';
import { mergeCustomers } from './customers.store';

/** Honours customer merges made by agents: from then on the duplicate's identities are the survivor's. */
@Injectable()
export class CustomerEventsConsumer {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topics: [TOPICS.customerEvents.name] })
  async follow(messages: DeliveredMessage[]): Promise<void> {
    const events = messages.map((message) => ({
      id: message.headers.messageId,
      event: parse(message),
    }));
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        'router.customer-events',
        events.map(({ id }) => id),
      );
      for (const { id, event } of events) {
        if (!claimed.has(id) || event.details.case !== 'merged') continue;
        const { survivorCustomerId, duplicateCustomerId } = event.details.value;
        await mergeCustomers(manager, survivorCustomerId, duplicateCustomerId);
      }
    });
  }
}

function parse(message: DeliveredMessage): CustomerEvent {
  let event: CustomerEvent;
  try {
    event = decode(CustomerEventSchema, message.value);
  } catch (error) {
    throw new BadInputError(`customer event ${message.headers.messageId} is not valid protobuf`, {
      cause: error,
    });
  }
  if (
    event.details.case === 'merged' &&
    (!event.details.value.survivorCustomerId || !event.details.value.duplicateCustomerId)
  ) {
    throw new BadInputError(`customer merge ${message.headers.messageId} lacks a customer id`);
  }
  return event;
}
