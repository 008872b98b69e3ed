import type { MessageInitShape } from '@bufbuild/protobuf';
import { Kafka, logLevel } from 'kafkajs';
import type { Pool } from 'pg';
import { KafkaBus, type OutgoingMessage } from '@firstline/bus';
import {
  ActorKind,
  Channel,
  create,
  CustomerEventSchema,
  decode,
  directoryKey,
  DirectoryKind,
  DirectoryRecordSchema,
  encode,
  IdentityProofSchema,
  InboundMessageSchema,
  MessageDirection,
  messageType,
  RoutingDecisionSchema,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
  type DirectoryRecord,
  type RoutingDecision,
  type TicketEvent,
} from '@firstline/contracts';
import { startService, type RunningService } from '@firstline/runtime';
import {
  PIPELINE_RUN_HEADER,
  sealedToRun,
  startGroupsAtTopicEnd,
  uniqueName,
  type TestDatabase,
} from '@firstline/testing';
import { routerService } from '../src';

type TicketEventInit = MessageInitShape<typeof TicketEventSchema>;

/**
 * Router instances on the shared broker. The topics are the real, shared ones, so the instances
 * form a group of their own that starts at the topics' current end (earlier runs' records are not
 * theirs to route), and they are sealed to this run (`sealedToRun`): they handle only what the
 * harness published, and other suites' routers ignore the harness's records, rule set included.
 */
export class RouterHarness {
  readonly run = uniqueName('rt').replace(/\./g, '-');
  readonly group = `router-${this.run}`;
  private readonly publisher: KafkaBus;
  private readonly database: Pool;
  private directoryVersion = 1;

  constructor(
    private readonly brokers: string[],
    private readonly testDatabase: TestDatabase,
  ) {
    this.publisher = new KafkaBus({ brokers, clientId: `${this.group}-test` });
    this.database = testDatabase.pool(2);
  }

  /** Creates the topics and makes the instances' group start at their current end. */
  async prepare(): Promise<void> {
    await startGroupsAtTopicEnd(this.brokers, [this.group]);
  }

