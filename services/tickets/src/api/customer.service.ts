import { randomUUID } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  create,
  CustomerEventSchema,
  encode,
  messageType,
  timestampFromDate,
  TOPICS,
  type CustomerEvent,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { CustomerRepository, type CustomerProfile } from '../database/customer.repository';
import { TicketRepository } from '../database/ticket.repository';

type CustomerEventDetails = MessageInitShape<typeof CustomerEventSchema>['details'];

/** A CustomerEvent an agent caused just now. */
function customerEvent(agentId: string, details: CustomerEventDetails): CustomerEvent {
  return create(CustomerEventSchema, {
    eventId: randomUUID(),
    occurredAt: timestampFromDate(new Date()),
    agentId,
    details,
  });
}

/** Puts the events into the outbox of the transaction, in order, for support.customer-events.v1. */
async function enqueueCustomerEvents(manager: EntityManager, events: CustomerEvent[]) {
  await enqueueOutbox(
    manager,
    events.map((event) => ({
      topic: TOPICS.customerEvents.name,
      key: TOPICS.customerEvents.key(event),
      value: encode(CustomerEventSchema, event),
      headers: { messageId: event.eventId, type: messageType(CustomerEventSchema) },
    })),
  );
}

/**
 * Customers: one person found under two identities is merged into one; supervisors set the tier
 * and tags that routing rules read.
 */
@Injectable()
export class CustomerService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly customers: CustomerRepository,
    private readonly tickets: TicketRepository,
  ) {}

  async find(customerId: string) {
    const customer = await this.customers.findCustomer(customerId);
    if (!customer) throw new NotFoundException(`No customer ${customerId}`);
    return customer;
  }

  /**
   * The duplicate's identities, tags and tickets move to the survivor; the duplicate points at it.
   * A CustomerEvent tells the router in the same commit, so it resolves the duplicate's
   * identities to the survivor from then on.
   */
  async merge(survivorId: string, duplicateId: string, agentId: string) {
    if (survivorId === duplicateId)
      throw new BadRequestException('duplicateId: a customer cannot merge with itself');
    await this.dataSource.transaction(async (manager) => {
      for (const id of [survivorId, duplicateId]) {
        const customer = await this.customers.findCustomer(id, manager);
        if (!customer) throw new NotFoundException(`No customer ${id}`);
        if (customer.mergedInto)
          throw new BadRequestException(`Customer ${id} was merged into ${customer.mergedInto}`);
      }
      const survivor = await this.customers.merge(manager, survivorId, duplicateId);
      await this.tickets.moveTickets(manager, duplicateId, survivorId);
      // The survivor gained the duplicate's tags: the router's view of them follows the merge.
      await enqueueCustomerEvents(manager, [
        customerEvent(agentId, {
          case: 'merged',
          value: { survivorCustomerId: survivorId, duplicateCustomerId: duplicateId },
        }),
        customerEvent(agentId, {
          case: 'profileChanged',
          value: { customerId: survivorId, tier: survivor.tier, tags: survivor.tags },
        }),
      ]);
    });
    this.relay.nudge();
    return this.find(survivorId);
  }

  /**
   * Sets the customer's tier and tags (already normalised) and tells the router in the same
   * commit, for routing rules on them.
   */
  async setProfile(customerId: string, profile: CustomerProfile, agentId: string) {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.customers.setProfile(manager, customerId, profile))) {
        const customer = await this.customers.findCustomer(customerId, manager);
        if (!customer) throw new NotFoundException(`No customer ${customerId}`);
        throw new BadRequestException(
          `Customer ${customerId} was merged into ${customer.mergedInto}`,
        );
      }
      await enqueueCustomerEvents(manager, [
        customerEvent(agentId, {
          case: 'profileChanged',
          value: { customerId, tier: profile.tier, tags: profile.tags },
        }),
      ]);
    });
    this.relay.nudge();
    return this.find(customerId);
  }
}
