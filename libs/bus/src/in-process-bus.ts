import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  deliveryFor,
  describeError,
  pause,
  routesOf,
  type BusOptions,
  type Delivery,
  type Route,
} from './delivery';
import { stderrJsonLogger, type BusLogger } from './logger';
import { partitionForKey } from './partitioner';
import {
  DEAD_LETTER_TOPIC,
  type BusHealth,
  type MessageBus,
  type OutgoingMessage,
  type Subscription,
  type TopicSpec,
} from './port';
import { toDelivered, wireHeaders } from './records';

export interface InProcessBusOptions extends BusOptions {
  /** Records kept per partition, handled or not (default 10,000); see `InProcessBus`. */
  maxRecordsPerPartition?: number;
}

interface Entry {
  offset: number;
  key: string;
  value: Buffer;
  headers: Record<string, string>;
  timestamp: number;
}

/** One partition's records in offset order; offsets are dense until compaction thins them. */
class PartitionLog {
  private entries: Entry[] = [];
  private waiters: Array<() => void> = [];
  nextOffset = 0;
  /** Records before this offset were dropped (handled by every group, or past retention). */
  firstRetained = 0;

  get size(): number {
    return this.entries.length;
  }

  append(entry: Omit<Entry, 'offset'>): void {
    this.entries.push({ ...entry, offset: this.nextOffset });
    this.nextOffset += 1;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  read(from: number, max: number): Entry[] {
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.entries[middle].offset < from) low = middle + 1;
      else high = middle;
    }
    return this.entries.slice(low, low + max);
  }

  dropBefore(offset: number): void {
    if (offset <= this.firstRetained) return;
    const keep = this.entries.findIndex((entry) => entry.offset >= offset);
    this.entries = keep === -1 ? [] : this.entries.slice(keep);
    this.firstRetained = offset;
  }

  /** Keeps the latest record per key, as Kafka's log cleaner eventually does. */
  compact(): void {
    const seen = new Set<string>();
    this.entries = this.entries
      .reduceRight<Entry[]>((kept, entry) => {
        if (!seen.has(entry.key)) {
          seen.add(entry.key);
          kept.push(entry);
        }
        return kept;
      }, [])
      .reverse();
  }

  /** Resolves once a record at or past `offset` exists, or when the signal aborts. */
  whenPast(offset: number, signal: AbortSignal): Promise<void> {
    if (this.nextOffset > offset || signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }
}

interface TopicLog {
  compacted: boolean;
  partitions: PartitionLog[];
}

interface RunningRoute {
  controller: AbortController;
  done: Promise<void>;
}

const routeKey = (group: string, topic: string) => `${group}\u0000${topic}`;

/**
 * The bus of the embedded single-process mode: Kafka's semantics in memory. Keys hash to
 * partitions as in Kafka, each group keeps its own committed offsets, each partition is delivered
 * in order one batch at a time, and failures take the same retry and dead-letter path.
 *
 * Retention: a record every group subscribed to its topic has handled is dropped at once; beyond
 * `maxRecordsPerPartition` the oldest records go even unhandled (a compacted topic first keeps
 * only the latest record per key), and a group behind them resumes at the oldest kept record,
 * as a Kafka consumer does past retention. Nothing survives the process: what was published and
 * not yet handled is lost on exit, so producers keep their outbox rows as the durable copy.
 */
export class InProcessBus implements MessageBus {
  private readonly logger: BusLogger;
  private readonly maxRecordsPerPartition: number;
  private readonly deadLetterTopic: string;
  private readonly topics = new Map<string, TopicLog>();
  private readonly routes = new Map<string, Route>();
  /** Per topic, per group: the next offset to deliver of each partition; kept across stop and start. */
  private readonly committed = new Map<string, Map<string, number[]>>();
  private readonly running = new Map<string, RunningRoute>();
  private started = false;

  constructor(private readonly options: InProcessBusOptions = {}) {
    this.logger = options.logger ?? stderrJsonLogger;
    this.maxRecordsPerPartition = options.maxRecordsPerPartition ?? 10_000;
    if (!(this.maxRecordsPerPartition >= 1)) {
      throw new Error('maxRecordsPerPartition must be at least 1');
    }
    this.deadLetterTopic = options.deadLetterTopic ?? DEAD_LETTER_TOPIC;
    this.createTopic({
      topic: this.deadLetterTopic,
      partitions: options.deadLetterPartitions ?? 1,
    });
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    for (const spec of specs) {
      if (!this.topics.has(spec.topic)) this.createTopic(spec);
    }
  }

  async publish(messages: OutgoingMessage[]): Promise<void> {
    // Check every record before appending any, so a bad call leaves nothing half-published.
    const now = new Date();
    const producedAt = now.toISOString();
    const records = messages.map((message) => ({
      log: this.topicLog(message.topic, 'publish to'),
      message,
      headers: wireHeaders(message, producedAt),
    }));
    const timestamp = now.getTime();
    for (const { log, message, headers } of records) {
      const partition = partitionForKey(message.key, log.partitions.length);
      log.partitions[partition].append({
        key: message.key,
        value: Buffer.from(message.value),
        headers,
        timestamp,
      });
      this.enforceRetention(message.topic, log, partition);
    }
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const routes = routesOf(subscription, this.options);
    for (const route of routes) {
      if (this.routes.has(routeKey(route.group, route.topic))) {
        throw new Error(
          `Group "${route.group}" already consumes ${route.topic}; give each handler its own group or topic`,
        );
      }
      if (this.started) this.topicLog(route.topic, 'consume');
    }
    for (const route of routes) {
      this.routes.set(routeKey(route.group, route.topic), route);
      if (this.started) this.run(route);
    }
  }

