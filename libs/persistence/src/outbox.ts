import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import type { MessageBus, OutgoingMessage } from '@firstline/bus';
import type { Logger } from '@firstline/observability';
import type { NumberedStatement } from './joined-writes';
import { advisoryLockName, assertSchemaName, schemaOf, transactionSchema } from './schema';

/** Postgres binds at most 65,535 parameters per statement; five per row leaves ample margin. */
const ROWS_PER_INSERT = 1_000;

/**
 * Writes records to publish in the caller's transaction: they reach the bus if and only if the
 * change commits. Each must carry its stable `messageId`, which every republish repeats so that
 * consumers can drop duplicates. `producedAt` defaults to now, the moment of the change, so a
 * republish carries the same one.
 *
 * Ids follow insertion, not commit, order: records that must stay in order (one ticket's events)
 * must be written under a lock they share, such as the ticket's row lock.
 */
export async function enqueueOutbox(
  manager: EntityManager,
  messages: OutgoingMessage[],
): Promise<void> {
  const schema = transactionSchema(manager, 'enqueueOutbox');
  for (let start = 0; start < messages.length; start += ROWS_PER_INSERT) {
    const { sql, parameters } = outboxInsert(
      schema,
      messages.slice(start, start + ROWS_PER_INSERT),
    );
    await manager.query(sql, parameters);
  }
}

/**
 * The INSERT of `messages` (1 to 1,000) into the schema's outbox: the one place that knows an
 * outbox row. `enqueueOutbox` runs it in the caller's transaction. With `when`, it writes the
 * records only if the condition holds, for one statement that makes a change in a data-modifying
 * WITH query and announces it: `WITH changed AS (UPDATE … RETURNING id) ${sql}` with
 * `when: 'EXISTS (SELECT FROM changed)'` commits both or neither. Its parameters are numbered
 * from `firstParameter`, after the statement's own.
 */
export function outboxInsert(
  schema: string,
  messages: OutgoingMessage[],
  options: { when?: string; firstParameter?: number } = {},
): NumberedStatement {
  const unnamed = messages.find((message) => !message.headers.messageId || !message.headers.type);
  if (unnamed) {
    throw new Error(
      `An outbox record for ${unnamed.topic} needs headers.messageId and headers.type (its stable id and its message type)`,
    );
  }
  if (messages.length === 0 || messages.length > ROWS_PER_INSERT) {
    throw new Error(
      `An outbox INSERT writes 1 to ${ROWS_PER_INSERT} records, not ${messages.length}`,
    );
  }
  const first = options.firstParameter ?? 1;
  const producedAt = new Date().toISOString();
  // Cast: VALUES in a SELECT do not take the columns' types, as an INSERT's own VALUES do.
  const rows = messages.map((_, row) => {
    const p = first + row * 5;
    return `($${p}::text, $${p + 1}::text, $${p + 2}::jsonb, $${p + 3}::jsonb, $${p + 4}::bytea)`;
  });
  const parameters = messages.flatMap((message) => [
    message.topic,
    message.key,
    JSON.stringify({ ...message.headers, producedAt: message.headers.producedAt ?? producedAt }),
    JSON.stringify(message.extraHeaders ?? {}),
    Buffer.from(message.value.buffer, message.value.byteOffset, message.value.byteLength),
  ]);
  const columns = 'topic, message_key, headers, extra_headers, payload';
  const values = `VALUES ${rows.join(', ')}`;
  const source = options.when
    ? `SELECT * FROM (${values}) AS outbox_row (${columns}) WHERE ${options.when}`
    : values;
  return {
    sql: `INSERT INTO "${assertSchemaName(schema)}".outbox (${columns}) ${source}`,
    parameters,
  };
}

export interface OutboxRelayOptions {
  /** The service's data source; the relay reads `<schema>.outbox`. */
  dataSource: DataSource;
  bus: Pick<MessageBus, 'publish'>;
  logger: Logger;
  /** Rows published per round (default 500). */
  batchSize?: number;
  /** How often to look for rows when nobody nudges (default 500 ms). */
  pollIntervalMs?: number;
  /** First wait after a failed round, doubled on each further failure up to `maxRetryDelayMs`. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How long published rows are kept, for inspection, before they are deleted (default 7 days). */
  retentionMs?: number;
  /** How often published rows past their retention are deleted (default hourly). */
  purgeIntervalMs?: number;
}

