import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { TOPICS, type CustomerEvent } from '@firstline/contracts';
import { claimMessages } from '@firstline/persistence';
import { mergeCustomers, saveCustomerProfile } from './customers.store';

/**
 * Follows what agents do to customer records: after a merge the duplicate's identities are the
 * survivor's; a profile change gives the customer the tier and tags that routing rules read.
 */
@Injectable()
export class CustomerEventsConsumer {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.customerEvents, check: customerEventProblem })
  async follow(messages: Array<Received<CustomerEvent>>): Promise<void> {
    const events = messages.map(({ record, message }) => ({
      id: record.headers.messageId,
      event: message,
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

/** A merge or a profile change must name its customers. */
function customerEventProblem(event: CustomerEvent): string | undefined {
  const { details } = event;
  if (
    details.case === 'merged' &&
    (!details.value.survivorCustomerId || !details.value.duplicateCustomerId)
  ) {
    return 'a merge lacks a customer id';
  }
  if (details.case === 'profileChanged' && !details.value.customerId) {
    return 'a profile change lacks its customer id';
  }
  return undefined;
}
