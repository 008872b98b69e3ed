import {
  Kafka,
  logLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type IHeaders,
  type KafkaConfig,
  type KafkaMessage,
  type LogEntry,
  type Producer,
} from 'kafkajs';
import { UnavailableError } from '@firstline/errors';
import {
  deliveryFor,
  describeError,
  isPostponed,
  routesOf,
  type BusOptions,
  type DeliveryContext,
  type Delivery,
  type Route,
} from './delivery';
import { OffsetCommits, type PartitionCommit } from './offset-commits';
import { stderrJsonLogger, type BusLogger } from './logger';
import {
  DEAD_LETTER_TOPIC,
  SOURCE_CHECKPOINT_TOPIC,
  SourceFencedError,
  type BusHealth,
  type CheckpointedSource,
  type MessageBus,
  type OutgoingMessage,
  type DeliveredMessage,
  type Subscription,
  type TopicSpec,
} from './port';
import { toDelivered, wireHeaders, type StoredRecord } from './records';

export interface KafkaBusOptions extends BusOptions {
  brokers: string[];
  clientId: string;
  /** Further kafkajs client settings: ssl, sasl, timeouts, connection retries. */
  client?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel' | 'logCreator'>;
  /** For topics created without one of their own (default 1: a single broker). */
  replicationFactor?: number;
  /** Partitions of one consumer group handled at the same time (default 6). */
  partitionsConsumedConcurrently?: number;
  /** A consumer silent this long loses its partitions to the rest of its group (default 30 s). */
  sessionTimeoutMs?: number;
  /** How often a consumer tells the broker it is alive, also while a handler runs (default 3 s). */
  heartbeatIntervalMs?: number;
  /**
   * How long the broker holds a fetch open waiting for records (default 500 ms, as the Java
   * client). Stopping a consumer waits for its open fetch, so this also bounds shutdown.
   */
  fetchMaxWaitMs?: number;
  /**
   * How long handled offsets may wait to be committed, gathered into one request (default 1 s):
   * what a crash repeats, on top of the batches in flight.
   */
  commitIntervalMs?: number;
  /** How long `health()` waits for the broker (default 2 s). */
  healthTimeoutMs?: number;
}

/** The first pause before a crashed consumer kafkajs gave up on starts again, and the longest. */
const MIN_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

/** One kafkajs consumer per group, subscribed to the topics of all the group's handlers. */
interface GroupConsumer {
  group: string;
  routes: Map<string, Route>;
  running?: {
    consumer: Consumer;
    /** Aborted when the consumer stops: handlers give up their retries, offsets go out at once. */
    controller: AbortController;
    commits: OffsetCommits;
    /** Partitions paused while a dependency is unavailable, each resumed by its timer. */
    resumes: Set<NodeJS.Timeout>;
  };
}

/** What a group's consumer hands each batch, for as long as it runs. */
interface ConsumerSession {
  deliveries: Map<string, Delivery>;
  commits: OffsetCommits;
  stopping: AbortSignal;
}

/**
 * Kafka behind the bus port. Publishing waits for every in-sync replica (idempotent producer,
 * acks=all). Each group's consumer hands a handler one partition's records in offset order (or a
 * fetch's partitions together, see `Subscription.gatherPartitions`) and commits offset + 1 of each
 * partition's last record only after the handler resolved (gathered for up to `commitIntervalMs`
 * into one request, see OffsetCommits), so a crash repeats records (at least once) and never
 * skips one.
 */
