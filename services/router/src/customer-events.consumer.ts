import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import { CustomerEventSchema, decode, TOPICS, type CustomerEvent } from '@firstline/contracts';
import { claimMessages } from '@firstline/persistence';
import { mergeCustomers, saveCustomerProfile } from './customers.store';

/**
 * Follows what agents do to customer records: after a merge the duplicate's identities are the
 * survivor's; a profile change gives the customer the tier and tags that routing rules read.
 */
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
        if (!claimed.has(id)) continue;
        if (event.details.case === 'merged') {
          const { survivorCustomerId, duplicateCustomerId } = event.details.value;
          await mergeCustomers(manager, survivorCustomerId, duplicateCustomerId);
        } else if (event.details.case === 'profileChanged') {
          const { customerId, tier, tags } = event.details.value;
          await saveCustomerProfile(manager, customerId, { tier, tags });
        }
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
  if (event.details.case === 'profileChanged' && !event.details.value.customerId) {
    throw new BadInputError(`customer profile ${message.headers.messageId} lacks a customer id`);
  }
  return event;
}