interface OutboxRow {
  id: string;
  topic: string;
  message_key: string;
  headers: OutgoingMessage['headers'];
  extra_headers: Record<string, string>;
  payload: Buffer;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Publishes committed outbox rows to the bus in id order, at least once.
 *
 * Each round holds the schema's relay lock, kept from round to round while rows keep coming (so
 * among several replicas one relays at a time and order holds): read the oldest unpublished rows,
 * publish them and wait for the bus's durable acknowledgement, then mark them published (with the
 * next round's read while rows keep coming). A crash before the mark leaves the rows unpublished,
 * so the next round sends them again with the same message ids; a failed publish is retried with
 * backoff, never skipped. The lock is a session lock on the round's connection, not a
 * transaction: the embedded database serves one transaction at a time, and the in-process bus
 * stores what it is given there, so a transaction held open across the publish would wait on
 * itself.
 */
export class OutboxRelay {
  private readonly dataSource: DataSource;
  private readonly schema: string;
  private readonly bus: Pick<MessageBus, 'publish'>;
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly retentionMs: number;
  private readonly purgeIntervalMs: number;

  private running = false;
  private loop?: Promise<void>;
  /** Set by `nudge()`: rows may have been committed since the last read. */
  private nudged = false;
  private nextPurgeAt = 0;
  private wake?: { resume: () => void; onNudge: boolean };
  /** The connection holding the relay lock between rounds while rows keep coming. */
  private relaying?: QueryRunner;
  /** Ids the bus has acknowledged, marked published by the next round's statement. */
  private unmarked: string[] = [];

  constructor(options: OutboxRelayOptions) {
    this.dataSource = options.dataSource;
    this.schema = schemaOf(options.dataSource);
    this.bus = options.bus;
    this.logger = options.logger;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 500;
    this.retryDelayMs = options.retryDelayMs ?? 200;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.retentionMs = options.retentionMs ?? 7 * DAY_MS;
    this.purgeIntervalMs = options.purgeIntervalMs ?? 60 * 60 * 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Finishes the round in progress, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.resume();
    await this.loop;
    if (this.relaying) {
      await this.markPublished(this.relaying).catch((error: unknown) =>
        this.logger.warn(
          { err: error, schema: this.schema },
          'Marking the last published outbox rows failed; they will be published again',
        ),
      );
      await this.releaseRelayLock(this.relaying);
    }
    this.relaying = undefined;
  }

  /** Call after committing a transaction that enqueued records, to publish them without waiting for the next poll. */
  nudge(): void {
    this.nudged = true;
    if (this.wake?.onNudge) this.wake.resume();
  }

