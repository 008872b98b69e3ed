import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { topicRecord, type OutgoingMessage, type Received, type RetryPolicy } from '@firstline/bus';
import { deliveryReceipt, type SendFailure, type SendOutcome } from '@firstline/channel';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import { errorKind, RetryableError } from '@firstline/errors';
import { outboxInsert, schemaOf, type OutboxRelay } from '@firstline/persistence';

/** What the platform said when it took the message. */
export interface SentMessage {
  /** The platform's id for it (Telegram message_id, VK message id, the mail's Message-ID). */
  channelMessageId: string;
  /** For channels whose answers name the message they answer: see DeliveryReceipt.sent_message_id. */
  sentMessageId?: string;
  /** Records to publish with the SENT receipt, written with it (a web form's email copy). */
  publish?: OutgoingMessage[];
}

export interface OutboundDeliveryOptions<Rendered> {
  channel: Channel;
  /** The service's own; the attempts are kept in its schema (`outboundDeliveryMigration`). */
  dataSource: DataSource;
  relay: Pick<OutboxRelay, 'nudge'>;
  /** The platform calls for one message (`ChannelAdapter.render` with its context). */
  render(message: OutboundMessage): Rendered;
  /** Makes the calls. Whatever it throws is read by `classifyError`. */
  send(rendered: Rendered, message: OutboundMessage): Promise<SentMessage>;
  /** `ChannelAdapter.classifyError`: the one place that decides what a failed call means. */
  classifyError(error: unknown): SendFailure;
  /**
   * Sending attempts per message, counted in the database across redeliveries and restarts;
   * after the last one fails, a FAILED receipt (retryable: true) tells the agent. The consumer's
   * bus retry policy must allow at least as many, or the bus gives up first (default 5).
   */
  maxAttempts?: number;
  /** Longest a rate limit's `retryAfterMs` is waited out before the bus retries (default 30 s). */
  maxRetryAfterMs?: number;
  /**
   * Whether `send` takes a repeat of a message as the same message (the chat's conversation
   * keeps replies by outbound id): then a redelivered message is sent again, harmlessly, instead
   * of every message's outcome being read before its send.
   */
  sendIsIdempotent?: boolean;
}

export const DEFAULT_OUTBOUND_ATTEMPTS = 5;

/**
 * The bus retry policy of an outbound consumer using the default `maxAttempts`: stated rather
 * than inherited from the bus's options, so that the bus never gives up before the template.
 */
export const OUTBOUND_RETRY: Partial<RetryPolicy> = { attempts: DEFAULT_OUTBOUND_ATTEMPTS };
const DEFAULT_MAX_RETRY_AFTER_MS = 30_000;
/**
 * Conversations of a batch sent at once. A platform paces each conversation (Telegram: about one
 * message a second in a chat), so one conversation's burst must not hold back the others'.
 */
const CONCURRENT_CONVERSATIONS = 4;

/**
 * Sends a channel's outbound messages and reports each in a DeliveryReceipt, the same way for
 * every adapter:
 *
 * - once per outbound id: a message whose outcome is recorded (sent, or failed for good) is never
 *   sent again (or, with `sendIsIdempotent`, sent again to no effect). The send cannot share a
 *   transaction with the record, so a crash after the platform took a message and before its
 *   outcome committed sends it a second time; adapters whose platform drops repeats (VK's
 *   random_id) pass the outbound id along to close that gap.
 * - the outcome and its receipt commit in one statement, through the outbox: reported if and
 *   only if recorded. Each message's outcome commits right after its send, so a crash re-sends
 *   at most one message in each conversation being sent to.
 * - a batch's conversations are sent to a few at a time, each conversation's messages in order:
 *   a conversation that the platform paces does not hold back the others.
 * - a retryable failure is counted in the database and thrown for the bus to retry with its
 *   back-off, after waiting out a rate limit's `retryAfterMs`; when the count reaches
 *   `maxAttempts` the message fails with a retryable FAILED receipt instead of being
 *   dead-lettered in silence. A message that cannot be rendered, or a permanent failure, is
 *   reported at once.
 *
 * The adapter's consumer hands it the decoded records:
 * `@Consume({ topic: TOPICS.outboundX, retry: OUTBOUND_RETRY }) handle(m) { return this.delivery.handle(m); }`
 */
export class OutboundDelivery<Rendered> {
  private readonly logger: Logger;
  private readonly schema: string;
  private readonly table: string;
  private readonly maxAttempts: number;
  private readonly maxRetryAfterMs: number;

  constructor(private readonly options: OutboundDeliveryOptions<Rendered>) {
    this.logger = new Logger(`${Channel[options.channel].toLowerCase()} outbound`);
    this.schema = schemaOf(options.dataSource);
    this.table = `"${this.schema}".outbound_delivery`;
    this.maxAttempts = options.maxAttempts ?? DEFAULT_OUTBOUND_ATTEMPTS;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS;
    if (!(this.maxAttempts >= 1)) throw new Error('maxAttempts must be at least 1');
  }

