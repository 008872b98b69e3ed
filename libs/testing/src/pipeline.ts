import { Kafka, logLevel } from 'kafkajs';
import {
  KafkaBus,
  silentLogger,
  type DeliveredMessage,
  type MessageBus,
  type OutgoingMessage,
  type Subscription,
} from '@firstline/bus';
import {
  directoryKey,
  DirectoryRecordSchema,
  encode,
  messageType,
  TOPICS,
  type DirectoryRecord,
} from '@firstline/contracts';
import { startService, type RunningService, type ServiceDefinition } from '@firstline/runtime';
import { ensureKafka, uniqueName, untilServing } from './kafka';
import { createTestDatabase, type TestDatabase } from './postgres';
import { freePort } from './ports';
import { startTestBucket, type TestBucket } from './s3';

/** The header that marks a record as published by one pipeline run. */
export const PIPELINE_RUN_HEADER = 'firstline-test-run';

/** Every demo account signs in with it (services/tickets, demo directory). */
const DEMO_PASSWORD = 'firstline-demo';

export interface PipelineServices {
  router: ServiceDefinition;
  tickets: ServiceDefinition;
  /** The channel adapter under test; configure it through process.env before starting. */
  channel: ServiceDefinition;
  /**
   * Settings of the channel that name its own address (a web form's public URL), given the
   * address it will listen on and those of the `also` services; set in process.env while
   * every service starts.
   */
  channelSettings?: (url: string, alsoUrls: string[]) => Record<string, string>;
  /** Services beside the channel, e.g. the web form whose rating page an email survey links to. */
  also?: ServiceDefinition[];
  /**
   * Lets this run's directory (the tickets service's demo seed and every change) reach this run's
   * router, for tests of assignment: agents' presence and capacity. Sealed to the run like every
   * other record, so other suites' routers pass over it.
   */
  withDirectory?: boolean;
}

/**
 * Router, tickets and one channel adapter on the shared broker and Postgres, wired as in
 * production, for end-to-end tests. The topics are the real, shared ones, and other suites run
 * on them at the same time, so a pipeline is sealed off from them:
 *
 * - every consumer group of the run is new and starts at the topics' current end;
 * - everything the three services publish carries this run's `PIPELINE_RUN_HEADER`, and they
 *   handle only records that carry it. Without that, another suite's router (they all read
 *   support.inbound.v1) would route this run's messages too, and its decisions, with tickets of
 *   its own, would reach this run's tickets service under the same decision id;
 * - nothing reaches support.directory.v1: the tickets service seeds its demo directory (with a
 *   classification rule set) into every fresh database and publishes it, and other suites'
 *   routers read that topic. This run's router therefore knows no directory and routes with
 *   libs/routing's DEFAULT_RULE_SET: every ticket to team `first-line`, unassigned, which a
 *   supervisor sees. A test of assignment asks for the directory (`withDirectory`): it then
 *   travels sealed to the run like the rest.
 */
export class Pipeline {
  private constructor(
    /** Unique to this run: use it in conversation keys, bot names and texts. */
    readonly run: string,
    readonly router: RunningService,
    readonly tickets: RunningService,
    readonly channel: RunningService,
    /** Each service's own database, for what a test checks beyond the APIs. */
    readonly databases: Record<'router' | 'tickets' | 'channel', TestDatabase>,
    /** The `also` services, in their order, each with its own database. */
    readonly also: Array<{ service: RunningService; database: TestDatabase }> = [],
    /** Where the services keep attachments. */
    readonly bucket?: TestBucket,
  ) {}

