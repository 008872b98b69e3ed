/**
 * Where the in-process bus keeps its records and its consumer groups' committed offsets: in
 * memory (`MemoryRecordLog`, tests and benchmarks) or in the embedded database (libs/persistence,
 * the embedded mode), so that a record published survives the process until every group has
 * handled it. The bus assigns offsets and appends through one queue, so a log sees the appends of
 * a partition in offset order and never two at once.
 */
export interface RecordLog {
  /**
   * Called once per topic before anything else about it: each partition's bounds and every
   * group's committed offsets (next offset to handle, per partition) as stored so far.
   */
  open(topic: string, partitions: number, compacted: boolean): Promise<StoredTopic>;
  /**
   * Resolves once the records and the sources' checkpoints are durable, all of them or none. A
   * compacted topic may drop older records of the same keys.
   */
  append(records: AppendedRecord[], checkpoints: SourceCheckpoint[]): Promise<void>;
  /** The checkpoint last appended for the source (see `MessageBus.openSource`). */
  checkpoint(source: string): Promise<string | undefined>;
  /** Up to `max` records of the partition from offset `from` on, in offset order. */
  read(topic: string, partition: number, from: number, max: number): Promise<LoggedRecord[]>;
  /**
   * Stores groups' next offsets (one entry per group and partition) and drops the records every
   * group has handled (`trims`: each partition's records before `offset`); resolves once durable.
   */
  commit(offsets: CommittedOffset[], trims: Trim[]): Promise<void>;
  close(): Promise<void>;
}

export interface LoggedRecord {
  offset: number;
  key: string;
  value: Buffer;
  /** In their wire form (records.ts). */
  headers: Record<string, string>;
  /** Milliseconds since the epoch, when the bus appended it. */
  timestamp: number;
}

export interface AppendedRecord extends LoggedRecord {
  topic: string;
  partition: number;
}

export interface SourceCheckpoint {
  source: string;
  checkpoint: string;
}

export interface CommittedOffset {
  group: string;
  topic: string;
  partition: number;
  /** The offset the group handles next. */
  next: number;
}

export interface Trim {
  topic: string;
  partition: number;
  /** Records before it go. */
  offset: number;
}

export interface PartitionBounds {
  /** Oldest record kept; equal to `next` when the partition is empty. */
  first: number;
  /** The offset the next record gets. */
  next: number;
}

export interface StoredTopic {
  partitions: PartitionBounds[];
  /** Group → next offset to handle, per partition. */
  committed: Map<string, number[]>;
}

/** Records in memory: everything is lost with the process. */
export class MemoryRecordLog implements RecordLog {
  private readonly topics = new Map<
    string,
    { compacted: boolean; partitions: MemoryPartition[] }
  >();
  private readonly committed = new Map<string, Map<string, number[]>>();
  private readonly checkpoints = new Map<string, string>();

  async open(topic: string, partitions: number, compacted: boolean): Promise<StoredTopic> {
    const stored = this.topics.get(topic) ?? {
      compacted,
      partitions: Array.from({ length: partitions }, () => new MemoryPartition()),
    };
    this.topics.set(topic, stored);
    const bounds = stored.partitions.map((log) => log.bounds());
    return { partitions: bounds, committed: withDefaults(this.committed.get(topic), bounds) };
  }

  async append(records: AppendedRecord[], checkpoints: SourceCheckpoint[]): Promise<void> {
    for (const { topic, partition, ...record } of records) {
      const stored = this.topic(topic);
      stored.partitions[partition].append(record, stored.compacted);
    }
    for (const { source, checkpoint } of checkpoints) this.checkpoints.set(source, checkpoint);
  }

  async checkpoint(source: string): Promise<string | undefined> {
    return this.checkpoints.get(source);
  }

  async read(topic: string, partition: number, from: number, max: number) {
    return this.topic(topic).partitions[partition].read(from, max);
  }

  async commit(offsets: CommittedOffset[], trims: Trim[]): Promise<void> {
    for (const { group, topic, partition, next } of offsets) {
      const groups = this.committed.get(topic) ?? new Map<string, number[]>();
      this.committed.set(topic, groups);
      const stored = groups.get(group) ?? [];
      stored[partition] = next;
      groups.set(group, stored);
    }
    for (const { topic, partition, offset } of trims) {
      this.topic(topic).partitions[partition].dropBefore(offset);
    }
  }

  async close(): Promise<void> {}

  private topic(topic: string) {
    const stored = this.topics.get(topic);
    if (!stored) throw new Error(`Topic ${topic} was not opened`);
    return stored;
  }
}

/**
 * Every stored group's offsets, a partition it never committed starting at the oldest record
 * kept. For `RecordLog.open`.
 */
export function withDefaults(
  stored: Map<string, number[]> | undefined,
  bounds: PartitionBounds[],
): Map<string, number[]> {
  return new Map(
    [...(stored ?? [])].map(([group, offsets]) => [
      group,
      bounds.map((bound, partition) => offsets[partition] ?? bound.first),
    ]),
  );
}

/** A compacted partition is compacted once it has grown past twice what it kept last time. */
const COMPACT_FROM = 1_000;

class MemoryPartition {
  private entries: LoggedRecord[] = [];
  private next = 0;
  private compactAt = COMPACT_FROM;

  bounds(): PartitionBounds {
    return { first: this.entries[0]?.offset ?? this.next, next: this.next };
  }

  append(record: LoggedRecord, compacted: boolean): void {
    this.entries.push(record);
    this.next = record.offset + 1;
    if (compacted && this.entries.length >= this.compactAt) {
      this.compact();
      this.compactAt = Math.max(COMPACT_FROM, this.entries.length * 2);
    }
  }

  read(from: number, max: number): LoggedRecord[] {
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
    const keep = this.entries.findIndex((entry) => entry.offset >= offset);
    if (keep !== 0) this.entries = keep === -1 ? [] : this.entries.slice(keep);
  }

  /** Keeps the latest record per key, as Kafka's log cleaner eventually does. */
  private compact(): void {
    const seen = new Set<string>();
    this.entries = this.entries
      .reduceRight<LoggedRecord[]>((kept, entry) => {
        if (!seen.has(entry.key)) {
          seen.add(entry.key);
          kept.push(entry);
        }
        return kept;
      }, [])
      .reverse();
  }
}
