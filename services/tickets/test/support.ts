import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaBus, silentLogger, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import {
  Channel,
  create,
  encode,
  IdentityKind,
  messageType,
  Priority,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampFromDate,
  TOPICS,
  type MessageShape,
  type Priority as PriorityValue,
  type RoutingCommand,
} from '@firstline/contracts';
import { startService, type RunningService } from '@firstline/runtime';
import {
  AgentApi,
  createTestDatabase,
  ensureKafka,
  sealedToRun,
  uniqueName,
  type TestDatabase,
} from '@firstline/testing';
import { DEMO_PASSWORD, ticketsService } from '../src';

export type RoutingDecision = MessageShape<typeof RoutingDecisionSchema>;

/**
 * Points a consumer group at the current end of a topic, so a test's fresh group reads what the
 * test publishes, not every earlier run's records. Costs about 5 s (kafkajs waits out a fetch).
 */
export async function startAtEnd(brokers: string[], group: string, topic: string) {
  const admin = new Kafka({ brokers, clientId: group, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.setOffsets({
      groupId: group,
      topic,
      partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })),
    });
  } finally {
    await admin.disconnect();
  }
}

/** The bus with a broker that accepts nothing: every publish fails. */
function withPublishFailing(bus: MessageBus): MessageBus {
  return {
    ensureTopics: (topics) => bus.ensureTopics(topics),
    publish: async () => {
      throw new Error('broker unreachable');
    },
    subscribe: (subscription) => bus.subscribe(subscription),
    unsubscribe: (group, topics) => bus.unsubscribe(group, topics),
    start: () => bus.start(),
    stop: () => bus.stop(),
    health: () => bus.health(),
    lag: () => bus.lag(),
    deleteIdleGroups: (prefix, keep) => bus.deleteIdleGroups(prefix, keep),
    openSource: (name) => bus.openSource(name),
  };
}

/** The tickets service on the real broker and a fresh Postgres database, with a test client. */
export class TicketsUnderTest {
  private constructor(
    readonly service: RunningService,
    /** Publishes as this run: what it sends, this service handles and others ignore. */
    readonly bus: MessageBus,
    readonly database: TestDatabase,
    /** Records on the watched topics, from the start of the test on. */
    readonly published: DeliveredMessage[],
  ) {}

