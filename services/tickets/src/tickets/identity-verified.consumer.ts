import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { TOPICS, type CustomerEvent } from '@firstline/contracts';
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
  @Consume({ topic: TOPICS.customerEvents, check: verificationProblem })
  async follow(messages: Array<Received<CustomerEvent>>): Promise<void> {
    const verified = messages.flatMap(({ message: event }) => {
      if (event.details.case !== 'identityVerified') return [];
      const { customerId, identity } = event.details.value;
      return identity ? [{ customerId, identity }] : [];
    });
    if (verified.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      for (const { customerId, identity } of verified) {
        await this.customers.markVerified(manager, customerId, identity);
      }
    });
  }
}

function verificationProblem(event: CustomerEvent): string | undefined {
  if (event.details.case !== 'identityVerified') return undefined;
  const { customerId, identity } = event.details.value;
  return customerId && identity?.value
    ? undefined
    : 'the verification lacks its customer or identity';
}
