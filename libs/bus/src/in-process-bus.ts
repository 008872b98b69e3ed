import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import {
  deliveryFor,
  describeError,
  isPostponed,
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
  SourceFencedError,
  type BusHealth,
  type CheckpointedSource,
  type MessageBus,
  type OutgoingMessage,
  type DeliveredMessage,
  type Subscription,
  type TopicSpec,
} from './port';
import {
  MemoryRecordLog,
  type AppendedRecord,
  type CommittedOffset,
  type LoggedRecord,
  type RecordLog,
  type SourceCheckpoint,
  type Trim,
} from './record-log';
import { toDelivered, wireHeaders } from './records';

export interface InProcessBusOptions extends BusOptions {
  /** Where records and committed offsets live (default: in memory, lost with the process). */
  log?: RecordLog;
  /**
   * Records of a partition that a subscribed group has still to handle, beyond which `publish`
   * waits for the slowest group to catch up (default 10,000).
   */
  maxUnhandledPerPartition?: number;
}

/** Recent records a partition keeps in memory, so that consumers keeping up never read the log. */
const TAIL_RECORDS = 1_000;

/** What the bus knows of one partition; the records themselves are in the log. */
class PartitionState {
  private waiters: Array<() => void> = [];
  /** The latest records this process appended, offsets contiguous up to `next`. */
  private tail: LoggedRecord[] = [];

  constructor(
    /** Oldest record kept. */
    public first: number,
    /** The offset the next record gets. */
    public next: number,
  ) {}

  /** Records just appended, in offset order, starting at `next`. */
  appended(records: LoggedRecord[]): void {
    this.tail.push(...records);
    if (this.tail.length > 2 * TAIL_RECORDS) this.tail = this.tail.slice(-TAIL_RECORDS);
    this.advanceTo(records[records.length - 1].offset + 1);
  }

  /** The log may hold records this process never saw: forget the tail. */
  advanceTo(next: number): void {
    if (next <= this.next) return;
    if (this.tail.at(-1)?.offset !== next - 1) this.tail = [];
    this.next = next;
    this.wake();
  }

  /** Up to `max` records from `from` on when the tail has them; undefined means: read the log. */
  cached(from: number, max: number): LoggedRecord[] | undefined {
    const start = from - (this.tail[0]?.offset ?? Infinity);
    return start >= 0 ? this.tail.slice(start, start + max) : undefined;
  }

  /** Wakes what waits for a record or for room (after a commit). */
  wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves at the next `wake`, or when the signal aborts. */
  changed(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        signal?.removeEventListener('abort', wake);
        resolve();
      };
      this.waiters.push(wake);
      signal?.addEventListener('abort', wake, { once: true });
    });
  }
}

interface TopicState {
  compacted: boolean;
  partitions: PartitionState[];
  /** Group → next offset to handle per partition: what it has handled. */
  committed: Map<string, number[]>;
  /** The same as far as the log has stored it; trimming goes by these. */
  stored: Map<string, number[]>;
  /** An append may have failed after storing: read the bounds again before the next one. */
  uncertain: boolean;
}

interface RunningRoute {
  controller: AbortController;
  done: Promise<void>;
}

/** A publish call waiting for its turn to append. */
interface PendingAppend {
  records: Array<{ topic: string; state: TopicState; partition: number; record: PublishedRecord }>;
  /** A source's checkpoint, stored in the same append as the records. */
  checkpoint?: SourceCheckpoint & { opening: number };
  settle: (error?: unknown) => void;
}

type PublishedRecord = Omit<LoggedRecord, 'offset'>;

const routeKey = (group: string, topic: string) => `${group}\u0000${topic}`;
const topicOf = (routeKey: string) => routeKey.slice(routeKey.indexOf('\u0000') + 1);
const offsetKey = ({ group, topic, partition }: Omit<CommittedOffset, 'next'>) =>
  `${group}\u0000${topic}\u0000${partition}`;