  async startInstance(): Promise<RunningService> {
    return startService(
      { ...routerService, name: this.group },
      {
        // Frequent heartbeats: members learn of a rebalance sooner, so the group settles faster.
        bus: sealedToRun(
          new KafkaBus({
            brokers: this.brokers,
            clientId: this.group,
            heartbeatIntervalMs: 500,
            sessionTimeoutMs: 10_000,
          }),
          this.run,
        ),
        ownsBus: true,
        databaseUrl: this.testDatabase.url,
        databasePoolSize: 8,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );
  }

  /** Publishes as this run: only this run's router instances handle what carries its header. */
  private async publish(messages: OutgoingMessage[]): Promise<void> {
    await this.publisher.publish(
      messages.map((message) => ({
        ...message,
        extraHeaders: { ...message.extraHeaders, [PIPELINE_RUN_HEADER]: this.run },
      })),
    );
  }

  async publishDirectory(
    entries: Array<MessageInitShape<typeof DirectoryRecordSchema>>,
  ): Promise<void> {
    const version = this.directoryVersion++;
    await this.publish(
      entries.map((entry) => {
        const record: DirectoryRecord = create(DirectoryRecordSchema, entry);
        record.version = version;
        if (record.payload.case === 'ruleSet') record.payload.value.version = version;
        return {
          topic: TOPICS.directory.name,
          key: directoryKey(record.kind, record.id),
          value: encode(DirectoryRecordSchema, record),
          headers: {
            messageId: `${this.run}:directory:${record.id}:${version}`,
            type: messageType(DirectoryRecordSchema),
          },
        };
      }),
    );
  }

  async publishInbound(
    messages: Array<MessageInitShape<typeof InboundMessageSchema>>,
  ): Promise<void> {
    await this.publish(
      messages.map((fields) => {
        const message = create(InboundMessageSchema, {
          receivedAt: timestampFromDate(new Date()),
          ...fields,
        });
        return {
          topic: TOPICS.inbound.name,
          key: message.conversationKey,
          value: encode(InboundMessageSchema, message),
          headers: { messageId: message.messageId, type: messageType(InboundMessageSchema) },
        };
      }),
    );
  }

  /**
   * The event with which tickets says it recorded a customer's message routed to a ticket: until
   * then a resolved ticket keeps its agent's place (recording the message reopens it).
   */
  messageRecorded(ticketId: string, id: string, channel = Channel.VK): TicketEventInit {
    return {
      eventId: `${this.run}:${id}-recorded`,
      ticketId,
      type: TicketEventType.MESSAGE_ADDED,
      actor: { kind: ActorKind.CUSTOMER, id: 'someone' },
      occurredAt: timestampFromDate(new Date()),
      details: {
        case: 'messageAdded',
        value: { messageId: `${this.run}:${id}`, direction: MessageDirection.INBOUND, channel },
      },
    };
  }

  async publishTicketEvents(events: TicketEventInit[]): Promise<void> {
    await this.publish(
      events.map((fields) => {
        const event: TicketEvent = create(TicketEventSchema, fields);
        return {
          topic: TOPICS.ticketEvents.name,
          key: event.ticketId,
          value: encode(TicketEventSchema, event),
          headers: { messageId: event.eventId, type: messageType(TicketEventSchema) },
        };
      }),
    );
  }

  async publishCustomerEvents(
    events: Array<MessageInitShape<typeof CustomerEventSchema>>,
  ): Promise<void> {
    await this.publish(
      events.map((fields) => {
        const event = create(CustomerEventSchema, fields);
        return {
          topic: TOPICS.customerEvents.name,
          key: TOPICS.customerEvents.key(event),
          value: encode(CustomerEventSchema, event),
          headers: { messageId: event.eventId, type: messageType(CustomerEventSchema) },
        };
      }),
    );
  }

  async publishIdentityProofs(
    proofs: Array<MessageInitShape<typeof IdentityProofSchema>>,
  ): Promise<void> {
    await this.publish(
      proofs.map((fields) => {
        const proof = create(IdentityProofSchema, fields);
        return {
          topic: TOPICS.identityProofs.name,
          key: TOPICS.identityProofs.key(proof),
          value: encode(IdentityProofSchema, proof),
          headers: { messageId: proof.proofId, type: messageType(IdentityProofSchema) },
        };
      }),
    );
  }

  /** The decision log: every RoutingDecision the router wrote, in outbox (commit) order. */
  async decisions(): Promise<Array<RoutingDecision & { published: boolean }>> {
    const { rows } = await this.database.query<{ payload: Buffer; published: boolean }>(
      `SELECT payload, published_at IS NOT NULL AS published FROM routing.outbox
        WHERE topic = $1 ORDER BY id`,
      [TOPICS.routing.name],
    );
    return rows.map((row) => ({
      ...decode(RoutingDecisionSchema, row.payload),
      published: row.published,
    }));
  }

  /** How many decisions the log holds, cheaply: for polling while the router works. */
  async decisionCount(): Promise<number> {
    const [{ count }] = await this.query<{ count: number }>(
      `SELECT count(*)::int AS count FROM routing.outbox WHERE topic = $1`,
      [TOPICS.routing.name],
    );
    return count;
  }

  async query<Row extends object>(sql: string, parameters: unknown[] = []): Promise<Row[]> {
    return (await this.database.query<Row>(sql, parameters)).rows;
  }

  /**
   * Deletes this run's rule set from the shared, compacted directory topic (a tombstone), so that
   * whoever reads the directory from the beginning later, unsealed, does not route by it.
   */
  async retractRuleSet(): Promise<void> {
    const producer = new Kafka({ brokers: this.brokers, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    try {
      await producer.send({
        topic: TOPICS.directory.name,
        messages: [
          {
            key: directoryKey(DirectoryKind.RULE_SET, 'default'),
            value: null,
            headers: {
              'message-id': `${this.run}:directory:retract-rule-set`,
              type: messageType(DirectoryRecordSchema),
            },
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
  }

  async close(): Promise<void> {
    await this.retractRuleSet();
    await this.publisher.stop();
  }
}
