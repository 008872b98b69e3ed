import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import { CustomerEventSchema, decode, TOPICS } from '@firstline/contracts';
import { CustomerRepository } from '../database/customer.repository';

/**
 * Shows what the router verified: a provisional customer who acted on the link sent to the
 * address they typed is verified from then on. The topic also carries this service's own merges
 * and profiles, which it already applied.
 */
@Injectable()
export class IdentityVerifiedConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly customers: CustomerRepository,
  ) {}

  // Setting a flag twice changes nothing: a redelivery needs no claim.
  @Consume({ topics: [TOPICS.customerEvents.name] })
  async follow(messages: DeliveredMessage[]): Promise<void> {
    const verified = messages.flatMap((message) => {
      let event;
      try {
        event = decode(CustomerEventSchema, message.value);
      } catch (error) {
        throw new BadInputError(
          `customer event ${message.headers.messageId} is not valid protobuf`,
          { cause: error },
        );
      }
      if (event.details.case !== 'identityVerified') return [];
      const { customerId, identity } = event.details.value;
      if (!customerId || !identity?.value) {
        throw new BadInputError(
          `identity verification ${message.headers.messageId} lacks its customer or identity`,
        );
      }
      return [{ customerId, identity }];
    });
    if (verified.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const { customerId, identity } of verified) {
        await this.customers.markVerified(manager, customerId, identity);
      }
    });
  }
}
