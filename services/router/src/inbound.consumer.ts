import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BadInputError, Consume, type DeliveredMessage } from '@firstline/bus';
import {
  Channel,
  decode,
  InboundMessageSchema,
  messageType,
  TOPICS,
  type InboundMessage,
} from '@firstline/contracts';
import { claimMessage, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { DEFAULT_REOPEN_WINDOW_DAYS } from '@firstline/routing';
import { loadRoutingPolicies } from './directory.store';
import { decisionRecord, routeMessage } from './route-message';

/** Routes every inbound message, each in its own transaction with its claim and its decision. */
@Injectable()
export class InboundConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  // Small batches: a rebalance waits for the batch in flight, and routing one takes a while.
  @Consume({ topics: [TOPICS.inbound.name], maxBatchSize: 100 })
  async route(messages: DeliveredMessage[]): Promise<void> {
    const inbound = messages.map((message) => ({ delivered: message, parsed: parse(message) }));
    const policies = await loadRoutingPolicies(this.dataSource.manager);
    // One transaction per message: an agent's row lock is then held for one decision only.
    for (const { delivered, parsed } of inbound) {
      await this.dataSource.transaction(async (manager) => {
        if (!(await claimMessage(manager, 'router.inbound', delivered.headers.messageId))) return;
        const routing = await routeMessage(
          manager,
          policies,
          parsed,
          { reopenWindowDays: DEFAULT_REOPEN_WINDOW_DAYS },
          new Date(),
        );
        await enqueueOutbox(manager, [decisionRecord(routing, delivered.headers.traceId)]);
      });
    }
    this.relay.nudge();
  }
}

function parse(message: DeliveredMessage): InboundMessage {
  const expected = messageType(InboundMessageSchema);
  if (message.headers.type !== expected) {
    throw new BadInputError(`expected a ${expected} record, got type "${message.headers.type}"`);
  }
  let inbound: InboundMessage;
  try {
    inbound = decode(InboundMessageSchema, message.value);
  } catch (error) {
    throw new BadInputError(`inbound message ${message.headers.messageId} is not valid protobuf`, {
      cause: error,
    });
  }
  const missing = [
    !inbound.messageId && 'message_id',
    !inbound.conversationKey && 'conversation_key',
    inbound.channel === Channel.UNSPECIFIED && 'channel',
    !inbound.sender?.value && 'sender',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new BadInputError(
      `inbound message ${message.headers.messageId} lacks ${missing.join(', ')}`,
    );
  }
  return inbound;
}