  async unsubscribe(group: string, topics: string[]): Promise<void> {
    await Promise.all(
      topics.map(async (topic) => {
        const key = routeKey(group, topic);
        this.routes.delete(key);
        await this.halt(key);
      }),
    );
  }

  async start(): Promise<void> {
    if (this.started) return;
    for (const route of this.routes.values()) this.topicLog(route.topic, 'consume');
    this.started = true;
    for (const route of this.routes.values()) this.run(route);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.running.keys()].map((key) => this.halt(key)));
  }

  async health(): Promise<BusHealth> {
    return { up: true, detail: 'in-process' };
  }

  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    return [...this.routes.values()].flatMap(({ group, topic }) => {
      const offsets = this.committed.get(topic)?.get(group);
      const partitions = this.topics.get(topic)?.partitions ?? [];
      return partitions.map((log, partition) => ({
        group,
        topic,
        partition,
        lag: log.nextOffset - Math.max(offsets?.[partition] ?? 0, log.firstRetained),
      }));
    });
  }

  private createTopic(spec: TopicSpec): void {
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      throw new Error(`Topic ${spec.topic} needs a positive whole number of partitions`);
    }
    this.topics.set(spec.topic, {
      compacted: spec.compacted ?? false,
      partitions: Array.from({ length: spec.partitions }, () => new PartitionLog()),
    });
  }

  private topicLog(topic: string, action: string): TopicLog {
    const log = this.topics.get(topic);
    if (!log) {
      throw new Error(`Cannot ${action} unknown topic ${topic}: declare it with ensureTopics`);
    }
    return log;
  }

  /** A group new to the topic starts at the oldest record kept. */
  private committedOffsets(group: string, topic: string): number[] {
    const groups = this.committed.get(topic) ?? new Map<string, number[]>();
    this.committed.set(topic, groups);
    let offsets = groups.get(group);
    if (!offsets) {
      offsets = this.topicLog(topic, 'consume').partitions.map((log) => log.firstRetained);
      groups.set(group, offsets);
    }
    return offsets;
  }

  private run(route: Route): void {
    const controller = new AbortController();
    const partitions = this.topicLog(route.topic, 'consume').partitions;
    const delivery = deliveryFor(route, {
      logger: this.logger,
      deadLetterTopic: this.deadLetterTopic,
      publish: (messages) => this.publish(messages),
      signal: controller.signal,
    });
    const done = Promise.all(
      partitions.map((_, partition) => this.consume(route, partition, delivery, controller.signal)),
    ).then(() => undefined);
    this.running.set(routeKey(route.group, route.topic), { controller, done });
  }

  private async halt(key: string): Promise<void> {
    const running = this.running.get(key);
    if (!running) return;
    this.running.delete(key);
    running.controller.abort();
    await running.done;
  }

  private async consume(
    route: Route,
    partition: number,
    delivery: Delivery,
    signal: AbortSignal,
  ): Promise<void> {
    const topic = this.topicLog(route.topic, 'consume');
    const log = topic.partitions[partition];
    const offsets = this.committedOffsets(route.group, route.topic);
    while (!signal.aborted) {
      if (offsets[partition] < log.firstRetained) {
        this.logger.warn('Records dropped by retention before this group handled them', {
          group: route.group,
          topic: route.topic,
          partition,
          dropped: log.firstRetained - offsets[partition],
        });
        offsets[partition] = log.firstRetained;
      }
      const entries = log.read(offsets[partition], route.maxBatchSize);
      if (entries.length === 0) {
        await log.whenPast(offsets[partition], signal);
        continue;
      }
      const messages = entries.map((entry) =>
        toDelivered({ ...entry, topic: route.topic, partition, offset: String(entry.offset) }),
      );
      try {
        if ((await delivery(messages)) === 'abandoned') return;
      } catch (error) {
        // Only the dead-letter publish can throw here; try the batch again rather than skip it.
        this.logger.error('Delivery failed; trying the batch again', {
          group: route.group,
          topic: route.topic,
          partition,
          error: describeError(error),
        });
        await pause(1_000, signal);
        continue;
      }
      offsets[partition] = entries[entries.length - 1].offset + 1;
      if (!topic.compacted) this.dropHandled(route.topic, partition);
      // A handler that never awaits would otherwise keep timers and I/O waiting until the log is drained.
      await yieldToEventLoop();
    }
  }

  private dropHandled(topic: string, partition: number): void {
    const groups = [...(this.committed.get(topic)?.values() ?? [])];
    const handledByAll = Math.min(...groups.map((offsets) => offsets[partition]));
    this.topicLog(topic, 'trim').partitions[partition].dropBefore(handledByAll);
  }

  /** Over the bound, drops a tenth at a time so a lagging group costs one warning per tenth, not per record. */
  private enforceRetention(topic: string, log: TopicLog, partition: number): void {
    const partitionLog = log.partitions[partition];
    if (partitionLog.size <= this.maxRecordsPerPartition) return;
    if (log.compacted) partitionLog.compact();
    if (partitionLog.size > this.maxRecordsPerPartition) {
      const kept = Math.max(1, Math.floor(this.maxRecordsPerPartition * 0.9));
      const dropped = partitionLog.size - kept;
      partitionLog.dropBefore(partitionLog.read(0, dropped + 1)[dropped].offset);
      this.logger.warn('Partition over its retention; oldest records dropped', {
        topic,
        partition,
        dropped,
        maxRecordsPerPartition: this.maxRecordsPerPartition,
      });
    }
  }
}