/**
 * The bus of the embedded single-process mode: Kafka's semantics without a broker. Keys hash to
 * partitions as in Kafka, each group keeps its own committed offsets, each partition is delivered
 * in order one batch at a time, and failures take the same retry and dead-letter path.
 *
 * Records and offsets live in a `RecordLog`: in the embedded database for `npm start`, so that
 * what `publish` acknowledged survives a crash until every group has handled it, and a group
 * resumes after its last committed batch; in memory by default. Publishes append through one
 * queue (those that arrive while an append is in flight go together in the next), so offsets
 * follow the order of the calls. A record every group known to its topic has handled is trimmed
 * at once (a compacted topic instead keeps the latest record per key), and a group new to a
 * topic starts at the oldest record kept. Nothing is dropped unhandled: a publish waits while a
 * partition holds `maxUnhandledPerPartition` records a subscribed group has still to handle.
 */
export class InProcessBus implements MessageBus {
  private readonly logger: BusLogger;
  private readonly log: RecordLog;
  private readonly maxUnhandledPerPartition: number;
  private readonly deadLetterTopic: string;
  private readonly topics = new Map<string, TopicState>();
  private readonly opening = new Map<string, Promise<void>>();
  private readonly routes = new Map<string, Route>();
  private readonly running = new Map<string, RunningRoute>();
  private pending: PendingAppend[] = [];
  private appending = false;
  /** Settles when the append in flight does. */
  private appended: Promise<unknown> = Promise.resolve();
  /** Offsets handled and not yet stored, by group, topic and partition. */
  private unstored = new Map<string, CommittedOffset>();
  private storing?: Promise<void>;
  /** Set while a failed store waits to be tried again. */
  private storeRetry?: NodeJS.Timeout;
  private started = false;
  /** Per source, how many times it was opened: only the latest opening may publish. */
  private readonly sourceOpenings = new Map<string, number>();

  constructor(private readonly options: InProcessBusOptions = {}) {
    this.logger = options.logger ?? stderrJsonLogger;
    this.log = options.log ?? new MemoryRecordLog();
    this.maxUnhandledPerPartition = options.maxUnhandledPerPartition ?? 10_000;
    if (!(this.maxUnhandledPerPartition >= 1)) {
      throw new Error('maxUnhandledPerPartition must be at least 1');
    }
    this.deadLetterTopic = options.deadLetterTopic ?? DEAD_LETTER_TOPIC;
  }

  async ensureTopics(specs: TopicSpec[]): Promise<void> {
    await Promise.all(
      [
        { topic: this.deadLetterTopic, partitions: this.options.deadLetterPartitions ?? 1 },
        ...specs,
      ]
        .filter((spec) => !this.topics.has(spec.topic))
        .map((spec) => this.openTopic(spec)),
    );
  }

  publish(messages: OutgoingMessage[]): Promise<void> {
    return this.publishWith(messages);
  }

  /**
   * One process owns the log, so an opening is fenced by a count kept here; the checkpoint goes
   * into the log in the same append as the records (`RecordLog.append`).
   */
  async openSource(name: string): Promise<CheckpointedSource> {
    const opening = (this.sourceOpenings.get(name) ?? 0) + 1;
    this.sourceOpenings.set(name, opening);
    // An earlier opening's publish already appending lands first; those still waiting never do.
    await this.appended;
    let checkpoint = await this.log.checkpoint(name);
    let closed = false;
    return {
      name,
      get checkpoint() {
        return checkpoint;
      },
      publish: async (messages, next) => {
        if (closed) throw new SourceFencedError(name);
        await this.publishWith(messages, { source: name, checkpoint: next, opening });
        checkpoint = next;
      },
      close: async () => {
        closed = true;
      },
    };
  }

