import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  CustomerEventSchema,
  decode,
  encode,
  IdentityProofSchema,
  messageType,
  TOPICS,
  type IdentityProof,
} from '@firstline/contracts';
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

  @Consume({ topics: [TOPICS.identityProofs.name] })
  async verify(messages: DeliveredMessage[]): Promise<void> {
    const proofs = messages.map((message) => ({
      id: message.headers.messageId,
      traceId: message.headers.traceId,
      proof: parse(message),
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
          {
            topic: TOPICS.customerEvents.name,
            key: TOPICS.customerEvents.key(event),
            value: encode(CustomerEventSchema, event),
            headers: { messageId: event.eventId, type: messageType(CustomerEventSchema), traceId },
          },
        ]);
      }
    });
    this.relay.nudge();
  }
}

function parse(message: DeliveredMessage): IdentityProof {
  let proof: IdentityProof;
  try {
    proof = decode(IdentityProofSchema, message.value);
  } catch (error) {
    throw new BadInputError(`identity proof ${message.headers.messageId} is not valid protobuf`, {
      cause: error,
    });
  }
  if (!proof.proofId || !proof.conversationKey || !proof.identity?.value) {
    throw new BadInputError(
      `identity proof ${message.headers.messageId} lacks its id, conversation or identity`,
    );
  }
  if (!isTypedIdentity(proof.identity.kind)) {
    throw new BadInputError(
      `identity proof ${proof.proofId}: only a typed identity is verified by a link`,
    );
  }
  return proof;
}