  /**
   * `unpublishable`: the service's bus
   * fails every publish, as if the broker vanished after the database commit. `watch`: topics
   * to collect in `published`.
   */
  static async start(
    options: {
      unpublishable?: boolean;
      watch?: string[];
      /** A restart: the consumer group of the earlier process, which resumes where it stopped. */
      restartOf?: TicketsUnderTest;
    } = {},
  ): Promise<TicketsUnderTest> {
    const database = options.restartOf?.database ?? (await createTestDatabase());
    const brokers = await ensureKafka();
    const name = options.restartOf?.service.name ?? uniqueName('tickets');
    const bus = new KafkaBus({ brokers, clientId: name, logger: silentLogger });
    // Other suites share the broker and its topics: sealed to this run (named after the service),
    // the service handles only what this test publishes, and other suites' services ignore it.
    const sealed = sealedToRun(bus, name);
    await bus.ensureTopics(
      Object.values(TOPICS).map(({ name: topic, compacted }) => ({
        topic,
        partitions: 6,
        compacted,
      })),
    );
    // Only the long topics are skipped; the few old receipts and outbound messages are harmless.
    const observer = uniqueName('observer');
    await Promise.all([
      !options.restartOf && startAtEnd(brokers, name, TOPICS.routing.name),
      options.watch?.includes(TOPICS.ticketEvents.name) &&
        startAtEnd(brokers, observer, TOPICS.ticketEvents.name),
    ]);
    const published: DeliveredMessage[] = [];
    if (options.watch) {
      await sealed.subscribe({
        group: observer,
        topics: options.watch,
        handler: async (messages) => void published.push(...messages),
      });
    }
    // The tests sign in as the demo's agents, so this tickets service seeds the demo.
    process.env.FIRSTLINE_DEMO = '1';
    const service = await startService(
      { ...ticketsService, name },
      {
        bus: options.unpublishable ? withPublishFailing(sealed) : sealed,
        ownsBus: true,
        databaseUrl: database.url,
        databasePoolSize: 4,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );
    return new TicketsUnderTest(service, sealed, database, published);
  }

  /** Stops the service; `keepDatabase` for a restart on the same data. */
  async stop(keepDatabase = false): Promise<void> {
    await this.service.stop();
    if (!keepDatabase) await this.database.drop();
  }

  async publishDecisions(decisions: RoutingDecision[]): Promise<void> {
    await this.bus.publish(
      decisions.map((decision) => ({
        topic: TOPICS.routing.name,
        key: decision.ticketId,
        value: encode(RoutingDecisionSchema, decision),
        headers: { messageId: decision.decisionId, type: messageType(RoutingDecisionSchema) },
      })),
    );
  }

  async login(email: string, password = DEMO_PASSWORD): Promise<AgentApi> {
    const response = await fetch(`${this.service.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login failed: ${response.status}`);
    const { token } = (await response.json()) as { token: string };
    return new AgentApi(`${this.service.url}/api/v1`, token);
  }

  async query<T>(sql: string, parameters: unknown[] = []): Promise<T[]> {
    const { DataSource } = await import('typeorm');
    return this.service.app.get(DataSource).query<T[]>(sql, parameters);
  }
}

/** Numbers as the router would mint them: unique within a test database. */
let lastTicketNumber = 10_000;
function nextTicketNumber(): string {
  lastTicketNumber += 1;
  return String(lastTicketNumber);
}

/** A decision for a new ticket from a customer writing by email; override what a test needs. */
export function decision(
  overrides: Omit<Partial<RoutingDecision>, '$typeName' | '$unknown'> = {},
): RoutingDecision {
  const ticketId = overrides.ticketId ?? randomUUID();
  const customerId = overrides.customerId ?? randomUUID();
  const inboundId = randomUUID();
  const now = new Date();
  return create(RoutingDecisionSchema, {
    decisionId: `decision-${inboundId}`,
    inboundMessageId: inboundId,
    customerId,
    conversationKey: `email:${customerId}`,
    ticketId,
    ticketNumber: nextTicketNumber(),
    disposition: TicketDisposition.NEW_TICKET,
    teamId: 'first-line',
    skillIds: ['general'],
    priority: Priority.NORMAL,
    firstResponseDueAt: timestampFromDate(new Date(now.getTime() + 4 * 3600_000)),
    resolutionDueAt: timestampFromDate(new Date(now.getTime() + 40 * 3600_000)),
    decidedAt: timestampFromDate(now),
    message: {
      messageId: inboundId,
      channel: Channel.EMAIL,
      sender: {
        kind: IdentityKind.EMAIL,
        value: `${customerId}@example.com`,
        displayName: 'Cleo Customer',
      },
      conversationKey: `email:${customerId}`,
      subject: 'My invoice is wrong',
      textBody: 'Hello, the invoice says 200 instead of 100.',
      receivedAt: timestampFromDate(now),
    },
    ...overrides,
  });
}

/** The router's answer to a command: the ticket's routing after it, or a refusal. */
export function commandAnswer(
  routed: RoutingDecision,
  command: RoutingCommand,
  after: {
    teamId?: string;
    skillIds?: string[];
    assignedAgentId?: string;
    priority?: PriorityValue;
    refusal?: string;
    capacityOverridden?: boolean;
  },
): RoutingDecision {
  return decision({
    ticketId: routed.ticketId,
    customerId: routed.customerId,
    disposition: TicketDisposition.REASSIGNED,
    message: undefined,
    inboundMessageId: '',
    teamId: after.teamId ?? routed.teamId,
    skillIds: after.skillIds ?? routed.skillIds,
    priority: after.priority ?? routed.priority,
    assignedAgentId: after.assignedAgentId,
    command: {
      $typeName: 'firstline.v1.CommandOutcome',
      commandId: command.commandId,
      agentId: command.agentId,
      refusal: after.refusal ?? '',
      capacityOverridden: after.capacityOverridden ?? false,
    },
  });
}

/**
 * A calendar's special working days (UTC, protobuf JSON) that make it open from `from` to `to`,
 * whole minutes, split at midnight.
 */
export function workingStretch(from: Date, to: Date) {
  const days: Array<{ date: string; openMinute: number; closeMinute: number }> = [];
  for (let t = from.getTime(); t < to.getTime();) {
    const date = new Date(t).toISOString().slice(0, 10);
    const midnight = Date.parse(`${date}T00:00:00Z`);
    const end = Math.min(to.getTime(), midnight + 86_400_000);
    days.push({
      date,
      openMinute: (t - midnight) / 60_000,
      closeMinute: (end - midnight) / 60_000,
    });
    t = end;
  }
  return days;
}

export { waitFor } from '@firstline/testing';