  private async publishWith(
    messages: OutgoingMessage[],
    checkpoint?: PendingAppend['checkpoint'],
  ): Promise<void> {
    await this.ensureTopics([]);
    // Check every record before appending any, so a bad call leaves nothing half-published.
    const now = new Date();
    const producedAt = now.toISOString();
    const records = messages.map((message) => {
      const state = this.topicState(message.topic, 'publish to');
      return {
        topic: message.topic,
        state,
        partition: partitionForKey(message.key, state.partitions.length),
        record: {
          key: message.key,
          value: Buffer.from(message.value),
          headers: wireHeaders(message, producedAt),
          timestamp: now.getTime(),
        },
      };
    });
    if (records.length === 0 && !checkpoint) return;
    const partitions = new Set(records.map(({ topic, partition }) => `${topic}\u0000${partition}`));
    for (const { topic, partition } of records) {
      if (partitions.delete(`${topic}\u0000${partition}`)) await this.roomIn(topic, partition);
    }
    await new Promise<void>((resolve, reject) => {
      this.pending.push({
        records,
        checkpoint,
        settle: (error) => (error ? reject(error) : resolve()),
      });
      this.appendPending();
    });
  }

  async subscribe<Item = DeliveredMessage>(subscription: Subscription<Item>): Promise<void> {
    await this.ensureTopics([]);
    const routes = routesOf(subscription, this.options);
    for (const route of routes) {
      if (this.routes.has(routeKey(route.group, route.topic))) {
        throw new Error(
          `Group "${route.group}" already consumes ${route.topic}; give each handler its own group or topic`,
        );
      }
      if (this.started) this.topicState(route.topic, 'consume');
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

  /** One process is one replica, whose groups keep their names from run to run: none is idle. */
  async deleteIdleGroups(): Promise<string[]> {
    return [];
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.ensureTopics([]);
    for (const route of this.routes.values()) this.topicState(route.topic, 'consume');
    this.started = true;
    for (const route of this.routes.values()) this.run(route);
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all([...this.running.keys()].map((key) => this.halt(key)));
    // What was handled is stored before the log closes; a log that keeps failing delivers it again.
    for (let attempt = 0; attempt < 3 && (this.storing || this.unstored.size > 0); attempt += 1) {
      clearTimeout(this.storeRetry);
      this.storeRetry = undefined;
      await this.storeOffsets();
    }
    clearTimeout(this.storeRetry);
    this.storeRetry = undefined;
  }

  async health(): Promise<BusHealth> {
    return { up: true, detail: 'in-process' };
  }

  async lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>> {
    return [...this.routes.values()].flatMap(({ group, topic }) => {
      const state = this.topics.get(topic);
      if (!state) return [];
      const offsets = state.committed.get(group);
      return state.partitions.map((partitionState, partition) => ({
        group,
        topic,
        partition,
        lag: partitionState.next - Math.max(offsets?.[partition] ?? 0, partitionState.first),
      }));
    });
  }

  private openTopic(spec: TopicSpec): Promise<void> {
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) {
      return Promise.reject(
        new Error(`Topic ${spec.topic} needs a positive whole number of partitions`),
      );
    }
    let opening = this.opening.get(spec.topic);
    if (!opening) {
      const compacted = spec.compacted ?? false;
      opening = this.log.open(spec.topic, spec.partitions, compacted).then(
        (stored) => {
          this.topics.set(spec.topic, {
            compacted,
            partitions: stored.partitions.map(({ first, next }) => new PartitionState(first, next)),
            committed: stored.committed,
            stored: new Map([...stored.committed].map(([group, o]) => [group, [...o]])),
            uncertain: false,
          });
        },
        (error: unknown) => {
          this.opening.delete(spec.topic);
          throw error;
        },
      );
      this.opening.set(spec.topic, opening);
    }
    return opening;
  }

  private topicState(topic: string, action: string): TopicState {
    const state = this.topics.get(topic);
    if (!state) {
      throw new Error(`Cannot ${action} unknown topic ${topic}: declare it with ensureTopics`);
    }
    return state;
  }

  /** A group new to the topic starts at the oldest record kept. */
  private committedOffsets(state: TopicState, group: string): number[] {
    let offsets = state.committed.get(group);
    if (!offsets) {
      offsets = state.partitions.map((partition) => partition.first);
      state.committed.set(group, offsets);
      // Nothing to store: a group the log does not know starts at the oldest record kept anyway.
      state.stored.set(group, [...offsets]);
    }
    return offsets;
  }

  /** Back-pressure: waits while the slowest subscribed group has the bound's worth still to handle. */
  private async roomIn(topic: string, partition: number): Promise<void> {
    const state = this.topicState(topic, 'publish to');
    const partitionState = state.partitions[partition];
    for (;;) {
      const subscribed = [...state.committed]
        .filter(([group]) => this.running.has(routeKey(group, topic)))
        .map(([, offsets]) => offsets[partition]);
      if (subscribed.length === 0) return;
      if (partitionState.next - Math.min(...subscribed) < this.maxUnhandledPerPartition) return;
      await partitionState.changed();
    }
  }

  /** Appends the waiting publishes, one batch at a time, so offsets follow the order of the calls. */
  private appendPending(): void {
    if (this.appending || this.pending.length === 0) return;
    const batch = this.pending.filter(({ checkpoint, settle }) => {
      if (!checkpoint || this.sourceOpenings.get(checkpoint.source) === checkpoint.opening) {
        return true;
      }
      settle(new SourceFencedError(checkpoint.source));
      return false;
    });
    this.pending = [];
    if (batch.length === 0) return;
    this.appending = true;
    // A source publishing twice in one append: its later checkpoint is the one to keep.
    const checkpoints = new Map(
      batch.flatMap(({ checkpoint }) =>
        checkpoint ? [[checkpoint.source, checkpoint.checkpoint] as const] : [],
      ),
    );
    this.appended = this.append(
      batch.flatMap((waiting) => waiting.records),
      [...checkpoints].map(([source, checkpoint]) => ({ source, checkpoint })),
    )
      .then(
        () => batch.forEach((waiting) => waiting.settle()),
        (error: unknown) => batch.forEach((waiting) => waiting.settle(error)),
      )
      .finally(() => {
        this.appending = false;
        this.appendPending();
      });
  }

  private async append(
    records: PendingAppend['records'],
    checkpoints: SourceCheckpoint[],
  ): Promise<void> {
    const touched = new Set(records.map(({ state }) => state));
    for (const [topic, state] of this.topics) {
      if (touched.has(state) && state.uncertain) await this.reopen(topic, state);
    }
    const byPartition = new Map<PartitionState, AppendedRecord[]>();
    const appended = records.map(({ topic, state, partition, record }) => {
      const partitionState = state.partitions[partition];
      const ofPartition = byPartition.get(partitionState) ?? [];
      byPartition.set(partitionState, ofPartition);
      const entry = {
        ...record,
        topic,
        partition,
        offset: partitionState.next + ofPartition.length,
      };
      ofPartition.push(entry);
      return entry;
    });
    try {
      await this.log.append(appended, checkpoints);
    } catch (error) {
      // It may have been stored all the same (a connection lost after the commit).
      for (const state of touched) state.uncertain = true;
      throw error;
    }
    for (const [partitionState, ofPartition] of byPartition) partitionState.appended(ofPartition);
  }

  /** After a failed append: the log's bounds are the truth; a record stored after all is delivered. */
  private async reopen(topic: string, state: TopicState): Promise<void> {
    const stored = await this.log.open(topic, state.partitions.length, state.compacted);
    stored.partitions.forEach((bounds, partition) =>
      state.partitions[partition].advanceTo(bounds.next),
    );
    state.uncertain = false;
  }

  private run(route: Route): void {
    const controller = new AbortController();
    const partitions = this.topicState(route.topic, 'consume').partitions;
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
    // Publishes held back for this group no longer wait for it.
    for (const partition of this.topics.get(topicOf(key))?.partitions ?? []) partition.wake();
  }

  private async consume(
    route: Route,
    partition: number,
    delivery: Delivery,
    signal: AbortSignal,
  ): Promise<void> {
    const state = this.topicState(route.topic, 'consume');
    const partitionState = state.partitions[partition];
    const offsets = this.committedOffsets(state, route.group);
    const where = { group: route.group, topic: route.topic, partition };
    while (!signal.aborted) {
      const from = Math.max(offsets[partition], partitionState.first);
      const entries =
        from >= partitionState.next
          ? []
          : (partitionState.cached(from, route.maxBatchSize) ??
            (await this.retried('Reading records failed', where, signal, () =>
              this.log.read(route.topic, partition, from, route.maxBatchSize),
            )));
      if (entries === undefined) return;
      if (entries.length === 0) {
        await partitionState.changed(signal);
        continue;
      }
      const messages = entries.map((entry) =>
        toDelivered({ ...entry, topic: route.topic, partition, offset: String(entry.offset) }),
      );
      try {
        const outcome = await delivery(messages);
        if (outcome === 'abandoned') return;
        if (isPostponed(outcome)) {
          if (!(await pause(outcome.postponedForMs, signal))) return;
          continue;
        }
      } catch (error) {
        // Only the dead-letter publish can throw here; try the batch again rather than skip it.
        this.logger.error('Delivery failed; trying the batch again', {
          ...where,
          error: describeError(error),
        });
        await pause(1_000, signal);
        continue;
      }
      const next = entries[entries.length - 1].offset + 1;
      offsets[partition] = next;
      // Stored in the background, together with other groups' and partitions': the effects are
      // durable already, and a crash before the store only delivers the batch again.
      this.unstored.set(offsetKey(where), { ...where, next });
      void this.storeOffsets();
      partitionState.wake();
      // A handler that never awaits would otherwise keep timers and I/O waiting until the log is drained.
      await yieldToEventLoop();
    }
  }

  /** Runs `action` until it succeeds, pausing between failures; undefined once the signal aborts. */
  private async retried<T>(
    what: string,
    where: Record<string, unknown>,
    signal: AbortSignal,
    action: () => Promise<T>,
  ): Promise<T | undefined> {
    for (;;) {
      try {
        return await action();
      } catch (error) {
        this.logger.error(`${what}; trying again`, { ...where, error: describeError(error) });
        if (!(await pause(1_000, signal))) return undefined;
      }
    }
  }

  /**
   * Stores the handled offsets, one call at a time (those handled meanwhile go in the next), and
   * with them trims what every group known to a topic has stored as handled, earlier runs'
   * groups included. After a failure they are tried again a second later.
   */
  private storeOffsets(): Promise<void> {
    if (this.storing || this.unstored.size === 0) return this.storing ?? Promise.resolve();
    const offsets = [...this.unstored.values()];
    this.unstored.clear();
    const trims = this.trimsAfter(offsets);
    this.storing = this.log.commit(offsets, trims).then(
      () => {
        for (const { group, topic, partition, next } of offsets) {
          const stored = this.topics.get(topic)!.stored;
          const ofGroup = stored.get(group) ?? [];
          ofGroup[partition] = next;
          stored.set(group, ofGroup);
        }
        for (const { topic, partition, offset } of trims) {
          const partitionState = this.topics.get(topic)!.partitions[partition];
          partitionState.first = Math.max(partitionState.first, offset);
        }
      },
      (error: unknown) => {
        for (const offset of offsets) {
          if (!this.unstored.has(offsetKey(offset))) this.unstored.set(offsetKey(offset), offset);
        }
        this.logger.error('Storing committed offsets failed; trying again', {
          error: describeError(error),
        });
        clearTimeout(this.storeRetry);
        this.storeRetry = setTimeout(() => {
          this.storeRetry = undefined;
          void this.storeOffsets();
        }, 1_000);
        this.storeRetry.unref();
      },
    );
    return this.storing.finally(() => {
      this.storing = undefined;
      if (this.unstored.size > 0 && !this.storeRetry) void this.storeOffsets();
    });
  }

  /** The records every group known to their topic has handled once these offsets are stored. */
  private trimsAfter(offsets: CommittedOffset[]): Trim[] {
    const touched = new Map<string, Trim>();
    for (const { topic, partition } of offsets) {
      const state = this.topics.get(topic)!;
      if (state.compacted) continue;
      const storedNext = (group: string, stored: number[]) =>
        offsets.find((o) => o.group === group && o.topic === topic && o.partition === partition)
          ?.next ?? stored[partition];
      const handledByAll = Math.min(
        ...[...state.stored].map(([group, stored]) => storedNext(group, stored)),
      );
      if (handledByAll > state.partitions[partition].first) {
        touched.set(`${topic}\u0000${partition}`, { topic, partition, offset: handledByAll });
      }
    }
    return [...touched.values()];
  }
}