export class KafkaBus implements MessageBus {
  private readonly kafka: Kafka;
  private readonly logger: BusLogger;
  private readonly deadLetterTopic: string;
  private readonly groups = new Map<string, GroupConsumer>();
  private readonly producer: LazyClient<Producer>;
  private readonly admin: LazyClient<Admin>;
  private started = false;
  /** Pending restarts of consumers kafkajs gave up on (restartCrashed). */
  private readonly restarts = new Set<NodeJS.Timeout>();
  /** Lifecycle changes run one at a time: consumers start and stop cleanly however callers interleave. */
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new Error('KafkaBus needs at least one broker');
    this.logger = options.logger ?? stderrJsonLogger;
    this.deadLetterTopic = options.deadLetterTopic ?? DEAD_LETTER_TOPIC;
    this.kafka = new Kafka({
      ...options.client,
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.INFO,
      logCreator: () => (entry) => this.logKafkaEntry(entry),
    });
    this.producer = new LazyClient(() =>
      this.kafka.producer({
        idempotent: true,
        // kafkajs tracks idempotence sequence numbers for one request in flight per broker.
        maxInFlightRequests: 1,
        // Bounded, unlike kafkajs' idempotent default (retry forever): about two minutes, like the
        // Java client's delivery timeout, so a publish fails and its caller (the outbox relay) can
        // back off instead of hanging. See publish for what a failure costs.
        retry: { retries: 10 },
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      }),
    );
    this.admin = new LazyClient(() => this.kafka.admin());
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    const admin = await this.admin.connected();
    const existing = new Set(await admin.listTopics());
    const missing = specs.filter((spec) => !existing.has(spec.topic));
    if (missing.length === 0) return;
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((spec) => ({
          topic: spec.topic,
          numPartitions: spec.partitions,
          replicationFactor: spec.replicationFactor ?? this.options.replicationFactor ?? 1,
          configEntries: spec.compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
        })),
      });
    } catch (error) {
      const topics = missing.map((spec) => spec.topic).join(', ');
      throw new Error(`Creating topics ${topics} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const topicMessages = topicMessagesOf(messages);
    let producer: Producer | undefined;
    try {
      producer = await this.producer.connected();
      await producer.sendBatch({ acks: -1, topicMessages });
    } catch (error) {
      // kafkajs rolls the partitions' sequence numbers back after a failed send, yet the broker may
      // have stored the records, and the next ones would reuse those numbers and be dropped as
      // duplicates. A fresh producer gets a fresh producer id; the caller's republish may then
      // duplicate records, which consumers tolerate (at least once).
      if (producer) void this.producer.discard(producer);
      throw publishFailed(messages, topicMessages, error);
    }
  }

  /**
   * A transactional producer per source, its transactional id named after the source: opening
   * one initialises the id, which makes the broker abort the transaction a previous opener left
   * open and refuse that opener from then on. The checkpoint travels in the same transaction as
   * the records, as the offset metadata of a consumer group of its own on
   * `SOURCE_CHECKPOINT_TOPIC` (a transaction commits a group's offsets with its records, which
   * is how Kafka's consume-transform-produce loops are exactly once), and is read back with the
   * admin client, without joining the group. Consumers read committed records only (kafkajs'
   * default), so an aborted batch is never seen.
   */
  async openSource(name: string): Promise<CheckpointedSource> {
    await this.ensureTopics([{ topic: SOURCE_CHECKPOINT_TOPIC, partitions: 1 }]);
    const source = new KafkaSource(
      name,
      `${this.options.clientId}.source.${name}`,
      () =>
        this.kafka.producer({
          transactionalId: `${this.options.clientId}.source.${name}`,
          // A killed opener's transaction holds back read-committed consumers of the partitions
          // it wrote to until it is aborted: by the next opener, or by the broker after this.
          transactionTimeout: 15_000,
          idempotent: true,
          maxInFlightRequests: 1,
          retry: { retries: 10 },
          allowAutoTopicCreation: false,
          createPartitioner: Partitioners.DefaultPartitioner,
        }),
      () => this.admin.connected(),
    );
    await source.open();
    return source;
  }

  subscribe<Item = DeliveredMessage>(subscription: Subscription<Item>): Promise<void> {
    return this.serially(async () => {
      const routes = routesOf(subscription, this.options);
      const consumer = this.groups.get(subscription.group) ?? {
        group: subscription.group,
        routes: new Map<string, Route>(),
      };
      for (const route of routes) {
        if (consumer.routes.has(route.topic)) {
          throw new Error(
            `Group "${route.group}" already consumes ${route.topic}; give each handler its own group or topic`,
          );
        }
      }
      for (const route of routes) consumer.routes.set(route.topic, route);
      this.groups.set(consumer.group, consumer);
      if (this.started) {
        // A running kafkajs consumer cannot take on topics: restart it with the whole set.
        await this.ensureDeadLetterTopic();
        await this.halt(consumer);
        await this.run(consumer);
      }
    });
  }

  unsubscribe(group: string, topics: string[]): Promise<void> {
    return this.serially(async () => {
      const consumer = this.groups.get(group);
      if (!consumer) return;
      await this.halt(consumer);
      for (const topic of topics) consumer.routes.delete(topic);
      if (consumer.routes.size === 0) this.groups.delete(group);
      else if (this.started) await this.run(consumer);
    });
  }

  start(): Promise<void> {
    return this.serially(async () => {
      if (this.started) return;
      if (this.groups.size > 0) await this.ensureDeadLetterTopic();
      for (const consumer of this.groups.values()) await this.run(consumer);
      this.started = true;
    });
  }

  stop(): Promise<void> {
    return this.serially(async () => {
      this.started = false;
      for (const timer of this.restarts) clearTimeout(timer);
      this.restarts.clear();
      await Promise.all([...this.groups.values()].map((consumer) => this.halt(consumer)));
      await Promise.all([this.producer.discard(), this.admin.discard()]);
    });
  }

  async health(): Promise<BusHealth> {
    const timeoutMs = this.options.healthTimeoutMs ?? 2_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from the brokers within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      const cluster = await Promise.race([
        this.admin.connected().then((admin) => admin.describeCluster()),
        timeout,
      ]);
      return { up: true, detail: `${cluster.brokers.length} broker(s)` };
    } catch (error) {
      return { up: false, detail: describeError(error) };
    } finally {
      clearTimeout(timer);
    }
  }

  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    const admin = await this.admin.connected();
    const ends = new Map<
      string,
      Promise<Array<{ partition: number; high: string; low: string }>>
    >();
    const lag: Array<{ group: string; topic: string; partition: number; lag: number }> = [];
    for (const { group, routes } of this.groups.values()) {
      const committed = await admin.fetchOffsets({ groupId: group, topics: [...routes.keys()] });
      for (const { topic, partitions } of committed) {
        if (!ends.has(topic)) ends.set(topic, admin.fetchTopicOffsets(topic));
        const end = await ends.get(topic)!;
        for (const { partition, offset } of partitions) {
          const { high, low } = end.find((candidate) => candidate.partition === partition)!;
          // -1: the group has committed nothing yet and will start from the oldest record.
          const next = Number(offset) >= 0 ? Number(offset) : Number(low);
          lag.push({ group, topic, partition, lag: Math.max(0, Number(high) - next) });
        }
      }
    }
    return lag;
  }

  async deleteIdleGroups(prefix: string, keep: string): Promise<string[]> {
    try {
      const admin = await this.admin.connected();
      const { groups } = await admin.listGroups();
      const named = groups
        .map(({ groupId }) => groupId)
        .filter((groupId) => groupId.startsWith(prefix) && groupId !== keep);
      if (named.length === 0) return [];
      const described = await admin.describeGroups(named);
      const idle = described.groups
        .filter(({ state, members }) => members.length === 0 && state !== 'Dead')
        .map(({ groupId }) => groupId);
      if (idle.length === 0) return [];
      // A group that gained a member since is refused by the broker (NON_EMPTY_GROUP): it stays.
      const results = await admin.deleteGroups(idle).catch((error: unknown) => {
        const { groups: answered } = error as {
          groups?: Array<{ groupId: string; error?: unknown }>;
        };
        if (!answered) throw error;
        return answered;
      });
      const deleted = results.filter((result) => !result.error).map((result) => result.groupId);
      if (deleted.length > 0) this.logger.info('Deleted idle consumer groups', { prefix, deleted });
      return deleted;
    } catch (error) {
      this.logger.warn('Deleting idle consumer groups failed', {
        prefix,
        error: describeError(error),
      });
      return [];
    }
  }

  private async run(group: GroupConsumer): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: group.group,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: this.heartbeatIntervalMs,
      maxWaitTimeInMs: this.options.fetchMaxWaitMs ?? 500,
    });
    const controller = new AbortController();
    const commits = new OffsetCommits(
      this.options.commitIntervalMs ?? 1_000,
      (held) => consumer.commitOffsets(held),
      (error) =>
        this.logger.warn('Committing handled offsets failed; they are sent again with the next', {
          group: group.group,
          error: describeError(error),
        }),
    );
    const context: DeliveryContext = {
      logger: this.logger,
      deadLetterTopic: this.deadLetterTopic,
      publish: (messages) => this.publish(messages),
      signal: controller.signal,
    };
    const deliveries = new Map(
      [...group.routes].map(([topic, route]) => [topic, deliveryFor(route, context)]),
    );
    // Restarted either way: by kafkajs, or, after an error kafkajs deems final, by restartCrashed.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error('Kafka consumer crashed', {
        group: group.group,
        error: describeError(payload.error),
      });
      if (!payload.restart) this.restartCrashed(group, consumer, MIN_RESTART_DELAY_MS);
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
      commits.keepOwned(payload.memberAssignment),
    );
    const topics = [...group.routes.keys()];
    try {
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? 6,
        eachBatch: (payload) =>
          this.handleBatch(group, { deliveries, commits, stopping: controller.signal }, payload),
      });
    } catch (error) {
      commits.close();
      await consumer.disconnect().catch(() => undefined);
      throw new Error(
        `Consumer group "${group.group}" could not start on ${topics.join(', ')}: ${describeError(error)}`,
        { cause: error },
      );
    }
    group.running = { consumer, controller, commits, resumes: new Set() };
  }

  /**
   * kafkajs restarts a crashed consumer only after errors it deems passing; after the others it
   * leaves it stopped, and the service would go on without its handlers. A broker restart can
   * cause one of those (the group's coordinator not found while it loads), and outlive it: the
   * group starts again with a new consumer after a pause, doubled up to MAX_RESTART_DELAY_MS
   * while starting fails, for as long as the bus runs. What the crashed consumer had handled but
   * not committed is handled again (at least once).
   */
  private restartCrashed(group: GroupConsumer, crashed: Consumer, delayMs: number): void {
    const timer = setTimeout(() => {
      this.restarts.delete(timer);
      this.serially(async () => {
        if (!this.started || this.groups.get(group.group) !== group) return;
        if (group.running?.consumer === crashed) await this.halt(group);
        // Started again meanwhile (a subscribe restarts its group).
        if (group.running) return;
        await this.run(group);
        this.logger.info('Restarted a crashed Kafka consumer', { group: group.group });
      }).catch((error: unknown) => {
        const nextMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
        this.logger.warn('Restarting a crashed Kafka consumer failed; trying again', {
          group: group.group,
          error: describeError(error),
          inMs: nextMs,
        });
        this.restartCrashed(group, crashed, nextMs);
      });
    }, delayMs);
    this.restarts.add(timer);
  }

  /**
   * Commits what was handled, waits for in-flight batches (a batch waiting to retry gives up at
   * once; one that finishes commits at once), then leaves the group.
   */
  private async halt(group: GroupConsumer): Promise<void> {
    if (!group.running) return;
    const { consumer, controller, commits, resumes } = group.running;
    group.running = undefined;
    controller.abort();
    for (const timer of resumes) clearTimeout(timer);
    await commits.flush().catch((error: unknown) =>
      this.logger.warn('Committing handled offsets on stopping failed; they will be repeated', {
        group: group.group,
        error: describeError(error),
      }),
    );
    await consumer.disconnect();
    commits.close();
  }

  /**
   * kafkajs fetches up to a megabyte per partition; it reaches the handler in slices of at most
   * `maxBatchSize`, each committed as soon as its handler resolved. kafkajs hands a fetch's
   * partitions to `partitionsConsumedConcurrently` workers in one turn of the event loop, which is
   * what lets a route gather them into one delivery.
   */
  private async handleBatch(
    group: GroupConsumer,
    { deliveries, commits, stopping }: ConsumerSession,
    {
      batch,
      heartbeat,
      pause,
      isRunning,
      isStale,
      resolveOffset,
      commitOffsetsIfNecessary,
    }: EachBatchPayload,
  ): Promise<void> {
    const route = group.routes.get(batch.topic);
    const delivery = deliveries.get(batch.topic);
    if (!route || !delivery) return;
    for (let start = 0; start < batch.messages.length; start += route.maxBatchSize) {
      // Stale: the partition was taken away in a rebalance; its new owner continues from the commit.
      if (!isRunning() || isStale()) return;
      const records = batch.messages.slice(start, start + route.maxBatchSize);
      const messages = records.map((record) =>
        toDelivered(storedRecord(batch.topic, batch.partition, record)),
      );
      const outcome = await this.whileHeartbeating(heartbeat, () => delivery(messages));
      if (outcome === 'abandoned') return;
      if (isPostponed(outcome)) {
        // Waiting here would hold kafkajs' next fetch, and with it every other partition: pause
        // this one instead; once resumed, it is fetched again from its first unresolved record.
        this.postpone(group, pause, outcome.postponedForMs);
        return;
      }
      const last = records[records.length - 1].offset;
      await commits.handled(
        { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
        (held) => commitOffsetsIfNecessary({ topics: byTopic(held) }),
        // Stopping: committed now, while the consumer is still a member of its group.
        stopping.aborted || !isRunning(),
      );
      resolveOffset(last);
      await heartbeat();
    }
  }

  private postpone(group: GroupConsumer, pause: () => () => void, delayMs: number): void {
    const running = group.running;
    if (!running) return;
    const resume = pause();
    const timer = setTimeout(() => {
      running.resumes.delete(timer);
      resume();
    }, delayMs);
    running.resumes.add(timer);
  }

  /**
   * kafkajs heartbeats only between batches; a handler or its retries may take longer than the
   * session. A failed beat here means a rebalance, which the commit after the handler reports.
   */
  private async whileHeartbeating<T>(
    heartbeat: () => Promise<void>,
    work: () => Promise<T>,
  ): Promise<T> {
    const timer = setInterval(() => heartbeat().catch(() => undefined), this.heartbeatIntervalMs);
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  }

  private get heartbeatIntervalMs(): number {
    return this.options.heartbeatIntervalMs ?? 3_000;
  }

  private ensureDeadLetterTopic(): Promise<void> {
    return this.ensureTopics([
      { topic: this.deadLetterTopic, partitions: this.options.deadLetterPartitions ?? 1 },
    ]);
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.lifecycle.then(work);
    this.lifecycle = result.catch(() => undefined);
    return result;
  }

  /**
   * kafkajs logs protocol errors it is about to retry at ERROR; they go out as warnings, while
   * failures that matter reach the bus as rejected calls or consumer crashes and are logged there.
   */
  private logKafkaEntry({ namespace, level, log }: LogEntry): void {
    // We bound the idempotent producer's retries on purpose (see the producer in the constructor).
    if (log.message.startsWith('Limiting retries for the idempotent producer')) return;
    const fields: Record<string, unknown> = { ...log };
    // The message leads the line; our logger stamps its own time and name.
    for (const own of ['message', 'timestamp', 'logger']) delete fields[own];
    const text = `kafkajs ${namespace}: ${log.message}`;
    if (level === logLevel.ERROR || level === logLevel.WARN) this.logger.warn(text, fields);
    else this.logger.info(text, fields);
  }
}

/**
 * kafkajs' own verdict: an error it retries (no connection, a timeout, no leader for the
 * partition), or one whose retries ran out, means the broker is away, not that the records are bad.
 */
function brokerUnavailable(error: unknown): boolean {
  const { name, retriable } = error as { name?: unknown; retriable?: unknown };
  return retriable === true || name === 'KafkaJSNumberOfRetriesExceeded';
}

type TopicMessages = Array<{
  topic: string;
  messages: Array<{ key: string; value: Buffer; headers: IHeaders }>;
}>;

function topicMessagesOf(messages: OutgoingMessage[]): TopicMessages {
  const now = new Date().toISOString();
  const byTopic = new Map<string, TopicMessages[number]['messages']>();
  for (const message of messages) {
    const records = byTopic.get(message.topic) ?? [];
    byTopic.set(message.topic, records);
    records.push({
      key: message.key,
      value: Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength),
      headers: wireHeaders(message, now),
    });
  }
  return [...byTopic].map(([topic, records]) => ({ topic, messages: records }));
}

function publishFailed(
  messages: OutgoingMessage[],
  topicMessages: TopicMessages,
  error: unknown,
): Error {
  const topics = topicMessages.map(({ topic }) => topic).join(', ');
  const message = `Publishing ${messages.length} record(s) to ${topics} failed: ${describeError(error)}`;
  return brokerUnavailable(error)
    ? new UnavailableError(message, { cause: error })
    : new Error(message, { cause: error });
}

/** The broker's word that a newer producer took the transactional id, however kafkajs wraps it. */
function fenced(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, originalError, errors, cause } = error as {
    type?: unknown;
    originalError?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED') return true;
  if (type === 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED') return false;
  return (
    fenced(originalError) ||
    fenced(cause) ||
    (Array.isArray(errors) && errors.some((inner) => fenced(inner)))
  );
}

function concurrentTransaction(error: unknown): boolean {
  return (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS';
}

/** How long apart the checkpoint is read on opening a source, until two reads agree (at most CHECKPOINT_READS). */
const CHECKPOINT_SETTLE_MS = 100;
const CHECKPOINT_READS = 10;

/** See `KafkaBus.openSource`. */
class KafkaSource implements CheckpointedSource {
  checkpoint: string | undefined;
  private producer?: Producer;
  /** The offset committed with the checkpoint: a count of publishes, for operators to read. */
  private sequence = 0;
  private closed = false;
  private publishing: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    /** The checkpoint's consumer group. */
    private readonly group: string,
    private readonly createProducer: () => Producer,
    private readonly admin: () => Promise<Admin>,
  ) {}

  /** Fences earlier openers (their open transaction is aborted), then reads what they committed. */
  async open(): Promise<void> {
    const producer = this.createProducer();
    try {
      await producer.connect();
      // kafkajs initialises the transactional id at the first transaction: an empty one fences.
      await (await producer.transaction()).abort();
    } catch (error) {
      await producer.disconnect().catch(() => undefined);
      throw new Error(`Opening source ${this.name} failed: ${describeError(error)}`, {
        cause: error,
      });
    }
    this.producer = producer;
    // The fencing waited for the last opener's transaction to complete, but its checkpoint shows
    // a moment later: the group coordinator applies a committed transaction's offsets after it
    // has written its markers, and kafkajs cannot ask for stable offsets only (OffsetFetch v7,
    // KIP-447). Read too early, the checkpoint before it would send that batch a second time; the
    // one two reads a moment apart agree on is the one committed.
    let read = await this.readCheckpoint();
    for (let settled = false, reads = 1; !settled && reads < CHECKPOINT_READS; reads += 1) {
      await new Promise((resolve) => setTimeout(resolve, CHECKPOINT_SETTLE_MS));
      const again = await this.readCheckpoint();
      settled = again.sequence === read.sequence;
      read = again;
    }
    this.sequence = read.sequence;
    this.checkpoint = read.checkpoint;
  }

  private async readCheckpoint(): Promise<{ sequence: number; checkpoint?: string }> {
    const admin = await this.admin();
    const [committed] = await admin.fetchOffsets({
      groupId: this.group,
      topics: [SOURCE_CHECKPOINT_TOPIC],
    });
    const partition = committed?.partitions.find((entry) => entry.partition === 0);
    return partition && Number(partition.offset) >= 0
      ? { sequence: Number(partition.offset), checkpoint: partition.metadata ?? undefined }
      : { sequence: 0 };
  }

  publish(messages: OutgoingMessage[], checkpoint: string): Promise<void> {
    const published = this.publishing.then(() => this.transact(messages, checkpoint));
    this.publishing = published.catch(() => undefined);
    return published;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.publishing;
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
  }

  private async transact(messages: OutgoingMessage[], checkpoint: string): Promise<void> {
    if (this.closed) throw new SourceFencedError(this.name);
    const topicMessages = topicMessagesOf(messages);
    const producer = (this.producer ??= this.createProducer());
    let transaction: Awaited<ReturnType<Producer['transaction']>> | undefined;
    try {
      await producer.connect();
      transaction = await producer.transaction();
      if (topicMessages.length > 0) await transaction.sendBatch({ acks: -1, topicMessages });
      const active = transaction;
      const sendOffsets = () =>
        active.sendOffsets({
          consumerGroupId: this.group,
          topics: [
            {
              topic: SOURCE_CHECKPOINT_TOPIC,
              partitions: [
                { partition: 0, offset: String(this.sequence + 1), metadata: checkpoint } as {
                  partition: number;
                  offset: string;
                },
              ],
            },
          ],
        });
      // The broker answers CONCURRENT_TRANSACTIONS while it still completes the previous commit;
      // kafkajs retries that for the records but not for the offsets.
      for (let attempt = 1; ; attempt += 1) {
        try {
          await sendOffsets();
          break;
        } catch (error) {
          if (!concurrentTransaction(error) || attempt === 20) throw error;
          await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
        }
      }
      await transaction.commit();
    } catch (error) {
      if (fenced(error)) {
        this.closed = true;
        await producer.disconnect().catch(() => undefined);
        throw new SourceFencedError(this.name, { cause: error });
      }
      // Aborted, nothing of it is visible; if even the abort fails, the next publish starts
      // over with a new producer, which aborts what this one left open.
      const aborted = await transaction?.abort().then(
        () => true,
        () => false,
      );
      if (!aborted) {
        this.producer = undefined;
        await producer.disconnect().catch(() => undefined);
      }
      throw publishFailed(messages, topicMessages, error);
    }
    this.sequence += 1;
    this.checkpoint = checkpoint;
  }
}

/** Offsets as kafkajs' OffsetCommit request takes them, grouped by topic. */
function byTopic(commits: PartitionCommit[]) {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const { topic, partition, offset } of commits) {
    const partitions = topics.get(topic) ?? [];
    topics.set(topic, partitions);
    partitions.push({ partition, offset });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

function storedRecord(topic: string, partition: number, message: KafkaMessage): StoredRecord {
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: message.value ?? Buffer.alloc(0),
    headers: headerStrings(message.headers),
    timestamp: Number(message.timestamp),
  };
}

/** Header values arrive as buffers; a repeated header keeps its last value. */
function headerStrings(headers: IHeaders = {}): Record<string, string> {
  const strings: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const last = Array.isArray(value) ? value[value.length - 1] : value;
    if (last !== undefined) strings[name] = last.toString();
  }
  return strings;
}

/** A kafkajs client connected on first use; a failed connection is forgotten so the next use tries again. */
class LazyClient<T extends Producer | Admin> {
  private current?: { client: T; connected: Promise<T> };

  constructor(private readonly create: () => T) {}

  connected(): Promise<T> {
    if (!this.current) {
      const client = this.create();
      const current = { client, connected: client.connect().then(() => client) };
      current.connected.catch(() => {
        if (this.current === current) this.current = undefined;
      });
      this.current = current;
    }
    return this.current.connected;
  }

  /** Disconnects the current client, or the given one, which the next use then replaces. */
  async discard(client?: T): Promise<void> {
    const current = this.current;
    if (current && (!client || current.client === client)) this.current = undefined;
    const target = client ?? current?.client;
    if (!target) return;
    // kafkajs goes on retrying a connection attempt that a disconnect interrupts.
    if (target === current?.client) await current.connected.catch(() => undefined);
    await target.disconnect().catch(() => undefined);
  }
}
