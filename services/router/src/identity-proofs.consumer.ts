import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, topicRecord, type Received } from '@firstline/bus';
import { TOPICS, type IdentityProof } from '@firstline/contracts';
import { claimMessages, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { isTypedIdentity } from '@firstline/routing';
import { verifyIdentity } from './customers.store';

/**
 * Verifies the typed identities customers proved (a web form's "this is me" link acted on), and
 * tells the tickets service through the outbox, in the same commit.
 */
@Injectable()
export class IdentityProofsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  @Consume({ topic: TOPICS.identityProofs, check: proofProblem })
  async verify(messages: Array<Received<IdentityProof>>): Promise<void> {
    const proofs = messages.map(({ record, message }) => ({
      id: record.headers.messageId,
      traceId: record.headers.traceId,
      proof: message,
    }));
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        'router.identity-proofs',
        proofs.map(({ id }) => id),
      );
      for (const { id, traceId, proof } of proofs) {
        if (!claimed.has(id)) continue;
        const event = await verifyIdentity(manager, proof);
        await enqueueOutbox(manager, [
          topicRecord(TOPICS.customerEvents, event, { messageId: event.eventId, traceId }),
        ]);
      }
    });
    this.relay.nudge();
  }
}

/** Only a proof of a typed identity (an email address, a phone) verifies anything. */
function proofProblem(proof: IdentityProof): string | undefined {
  if (!proof.proofId || !proof.conversationKey || !proof.identity?.value) {
    return 'lacks its id, conversation or identity';
  }
  if (!isTypedIdentity(proof.identity.kind)) return 'only a typed identity is verified by a link';
  return undefined;
}