  static async start(services: PipelineServices): Promise<Pipeline> {
    const run = uniqueName('e2e').replace(/\W/g, '-');
    const brokers = await ensureKafka();
    const named = {
      router: { ...services.router, name: `${services.router.name}-${run}` },
      tickets: { ...services.tickets, name: `${services.tickets.name}-${run}` },
      channel: { ...services.channel, name: `${services.channel.name}-${run}` },
    };
    const also = (services.also ?? []).map((service) => ({
      ...service,
      name: `${service.name}-${run}`,
    }));
    const databases = await Promise.all(
      [named.router, named.tickets, named.channel, ...also].map(() => createTestDatabase()),
    );
    await startGroupsAtTopicEnd(
      brokers,
      [...Object.values(named), ...also].map((service) => service.name),
    );
    const channelPort = services.channelSettings ? await freePort() : 0;
    const alsoPorts = await Promise.all(also.map(() => freePort()));
    const channelSettings =
      services.channelSettings?.(
        `http://127.0.0.1:${channelPort}`,
        alsoPorts.map((port) => `http://127.0.0.1:${port}`),
      ) ?? {};
    // Small pools: the Postgres server is shared with every suite running meanwhile.
    const start = (definition: ServiceDefinition, database: TestDatabase, poolSize = 2, port = 0) =>
      startService(
        definition,
        {
          bus: sealedToRun(
            new KafkaBus({ brokers, clientId: definition.name, logger: silentLogger }),
            run,
            services.withDirectory,
          ),
          ownsBus: true,
          databaseUrl: database.url,
          databasePoolSize: poolSize,
          host: '127.0.0.1',
          logLevel: 'silent',
          partitions: 6,
          replicationFactor: 1,
        },
        port,
      );
    // Each service has a database of its own, so they share attachments through a bucket, as
    // services on separate databases do in production (docs/adr/0022).
    const bucket = await startTestBucket();
    // Tests sign in as the demo's agents: their tickets service seeds the demo, as `npm start` does.
    const startSettings = { FIRSTLINE_DEMO: '1', ...bucket.settings, ...channelSettings };
    Object.assign(process.env, startSettings);
    const started = await Promise.allSettled([
      start(named.router, databases[0]),
      start(named.tickets, databases[1], 3),
      start(named.channel, databases[2], 2, channelPort),
      ...also.map((service, index) => start(service, databases[3 + index]!, 2, alsoPorts[index])),
    ]).finally(() => {
      for (const name of Object.keys(startSettings)) delete process.env[name];
    });
    const running = started.flatMap((result) =>
      result.status === 'fulfilled' ? [result.value] : [],
    );
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) {
      await Promise.all(running.map((service) => service.stop()));
      await Promise.all(databases.map((database) => database.drop()));
      await bucket.close();
      throw failed.reason;
    }
    const [router, tickets, channel, ...others] = running;
    return new Pipeline(
      run,
      router,
      tickets,
      channel,
      { router: databases[0], tickets: databases[1], channel: databases[2] },
      others.map((service, index) => ({ service, database: databases[3 + index]! })),
      bucket,
    );
  }

  /** Signs in to the tickets service's API, by default with the demo password. */
  login(email: string, password = DEMO_PASSWORD): Promise<AgentApi> {
    return signInToApi(this.tickets.url, email, password);
  }

  async stop(): Promise<void> {
    // The adapters first, so nothing new enters while the others finish their batches.
    await Promise.all(
      [this.channel, ...this.also.map(({ service }) => service)].map((s) => s.stop()),
    );
    await Promise.all([this.router.stop(), this.tickets.stop()]);
    await Promise.all(
      [...Object.values(this.databases), ...this.also.map(({ database }) => database)].map(
        (database) => database.drop(),
      ),
    );
    await this.bucket?.close();
  }
}

