import type { MessageBus, OutgoingMessage } from '@firstline/bus';

/** Kept well under Kafka's default 1 MB request with VK messages of a few hundred bytes. */
const MAX_RECORDS_PER_PUBLISH = 1_000;

interface Waiting {
  records: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes the records of concurrent callers together. The idempotent producer keeps one
 * request in flight per broker, so Callback API requests that each published alone would queue
 * behind one another; records that arrive while a publish is in flight go out together in the
 * next one, and each caller resolves once its own records are acknowledged, or fails with them.
 */
export class BatchingPublisher {
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly bus: Pick<MessageBus, 'publish'>) {}

  publish(records: OutgoingMessage[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    while (this.waiting.length > 0) {
      const batch = this.takeBatch();
      try {
        await this.bus.publish(batch.flatMap((waiting) => waiting.records));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Whole callers only, so that each one's records are acknowledged together. */
  private takeBatch(): Waiting[] {
    let count = 0;
    let taken = 0;
    while (
      taken < this.waiting.length &&
      (taken === 0 || count + this.waiting[taken].records.length <= MAX_RECORDS_PER_PUBLISH)
    ) {
      count += this.waiting[taken].records.length;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }
}
