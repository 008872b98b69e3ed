import { randomUUID } from 'node:crypto';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  create,
  CustomerEventSchema,
  encode,
  messageType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import { enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { CustomerRepository } from '../database/customer.repository';
import { TicketRepository } from '../database/ticket.repository';

/** Customers: one person found under two identities is merged into one. */
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
      await this.customers.merge(manager, survivorId, duplicateId);
      await this.tickets.moveTickets(manager, duplicateId, survivorId);
      const event = create(CustomerEventSchema, {
        eventId: randomUUID(),
        occurredAt: timestampFromDate(new Date()),
        agentId,
        details: {
          case: 'merged',
          value: { survivorCustomerId: survivorId, duplicateCustomerId: duplicateId },
        },
      });
      await enqueueOutbox(manager, [
        {
          topic: TOPICS.customerEvents.name,
          key: TOPICS.customerEvents.key(event),
          value: encode(CustomerEventSchema, event),
          headers: { messageId: event.eventId, type: messageType(CustomerEventSchema) },
        },
      ]);
    });
    this.relay.nudge();
    return this.find(survivorId);
  }
}
