/**
 * The message bus as every service sees it: publish keyed records with standard headers,
 * consume them in per-partition batches under a consumer group. Kafka and the in-process bus
 * both implement this port with the same semantics (see the contract suite in ../test).
 */

/** Headers every record carries; names on the wire are the kebab-case keys of `HEADER`. */
export interface MessageHeaders {
  /** Stable id derived from the source (channel message id, outbox row): a redelivery has the same id. */
  messageId: string;
  /** Fully-qualified message type, e.g. `firstline.v1.InboundMessage`. */
  type: string;
  schemaVersion: number;
  traceId: string;
  /** ISO-8601 instant at which the producer created the record. */
  producedAt: string;
}

export const HEADER = {
  messageId: 'message-id',
  type: 'type',
  schemaVersion: 'schema-version',
  traceId: 'trace-id',
  producedAt: 'produced-at',
} as const satisfies Record<keyof MessageHeaders, string>;

export interface OutgoingMessage {
  topic: string;
  /** Records with the same key keep their order (same partition). */
  key: string;
  value: Uint8Array;
  /** traceId and producedAt are filled in when absent; schemaVersion defaults to 1. */
  headers: Pick<MessageHeaders, 'messageId' | 'type'> & Partial<MessageHeaders>;
  /** Extra headers, e.g. the reason on a dead-letter record. */
  extraHeaders?: Record<string, string>;
}

export interface DeliveredMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  value: Buffer;
  headers: MessageHeaders;
  extraHeaders: Record<string, string>;
}

/**
 * Receives messages of one partition in offset order, or of several partitions (each in offset
 * order) when its subscription gathers them. Resolving means the effects are durable.
 */
export type BatchHandler<Item = DeliveredMessage> = (messages: Item[]) => Promise<void>;

export interface RetryPolicy {
  /** Attempts before a message is dead-lettered, the first one included. */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * `Item` is what the handler receives for each record: the record itself, or what `read` makes
 * of it (see `readTopic` for records of a contract's topic).
 */
export interface Subscription<Item = DeliveredMessage> {
  /** Consumer group: every group sees every record once; members of a group share partitions. */
  group: string;
  topics: string[];
  handler: BatchHandler<Item>;
  /**
   * Reads each record before the handler sees it. A record it throws for is dead-lettered at
   * once as bad input, and the handler receives the others: an unreadable record is the
   * producer's mistake, and retrying cannot mend it. Required unless `Item` is the record.
   */
  read?: (record: DeliveredMessage) => Item;
  retry?: Partial<RetryPolicy>;
  /** Upper bound on the batch handed to the handler. */
  maxBatchSize?: number;
  /**
   * Hand the handler, in one call, the records of every partition that has some ready at the same
   * moment (up to `maxBatchSize`, each partition's still in offset order), instead of one call per
   * partition: one transaction per fetch rather than one per partition for a handler whose cost
   * is mostly per call. Off by default: a handler working record by record would lose the
   * partitions' concurrency and gain nothing.
   */
  gatherPartitions?: boolean;
  /** Called after each handled batch, beside the bus-wide listener (e.g. a service's own metrics). */
  onHandled?: (info: HandledInfo) => void;
}

/** How one batch went, for the handler-duration and handled-records metrics. */
export interface HandledInfo {
  group: string;
  topic: string;
  /** The partitions the batch's records came from. */
  partitions: number[];
  count: number;
  durationMs: number;
  outcome: 'ok' | 'retried' | 'dead-lettered';
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  /** Compacted topics keep the latest record per key (e.g. the directory). */
  compacted?: boolean;
  /** Copies of each partition when Kafka creates the topic (default: the bus's own, 1). */
  replicationFactor?: number;
}

export interface BusHealth {
  up: boolean;
  detail?: string;
}

export interface MessageBus {
  /** Creates missing topics; existing ones are left as they are. */
  ensureTopics(topics: TopicSpec[]): Promise<void>;
  /** Resolves once every record is durably acknowledged (Kafka: acks=all). */
  publish(messages: OutgoingMessage[]): Promise<void>;
  /**
   * Registers a consumer; consumption begins at `start()` (or at once when already started). One
   * handler per group and topic; a new group starts from the oldest record kept.
   */
  subscribe<Item = DeliveredMessage>(subscription: Subscription<Item>): Promise<void>;
  /**
   * Stops delivering these topics to the group once in-flight batches finish; its committed offsets
   * stay, so a later subscription resumes. For a process that shares one bus among services.
   */
  unsubscribe(group: string, topics: string[]): Promise<void>;
  start(): Promise<void>;
  /** Stops consuming after in-flight batches finish, then disconnects. */
  stop(): Promise<void>;
  health(): Promise<BusHealth>;
  /** Records not yet handled per consumer group, for the consumer-lag metric. */
  lag(): Promise<Array<{ group: string; topic: string; partition: number; lag: number }>>;
  /**
   * Deletes the consumer groups named `prefix…`, other than `keep`, that have no member: those of
   * replicas that are gone. Returns their names; a failure is logged, not thrown.
   */
  deleteIdleGroups(prefix: string, keep: string): Promise<string[]>;
  /**
   * Opens a source whose records are published together with its position (a mailbox's last
   * UID, a bot's next update id): both land, or neither. Opening fences every earlier opening of
   * the same name, in any process: from then on their publishes fail with `SourceFencedError`,
   * and a publish of theirs in flight is dropped. So the opener, reading `checkpoint`, sees the
   * position of the last publish that landed, and the records before it are on the bus once.
   */
  openSource(name: string): Promise<CheckpointedSource>;
}

/** A source opened with `MessageBus.openSource`; one opener publishes at a time. */
export interface CheckpointedSource {
  readonly name: string;
  /** The checkpoint of the last publish that landed; undefined when none ever did. */
  readonly checkpoint: string | undefined;
  /**
   * Publishes the records (possibly none) and stores the checkpoint atomically: the records are
   * visible to consumers only once the checkpoint is stored with them. Throws
   * `SourceFencedError` when the source has been opened again since.
   */
  publish(messages: OutgoingMessage[], checkpoint: string): Promise<void>;
  /** Lets go of it; a publish after this fails. */
  close(): Promise<void>;
}

/** The source was opened again (by another replica that took it over): its work stops here. */
export class SourceFencedError extends Error {
  constructor(
    readonly source: string,
    options?: ErrorOptions,
  ) {
    super(
      `source ${source} was opened again elsewhere: nothing more is published through this opening`,
      options,
    );
  }
}

export const DEAD_LETTER_TOPIC = 'support.dlq.v1';

/**
 * Kafka: the topic whose offsets, one consumer group per source, carry the sources' checkpoints
 * (see `MessageBus.openSource`). No record is ever written to it.
 */
export const SOURCE_CHECKPOINT_TOPIC = 'support.source-checkpoints.v1';

/**
 * Headers added to a dead-lettered record, beside the original headers (see `deadLetterRecord`).
 * Partition, offset and group are there when the record came from the bus; for a platform
 * payload that never was a record, the source names the platform, e.g. `telegram:<bot>`.
 */
export const DEAD_LETTER_HEADER = {
  error: 'dlq-error',
  errorKind: 'dlq-error-kind',
  sourceTopic: 'dlq-source-topic',
  sourcePartition: 'dlq-source-partition',
  sourceOffset: 'dlq-source-offset',
  group: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
} as const;
