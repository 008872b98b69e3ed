import { Logger } from '@nestjs/common';
import {
  deadLetterRecord,
  topicRecord,
  type CheckpointedSource,
  type MessageBus,
  type OutgoingMessage,
} from '@firstline/bus';
import type { InboundFile, Normalised } from '@firstline/channel';
import { TOPICS } from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';

/** One unit of a platform's input as it arrived, kept for the dead-letter topic. */
export interface RawPayload {
  /** Where it came from, e.g. `telegram:<bot>`, `vk:<group id>`, `email:<mailbox>`. */
  source: string;
  /** Its stable id there, the same when the platform redelivers it: `telegram:<bot>:update:42`. */
  id: string;
  /** What it is, e.g. `telegram.Update`, `message/rfc822`. */
  type: string;
  /** The bytes as received. */
  bytes: Uint8Array;
}

/** A payload parsed from JSON, kept as JSON text. */
export function jsonPayload(
  source: string,
  id: string,
  type: string,
  payload: unknown,
): RawPayload {
  return { source, id, type, bytes: Buffer.from(JSON.stringify(payload)) };
}

/** What the adapter made of one payload, beside the payload. */
export interface NormalisedPayload {
  result: Normalised;
  payload: RawPayload;
}

/** How many payloads of one `publish` call became what. */
export interface PublishSummary {
  published: number;
  rejected: number;
  ignored: number;
}

export interface InboundPublisherOptions {
  bus: Pick<MessageBus, 'publish'>;
  /** Names the adapter in log lines, e.g. `telegram`. */
  name: string;
  /**
   * Stores received attachments under their storage keys before their message is published, so
   * that no message names a file that is not there. Required if the adapter returns files.
   */
  storeFiles?: (files: InboundFile[]) => Promise<void>;
  /** Records per publish request (default 1,000: well under Kafka's 1 MB with messages of a few KB). */
  maxRecordsPerPublish?: number;
}

interface Waiting {
  records: OutgoingMessage[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Publishes what an adapter made of its platform's input: messages to the inbound topic, rejected
 * payloads as dead letters with their reason, ignored ones only counted. `publish` resolves once
 * the broker acknowledged every record of the call: answer the webhook, advance the polling
 * cursor or the mailbox checkpoint only then, so that the platform redelivers what was not
 * published.
 *
 * Group commit: records of callers that arrive while a publish is in flight go out together in
 * the next one. Webhook requests come one payload each and concurrently, and the bus's producer
 * keeps one request in flight per broker, so without this each would wait its own round trip.
 */
export class InboundPublisher {
  private readonly logger: Logger;
  private readonly maxRecordsPerPublish: number;
  private waiting: Waiting[] = [];
  private flushing = false;

  constructor(private readonly options: InboundPublisherOptions) {
    this.logger = new Logger(`${options.name} inbound`);
    this.maxRecordsPerPublish = options.maxRecordsPerPublish ?? 1_000;
  }

  /**
   * `alongside`: records the adapter derived itself that must be acknowledged with these (an
   * email bounce's delivery receipt).
   */
  async publish(
    normalised: NormalisedPayload[],
    alongside: OutgoingMessage[] = [],
  ): Promise<PublishSummary> {
    const { summary, records } = await this.prepare(normalised, alongside);
    await this.publishTogether(records);
    return summary;
  }

  /**
   * For a polled source (a mailbox, a bot's long poll): publishes through the source's own
   * opening, the records and the position past them together (`MessageBus.openSource`), so that
   * whoever resumes the source after a crash finds them both or neither. Not grouped with other
   * callers: each source commits on its own.
   */
  async publishWithCheckpoint(
    source: CheckpointedSource,
    normalised: NormalisedPayload[],
    checkpoint: string,
    alongside: OutgoingMessage[] = [],
  ): Promise<PublishSummary> {
    const { summary, records } = await this.prepare(normalised, alongside);
    await source.publish(records, checkpoint);
    return summary;
  }

  /** The records for the payloads, their files stored first. */
  private async prepare(
    normalised: NormalisedPayload[],
    alongside: OutgoingMessage[],
  ): Promise<{ summary: PublishSummary; records: OutgoingMessage[] }> {
    const summary: PublishSummary = { published: 0, rejected: 0, ignored: 0 };
    const records: OutgoingMessage[] = [...alongside];
    const files: InboundFile[] = [];
    for (const { result, payload } of normalised) {
      switch (result.kind) {
        case 'message':
          summary.published += 1;
          files.push(...(result.files ?? []));
          records.push(
            topicRecord(TOPICS.inbound, result.message, { messageId: result.message.messageId }),
          );
          break;
        case 'rejected':
          summary.rejected += 1;
          this.logger.warn(`${payload.id} dead-lettered: ${result.reason}`);
          records.push(rejection(payload, result.reason));
          break;
        case 'ignored':
          summary.ignored += 1;
          this.logger.debug(`${payload.id} ignored: ${result.reason}`);
          break;
      }
    }
    if (files.length > 0) {
      if (!this.options.storeFiles) {
        throw new Error(
          `${this.options.name}: the adapter returned files but no storeFiles is set`,
        );
      }
      await this.options.storeFiles(files);
    }
    return { summary, records };
  }

  private publishTogether(records: OutgoingMessage[]): Promise<void> {
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
        await this.options.bus.publish(batch.flatMap((waiting) => waiting.records));
        for (const waiting of batch) waiting.resolve();
      } catch (error) {
        for (const waiting of batch) waiting.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Whole callers only, so that each one's records are acknowledged, or fail, together. */
  private takeBatch(): Waiting[] {
    let count = 0;
    let taken = 0;
    while (
      taken < this.waiting.length &&
      (taken === 0 || count + this.waiting[taken].records.length <= this.maxRecordsPerPublish)
    ) {
      count += this.waiting[taken].records.length;
      taken += 1;
    }
    return this.waiting.splice(0, taken);
  }
}

/** The payload as the platform sent it, with the reason the adapter could not read it. */
function rejection(payload: RawPayload, reason: string): OutgoingMessage {
  return deadLetterRecord({
    key: payload.source,
    value: payload.bytes,
    headers: { messageId: payload.id, type: payload.type },
    source: payload.source,
    error: new BadInputError(reason),
    attempts: 1,
  });
}
