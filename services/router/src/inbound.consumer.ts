import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { Channel, TOPICS, type InboundMessage } from '@firstline/contracts';
import {
  claimMessages,
  outboxInsert,
  OutboxRelay,
  transactionSchema,
  write,
} from '@firstline/persistence';
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
  @Consume({
    topic: TOPICS.inbound,
    check: inboundProblem,
    maxBatchSize: 500,
    gatherPartitions: true,
  })
  async route(messages: Array<Received<InboundMessage>>): Promise<void> {
    // A record delivered twice within one batch is decided once, like one delivered in two.
    const parsed = [
      ...new Map(
        messages.map((received) => [received.record.headers.messageId, received]),
      ).values(),
    ].map(({ record, message }) => ({
      id: record.headers.messageId,
      traceId: record.headers.traceId,
      inbound: message,
    }));
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        'router.inbound',
        parsed.map(({ id }) => id),
      );
      const fresh = parsed.filter(({ id }) => claimed.has(id));
      if (fresh.length === 0) return;
      const { decisions, writes } = await routeBatch(
        manager,
        await loadRoutingPolicies(manager),
        this.settings,
        fresh.map(({ inbound }) => inbound),
        new Date(),
      );
      const traceOf = new Map(fresh.map(({ inbound, traceId }) => [inbound.messageId, traceId]));
      const records = decisions.map((decision) =>
        decisionRecord(decision, traceOf.get(decision.inboundMessageId)),
      );
      const schema = transactionSchema(manager, 'InboundConsumer.route');
      // The batch's own writes and its announcements in one statement (maxBatchSize keeps the
      // records within one outbox INSERT).
      await write(manager, [
        ...writes,
        records.length > 0
          ? (first) => outboxInsert(schema, records, { firstParameter: first })
          : undefined,
      ]);
    });
    this.relay.nudge();
  }
}

/** What makes an inbound message unroutable: it must say who wrote, where and through which channel. */
function inboundProblem(inbound: InboundMessage): string | undefined {
  const missing = [
    !inbound.messageId && 'message_id',
    !inbound.conversationKey && 'conversation_key',
    inbound.channel === Channel.UNSPECIFIED && 'channel',
    !inbound.sender?.value && 'sender',
  ].filter(Boolean);
  return missing.length > 0 ? `lacks ${missing.join(', ')}` : undefined;
}
