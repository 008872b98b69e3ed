/** The offset to commit for one partition: that of the next record to read. */
export interface PartitionCommit {
  topic: string;
  partition: number;
  offset: string;
}

/** Sends one OffsetCommit request for the partitions given. */
export type SendCommits = (commits: PartitionCommit[]) => Promise<void>;

/**
 * A consumer's handled offsets, committed together at most once per interval instead of after
 * every batch. Below saturation a fetch carries about one record, and committing after each cost
 * the broker and the service as much as the fetch did: a Kafka request per record per group.
 * Only offsets whose handlers resolved are held, so nothing is ever committed ahead of a handler;
 * a crash repeats what was handled since the last commit, which the consumers deduplicate (by
 * message id) as they do a batch cut short.
 */
export class OffsetCommits {
  private readonly held = new Map<string, PartitionCommit>();
  private sentAt: number;
  private timer?: NodeJS.Timeout;

  /**
   * `sendLater` sends what the timer commits (outside any batch); `onLateFailure` hears of its
   * failures, whose offsets stay held for the next attempt.
   */
  constructor(
    private readonly intervalMs: number,
    private readonly sendLater: SendCommits,
    private readonly onLateFailure: (error: unknown) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.sentAt = now();
  }

  /**
   * Holds a partition's handled offset. Everything held is sent at once, in one request, when
   * asked to (a consumer stopping) or the interval has passed since the last request; otherwise
   * a timer sends it when the interval ends. A failed request rejects.
   */
  async handled(commit: PartitionCommit, send: SendCommits, immediately: boolean): Promise<void> {
    this.held.set(`${commit.topic}/${commit.partition}`, commit);
    const waited = this.now() - this.sentAt;
    if (immediately || waited >= this.intervalMs) return this.flush(send);
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flush(this.sendLater).catch(this.onLateFailure);
    }, this.intervalMs - waited);
  }

  /** Sends every held offset now, in one request (none when nothing is held). */
  async flush(send: SendCommits = this.sendLater): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.held.size === 0) return;
    const commits = [...this.held.values()];
    this.held.clear();
    this.sentAt = this.now();
    try {
      await send(commits);
    } catch (error) {
      // Held again for the next request, unless a later offset of the partition was meanwhile.
      for (const commit of commits) {
        const key = `${commit.topic}/${commit.partition}`;
        if (!this.held.has(key)) this.held.set(key, commit);
      }
      throw error;
    }
  }

  /**
   * After a rebalance, forgets the offsets of partitions this consumer no longer owns: their new
   * owner commits its own, and repeats what was handled here since the last commit.
   */
  keepOwned(assignment: Record<string, number[]>): void {
    for (const [key, { topic, partition }] of this.held) {
      if (!assignment[topic]?.includes(partition)) this.held.delete(key);
    }
  }

  /** Stops the timer; what is still held is not sent. */
  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