/** Signs in to the API of the tickets service (or replica) at `ticketsUrl`. */
export async function signInToApi(
  ticketsUrl: string,
  email: string,
  password = DEMO_PASSWORD,
): Promise<AgentApi> {
  const response = await fetch(`${ticketsUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login of ${email} failed: ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  return new AgentApi(`${ticketsUrl}/api/v1`, token);
}

/** The agents' REST API (`/api/v1`) as one signed-in agent. */
export class AgentApi {
  constructor(
    private readonly baseUrl: string,
    readonly token: string,
  ) {}

  async call<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  /** The body of a call that must succeed; anything else fails the test with the answer. */
  async ok<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.call<T>(method, path, body);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(
        `${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`,
      );
    }
    return answer.body;
  }
}

/**
 * Publishes directory records to one run alone (its header on each), as an admin's change reaches
 * that run's services; every other run's services pass over them.
 */
export async function publishDirectoryToRun(
  run: string,
  records: DirectoryRecord[],
): Promise<void> {
  const bus = new KafkaBus({
    brokers: await ensureKafka(),
    clientId: `${run}-directory`,
    logger: silentLogger,
  });
  try {
    await bus.publish(
      records.map((record) => ({
        topic: TOPICS.directory.name,
        key: directoryKey(record.kind, record.id),
        value: encode(DirectoryRecordSchema, record),
        headers: {
          messageId: `${directoryKey(record.kind, record.id)}@${record.version}`,
          type: messageType(DirectoryRecordSchema),
        },
        extraHeaders: { [PIPELINE_RUN_HEADER]: run },
      })),
    );
  } finally {
    await bus.stop();
  }
}

/**
 * The bus as one pipeline run's services see it: what they publish is marked with the run (and
 * directory records are kept off the shared topic), what they consume is only what the run
 * published.
 */
export function sealedToRun(bus: MessageBus, run: string, withDirectory = false): MessageBus {
  const marked = (messages: OutgoingMessage[]) =>
    messages
      .filter((message) => withDirectory || message.topic !== TOPICS.directory.name)
      .map((message) => ({
        ...message,
        extraHeaders: { ...message.extraHeaders, [PIPELINE_RUN_HEADER]: run },
      }));
  return {
    ensureTopics: (topics) => bus.ensureTopics(topics),
    publish: async (messages) => {
      const kept = marked(messages);
      if (kept.length > 0) await bus.publish(kept);
    },
    openSource: async (name) => {
      const source = await bus.openSource(name);
      return {
        name,
        get checkpoint() {
          return source.checkpoint;
        },
        publish: (messages, checkpoint) => source.publish(marked(messages), checkpoint),
        close: () => source.close(),
      };
    },
    subscribe: <Item>(subscription: Subscription<Item>) => {
      const read = subscription.read ?? ((record: DeliveredMessage) => record as unknown as Item);
      // Other runs' records are passed over unread: they are not this run's to dead-letter.
      return bus.subscribe<{ item?: Item }>({
        ...subscription,
        read: (record) =>
          record.extraHeaders[PIPELINE_RUN_HEADER] === run ? { item: read(record) } : {},
        handler: async (entries) => {
          const ours = entries.flatMap(({ item }) => (item === undefined ? [] : [item]));
          if (ours.length > 0) await subscription.handler(ours);
        },
      });
    },
    unsubscribe: (group, topics) => bus.unsubscribe(group, topics),
    start: () => bus.start(),
    stop: () => bus.stop(),
    health: () => bus.health(),
    lag: () => bus.lag(),
    deleteIdleGroups: (prefix, keep) => bus.deleteIdleGroups(prefix, keep),
  };
}

/**
 * Commits, for each new group, the current end of every Firstline topic, so the group's first
 * fetch starts there instead of at the oldest record of every earlier run. All topics, not only
 * those a service consumes today: a consumer added later is covered too. (What kafkajs's
 * admin.setOffsets does for one topic, for all topics at once: each join costs seconds.)
 */
export async function startGroupsAtTopicEnd(brokers: string[], groups: string[]): Promise<void> {
  const setup = new KafkaBus({ brokers, clientId: 'pipeline-setup', logger: silentLogger });
  try {
    await setup.ensureTopics(
      Object.values(TOPICS).map(({ name, compacted }) => ({
        topic: name,
        partitions: 6,
        compacted,
      })),
    );
  } finally {
    await setup.stop();
  }
  const topics = Object.values(TOPICS).map(({ name }) => name);
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await Promise.all(
      topics.map(async (topic) => ({
        topic,
        offsets: await untilServing(() => admin.fetchTopicOffsets(topic)),
      })),
    );
    await Promise.all(
      groups.map(async (group) => {
        const consumer = kafka.consumer({ groupId: group });
        await consumer.connect();
        try {
          await consumer.subscribe({ topics, fromBeginning: true });
          await new Promise<void>((resolve, reject) => {
            consumer.on(consumer.events.FETCH, () => {
              consumer.stop().then(resolve, reject);
            });
            consumer.run({ eachBatchAutoResolve: false, eachBatch: async () => {} }).catch(reject);
            consumer.pause(topics.map((topic) => ({ topic })));
            for (const { topic, offsets } of ends) {
              for (const { partition, high } of offsets) {
                consumer.seek({ topic, partition, offset: high });
              }
            }
          });
        } finally {
          await consumer.disconnect();
        }
      }),
    );
  } finally {
    await admin.disconnect();
  }
}