  async handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    let recorded = false;
    const lanes = new Map<string, Array<Received<OutboundMessage>>>();
    for (const received of messages) {
      const lane = lanes.get(received.message.conversationKey);
      if (lane) lane.push(received);
      else lanes.set(received.message.conversationKey, [received]);
    }
    const waiting = [...lanes.values()];
    const workLanes = async () => {
      for (let lane = waiting.shift(); lane; lane = waiting.shift()) {
        for (const { record, message } of lane) {
          // Read right before the send, not once per batch: a consumer that a rebalance left
          // running beside another must see what the other recorded meanwhile, and a batch paced
          // by a platform's rate limit can last seconds.
          if (!this.options.sendIsIdempotent && (await this.isDone(message.outboundId))) continue;
          if (await this.deliver(message, record.headers.traceId)) recorded = true;
        }
      }
    };
    try {
      // Every lane ends before a failure goes back to the bus, whose retry then skips what was sent.
      const outcomes = await Promise.allSettled(
        Array.from({ length: Math.min(CONCURRENT_CONVERSATIONS, lanes.size) }, workLanes),
      );
      const failure = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failure) throw failure.reason;
    } finally {
      if (recorded) this.options.relay.nudge();
    }
  }

  /** Resolves true when it recorded an outcome; throws RetryableError to be tried again. */
  private async deliver(message: OutboundMessage, traceId: string): Promise<boolean> {
    let rendered: Rendered;
    try {
      rendered = this.options.render(message);
    } catch (error) {
      // Rendering is about the message alone: trying it again renders the same.
      const kind = errorKind(error) === 'bad-input' ? 'bad-input' : 'permanent';
      return this.record(message, traceId, failed(kind, reasonOf(error)));
    }

    let sent: SentMessage;
    try {
      sent = await this.options.send(rendered, message);
    } catch (error) {
      const failure = this.options.classifyError(error);
      if (failure.kind !== 'retryable')
        return this.record(message, traceId, { sent: false, failure });
      const attempts = await this.countFailedAttempt(message.outboundId, failure.reason);
      if (attempts < this.maxAttempts) {
        if (failure.retryAfterMs) await sleep(Math.min(failure.retryAfterMs, this.maxRetryAfterMs));
        throw new RetryableError(
          `outbound ${message.outboundId}: attempt ${attempts} of ${this.maxAttempts} failed: ${failure.reason}`,
          { cause: error },
        );
      }
      return this.record(message, traceId, {
        sent: false,
        failure: { ...failure, reason: `not sent after ${attempts} attempts: ${failure.reason}` },
      });
    }
    return this.record(
      message,
      traceId,
      { sent: true, channelMessageId: sent.channelMessageId },
      sent,
    );
  }

  /** Whether the message's outcome is recorded (sent, or failed for good). */
  private async isDone(outboundId: string): Promise<boolean> {
    const rows: unknown[] = await this.options.dataSource.query(
      `SELECT 1 FROM ${this.table} WHERE outbound_id = $1 AND status IN ('sent', 'failed')`,
      [outboundId],
    );
    return rows.length > 0;
  }

  /** Committed at once, on its own: a crash or a restart must not forget an attempt made. */
  private async countFailedAttempt(outboundId: string, reason: string): Promise<number> {
    const rows: Array<{ attempts: number }> = await this.options.dataSource.query(
      `INSERT INTO ${this.table} (outbound_id, attempts, failure) VALUES ($1, 1, $2)
       ON CONFLICT (outbound_id) DO UPDATE
         SET attempts = ${this.table}.attempts + 1, failure = EXCLUDED.failure, updated_at = now()
       RETURNING attempts`,
      [outboundId, reason],
    );
    return rows[0].attempts;
  }

  /**
   * The outcome and its receipt in one statement, the receipt written only with the outcome. Only
   * a pending message is recorded: when a rebalance had two consumers send the same message, the
   * second finds it done and reports nothing more.
   */
  private async record(
    message: OutboundMessage,
    traceId: string,
    outcome: SendOutcome,
    sent?: SentMessage,
  ): Promise<boolean> {
    if (!outcome.sent) {
      this.logger.warn(`outbound ${message.outboundId} failed: ${outcome.failure.reason}`);
    }
    const receipt = deliveryReceipt(this.options.channel, message, outcome, new Date());
    if (sent?.sentMessageId) receipt.sentMessageId = sent.sentMessageId;
    const outbox = outboxInsert(
      this.schema,
      [
        topicRecord(TOPICS.deliveryReceipts, receipt, { messageId: receipt.receiptId, traceId }),
        ...(sent?.publish ?? []),
      ],
      { when: 'EXISTS (SELECT FROM recorded)', firstParameter: 5 },
    );
    const written: unknown[] = await this.options.dataSource.query(
      `WITH recorded AS (
         INSERT INTO ${this.table} (outbound_id, status, channel_message_id, failure)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (outbound_id) DO UPDATE
           SET status = EXCLUDED.status, channel_message_id = EXCLUDED.channel_message_id,
               failure = COALESCE(EXCLUDED.failure, ${this.table}.failure), updated_at = now()
           WHERE ${this.table}.status = 'pending'
         RETURNING outbound_id
       )
       ${outbox.sql}
       RETURNING id`,
      [
        message.outboundId,
        outcome.sent ? 'sent' : 'failed',
        outcome.sent ? outcome.channelMessageId : null,
        outcome.sent ? null : outcome.failure.reason,
        ...outbox.parameters,
      ],
    );
    return written.length > 0;
  }
}

function failed(kind: SendFailure['kind'], reason: string): SendOutcome {
  return { sent: false, failure: { kind, reason, recipientUnreachable: false } };
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
