import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  Channel,
  decode,
  InboundMessageSchema,
  messageType,
  TOPICS,
  type InboundMessage,
} from '@firstline/contracts';
import { claimMessages, enqueueOutbox, OutboxRelay } from '@firstline/persistence';
import { loadRoutingPolicies } from './directory.store';
import { decisionRecord } from './decisions';
import { routeBatch } from './route-batch';
import { RouterSettings } from './router-settings';

/**
 * Routes inbound messages a batch at a time: one transaction claims the batch's message ids,
 * decides every fresh message and writes the decisions to the outbox, in a fixed number of
 * statements. Agents' row locks are taken only when someone can take work, and only for the
 * moment the batch commits.
 */
@Injectable()
export class InboundConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly settings: RouterSettings,
  ) {}

  // A batch's cost is mostly its dozen round trips: one transaction per fetch, not per partition.
  @Consume({ topics: [TOPICS.inbound.name], maxBatchSize: 500, gatherPartitions: true })
  async route(messages: DeliveredMessage[]): Promise<void> {
    // A record delivered twice within one batch is decided once, like one delivered in two.
    const parsed = [
      ...new Map(messages.map((message) => [message.headers.messageId, message])).values(),
    ].map((message) => ({
      id: message.headers.messageId,
      traceId: message.headers.traceId,
      inbound: parse(message),
    }));
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        'router.inbound',
        parsed.map(({ id }) => id),
      );
      const fresh = parsed.filter(({ id }) => claimed.has(id));
      if (fresh.length === 0) return;
      const decisions = await routeBatch(
        manager,
        await loadRoutingPolicies(manager),
        this.settings,
        fresh.map(({ inbound }) => inbound),
        new Date(),
      );
      const traceOf = new Map(fresh.map(({ inbound, traceId }) => [inbound.messageId, traceId]));
      await enqueueOutbox(
        manager,
        decisions.map((decision) =>
          decisionRecord(decision, traceOf.get(decision.inboundMessageId)),
        ),
      );
    });
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