  /** Rows committed but not yet published, for the outbox backlog metric. */
  async backlog(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ backlog: number }>>(
      `SELECT count(*)::int AS backlog FROM "${this.schema}".outbox WHERE published_at IS NULL`,
    );
    return row.backlog;
  }

  /** Deletes rows published longer ago than the retention; returns how many. */
  async purgePublished(): Promise<number> {
    const [row] = await this.dataSource.query<Array<{ deleted: number }>>(
      `WITH deleted AS (
         DELETE FROM "${this.schema}".outbox
         WHERE published_at < now() - $1 * interval '1 millisecond'
         RETURNING 1
       )
       SELECT count(*)::int AS deleted FROM deleted`,
      [this.retentionMs],
    );
    return row.deleted;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      this.nudged = false;
      let pauseMs: number;
      try {
        const published = await this.relayBatch();
        failures = 0;
        pauseMs = published === this.batchSize ? 0 : this.pollIntervalMs;
      } catch (error) {
        failures += 1;
        pauseMs = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (failures - 1));
        this.logger.warn(
          { err: error, schema: this.schema, failures, retryInMs: pauseMs },
          'Outbox relay round failed; retrying from the oldest unpublished row',
        );
      }
      if (failures === 0) await this.purgeWhenDue();
      // While backing off, nudges do not cut the wait short: every commit would hammer a failing bus.
      await this.pause(pauseMs, failures === 0);
    }
  }

  private async relayBatch(): Promise<number> {
    const session = this.relaying ?? (await this.takeRelayLock());
    if (!session) return 0; // another replica is relaying this schema
    this.relaying = undefined;
    let published: number;
    try {
      // The rows the last round published are marked in the statement that reads the next ones
      // (its SELECT sees the table as before the UPDATE, hence the exclusion): one round trip a
      // round fewer. Should the relay die before, the next one publishes them again, as after a
      // crash between publish and mark; consumers drop the repeats by message id.
      const rows: OutboxRow[] = await session.query(
        `WITH marked AS (
           UPDATE "${this.schema}".outbox SET published_at = now() WHERE id = ANY($2::bigint[])
         )
         SELECT id, topic, message_key, headers, extra_headers, payload
         FROM "${this.schema}".outbox
         WHERE published_at IS NULL AND id <> ALL($2::bigint[])
         ORDER BY id
         LIMIT $1`,
        [this.batchSize, this.unmarked],
      );
      if (rows.length > 0) await this.bus.publish(rows.map(toOutgoingMessage));
      this.unmarked = rows.map((row) => row.id);
      published = rows.length;
      if (!this.running) await this.markPublished(session);
    } catch (error) {
      this.unmarked = [];
      await this.releaseRelayLock(session);
      throw error;
    }
    // While rows keep coming the lock stays taken, and with it the marks still to write.
    if (published > 0 && this.running) this.relaying = session;
    else await this.releaseRelayLock(session);
    return published;
  }

  private async markPublished(session: QueryRunner): Promise<void> {
    if (this.unmarked.length === 0) return;
    const ids = this.unmarked;
    this.unmarked = [];
    await session.query(
      `UPDATE "${this.schema}".outbox SET published_at = now() WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** A connection holding the schema's relay lock, or undefined when another one holds it. */
  private async takeRelayLock(): Promise<QueryRunner | undefined> {
    const session = this.dataSource.createQueryRunner();
    try {
      const [lock]: Array<{ locked: boolean }> = await session.query(
        'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
        [advisoryLockName('outbox-relay', this.schema)],
      );
      if (lock.locked) return session;
    } catch (error) {
      await closeConnection(session, error);
      throw error;
    }
    await closeConnection(session);
    return undefined;
  }

  private async releaseRelayLock(session: QueryRunner): Promise<void> {
    let broken: unknown;
    await session
      .query('SELECT pg_advisory_unlock(hashtext($1))', [
        advisoryLockName('outbox-relay', this.schema),
      ])
      .catch((error: unknown) => (broken = error));
    await closeConnection(session, broken);
  }

  private async purgeWhenDue(): Promise<void> {
    if (Date.now() < this.nextPurgeAt) return;
    this.nextPurgeAt = Date.now() + this.purgeIntervalMs;
    try {
      const deleted = await this.purgePublished();
      if (deleted > 0)
        this.logger.info({ schema: this.schema, deleted }, 'Purged published outbox rows');
    } catch (error) {
      this.logger.warn({ err: error, schema: this.schema }, 'Purging published outbox rows failed');
    }
  }

  private pause(ms: number, wakeOnNudge: boolean): Promise<void> {
    if (ms === 0 || !this.running || (wakeOnNudge && this.nudged)) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => resume(), ms);
      const resume = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = { resume, onNudge: wakeOnNudge };
    });
  }
}

/**
 * Returns the connection to the pool, or closes it after an error: one that may still hold the
 * lock is closed, not pooled, since closing releases the lock.
 */
async function closeConnection(session: QueryRunner, error?: unknown): Promise<void> {
  await (
    session as unknown as { releasePostgresConnection(error?: unknown): Promise<void> }
  ).releasePostgresConnection(error);
}

function toOutgoingMessage(row: OutboxRow): OutgoingMessage {
  return {
    topic: row.topic,
    key: row.message_key,
    value: row.payload,
    headers: row.headers,
    extraHeaders: row.extra_headers,
  };
}
