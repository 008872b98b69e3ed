import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import {
  withDefaults,
  type AppendedRecord,
  type CommittedOffset,
  type LoggedRecord,
  type PartitionBounds,
  type RecordLog,
  type SourceCheckpoint,
  type StoredTopic,
  type Trim,
} from '@firstline/bus';
import type { Logger } from '@firstline/observability';
import { openDatabase } from './data-source';

/** The in-process bus's own schema: it belongs to no service. */
export const BUS_SCHEMA = 'bus';

class CreateBusLog1767225600000 implements MigrationInterface {
  readonly name = 'CreateBusLog1767225600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // A topic keeps the partitions it was created with, as on Kafka.
    await queryRunner.query(`
      CREATE TABLE ${BUS_SCHEMA}.topic (
        topic      text PRIMARY KEY,
        partitions integer NOT NULL,
        compacted  boolean NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE ${BUS_SCHEMA}.record (
        topic       text NOT NULL,
        partition   integer NOT NULL,
        "offset"    bigint NOT NULL,
        message_key text NOT NULL,
        value       bytea NOT NULL,
        headers     jsonb NOT NULL,
        appended_at timestamptz NOT NULL,
        PRIMARY KEY (topic, partition, "offset")
      )`);
    await queryRunner.query(`
      CREATE TABLE ${BUS_SCHEMA}.committed_offset (
        consumer_group text NOT NULL,
        topic          text NOT NULL,
        partition      integer NOT NULL,
        next_offset    bigint NOT NULL,
        PRIMARY KEY (topic, consumer_group, partition)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${BUS_SCHEMA}.committed_offset`);
    await queryRunner.query(`DROP TABLE ${BUS_SCHEMA}.record`);
    await queryRunner.query(`DROP TABLE ${BUS_SCHEMA}.topic`);
  }
}

class CreateSourceCheckpoints1797100000000 implements MigrationInterface {
  readonly name = 'CreateSourceCheckpoints1797100000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ${BUS_SCHEMA}.source_checkpoint (
        source     text PRIMARY KEY,
        checkpoint text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${BUS_SCHEMA}.source_checkpoint`);
  }
}

export interface DatabaseRecordLogOptions {
  /** The embedded database's URL (or DATABASE_URL when the in-process bus runs on a server). */
  url: string;
  logger: Logger;
  /** Connections: one holds the log; appends, reads and commits share the others (default 3). */
  poolSize?: number;
}

const OWNER_LOCK = 'firstline.bus-log';

/**
 * The in-process bus's records and committed offsets in the `bus` schema, so that the embedded
 * mode keeps what `publish` acknowledged through a crash. One process owns it, since the bus
 * numbers offsets in memory: a second one is refused while the first holds the log's lock.
 */
export async function openDatabaseRecordLog(
  options: DatabaseRecordLogOptions,
): Promise<DatabaseRecordLog> {
  const dataSource = await openDatabase({
    url: options.url,
    schema: BUS_SCHEMA,
    migrations: [CreateBusLog1767225600000, CreateSourceCheckpoints1797100000000],
    poolSize: options.poolSize ?? 3,
    applicationName: 'firstline-bus',
    logger: options.logger,
  });
  // A session lock, held by a connection kept for as long as the log is open.
  const owner = dataSource.createQueryRunner();
  try {
    const [{ locked }]: Array<{ locked: boolean }> = await owner.query(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [OWNER_LOCK],
    );
    if (!locked) {
      throw new Error(
        'Another process runs the in-process bus on this database; run one process, or give every one KAFKA_BROKERS',
      );
    }
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return new DatabaseRecordLog(dataSource, owner);
}

interface RecordRow {
  offset: string;
  message_key: string;
  value: Buffer;
  headers: Record<string, string>;
  appended_at: Date;
}

export class DatabaseRecordLog implements RecordLog {
  private readonly compacted = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly owner: QueryRunner,
  ) {}

  async open(topic: string, partitions: number, compacted: boolean): Promise<StoredTopic> {
    const [declared]: Array<{ partitions: number; compacted: boolean }> =
      await this.dataSource.query(
        `WITH created AS (
           INSERT INTO ${BUS_SCHEMA}.topic (topic, partitions, compacted) VALUES ($1, $2, $3)
           ON CONFLICT (topic) DO NOTHING
           RETURNING partitions, compacted
         )
         SELECT partitions, compacted FROM created
         UNION ALL
         SELECT partitions, compacted FROM ${BUS_SCHEMA}.topic WHERE topic = $1`,
        [topic, partitions, compacted],
      );
    if (declared.compacted) this.compacted.add(topic);
    const [kept, committed] = await Promise.all([
      this.dataSource.query<Array<{ partition: number; first: string; last: string }>>(
        `SELECT partition, min("offset") AS first, max("offset") AS last
         FROM ${BUS_SCHEMA}.record WHERE topic = $1 GROUP BY partition`,
        [topic],
      ),
      this.dataSource.query<Array<{ consumer_group: string; partition: number; next: string }>>(
        `SELECT consumer_group, partition, next_offset AS next
         FROM ${BUS_SCHEMA}.committed_offset WHERE topic = $1`,
        [topic],
      ),
    ]);
    const groups = new Map<string, number[]>();
    for (const row of committed) {
      const offsets = groups.get(row.consumer_group) ?? [];
      offsets[row.partition] = Number(row.next);
      groups.set(row.consumer_group, offsets);
    }
    const bounds = Array.from({ length: declared.partitions }, (_, partition): PartitionBounds => {
      const stored = kept.find((row) => row.partition === partition);
      // A partition whose records were all handled and trimmed still counts on from where it was.
      const next = Math.max(
        stored ? Number(stored.last) + 1 : 0,
        ...[...groups.values()].map((offsets) => offsets[partition] ?? 0),
      );
      return { first: stored ? Number(stored.first) : next, next };
    });
    return { partitions: bounds, committed: withDefaults(groups, bounds) };
  }

  async append(records: AppendedRecord[], checkpoints: SourceCheckpoint[]): Promise<void> {
    const column = <T>(pick: (record: AppendedRecord) => T) => records.map(pick);
    // One statement, so the records and the sources' checkpoints are stored together or not at all.
    await this.dataSource.query(
      `WITH checkpointed AS (
         INSERT INTO ${BUS_SCHEMA}.source_checkpoint (source, checkpoint)
         SELECT * FROM unnest($8::text[], $9::text[])
         ON CONFLICT (source) DO UPDATE SET checkpoint = excluded.checkpoint, updated_at = now()
       )
       INSERT INTO ${BUS_SCHEMA}.record
         (topic, partition, "offset", message_key, value, headers, appended_at)
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[], $4::text[], $5::bytea[],
                            $6::jsonb[], $7::timestamptz[])`,
      [
        column((record) => record.topic),
        column((record) => record.partition),
        column((record) => record.offset),
        column((record) => record.key),
        column((record) => record.value),
        column((record) => JSON.stringify(record.headers)),
        column((record) => new Date(record.timestamp)),
        checkpoints.map(({ source }) => source),
        checkpoints.map(({ checkpoint }) => checkpoint),
      ],
    );
    const compacted = records.filter((record) => this.compacted.has(record.topic));
    if (compacted.length > 0) {
      // Kafka's log cleaner, at once: a key's older records go once a newer one is stored.
      await this.dataSource.query(
        `DELETE FROM ${BUS_SCHEMA}.record AS kept
         USING unnest($1::text[], $2::int[], $3::bigint[], $4::text[])
           AS newer(topic, partition, "offset", message_key)
         WHERE kept.topic = newer.topic AND kept.partition = newer.partition
           AND kept.message_key = newer.message_key AND kept."offset" < newer."offset"`,
        [
          compacted.map((record) => record.topic),
          compacted.map((record) => record.partition),
          compacted.map((record) => record.offset),
          compacted.map((record) => record.key),
        ],
      );
    }
  }

  async checkpoint(source: string): Promise<string | undefined> {
    const rows: Array<{ checkpoint: string }> = await this.dataSource.query(
      `SELECT checkpoint FROM ${BUS_SCHEMA}.source_checkpoint WHERE source = $1`,
      [source],
    );
    return rows[0]?.checkpoint;
  }

  async read(topic: string, partition: number, from: number, max: number): Promise<LoggedRecord[]> {
    const rows = await this.dataSource.query<RecordRow[]>(
      `SELECT "offset", message_key, value, headers, appended_at
       FROM ${BUS_SCHEMA}.record
       WHERE topic = $1 AND partition = $2 AND "offset" >= $3
       ORDER BY "offset"
       LIMIT $4`,
      [topic, partition, from, max],
    );
    return rows.map((row) => ({
      offset: Number(row.offset),
      key: row.message_key,
      value: row.value,
      headers: row.headers,
      timestamp: row.appended_at.getTime(),
    }));
  }

  async commit(offsets: CommittedOffset[], trims: Trim[]): Promise<void> {
    // One round trip: a data-modifying WITH runs whether or not the statement reads it.
    await this.dataSource.query(
      `WITH committed AS (
         INSERT INTO ${BUS_SCHEMA}.committed_offset (consumer_group, topic, partition, next_offset)
         SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[])
         ON CONFLICT (topic, consumer_group, partition)
           DO UPDATE SET next_offset = excluded.next_offset
       )
       DELETE FROM ${BUS_SCHEMA}.record AS handled
       USING unnest($5::text[], $6::int[], $7::bigint[]) AS trim(topic, partition, before)
       WHERE handled.topic = trim.topic AND handled.partition = trim.partition
         AND handled."offset" < trim.before`,
      [
        offsets.map((offset) => offset.group),
        offsets.map((offset) => offset.topic),
        offsets.map((offset) => offset.partition),
        offsets.map((offset) => offset.next),
        trims.map((trim) => trim.topic),
        trims.map((trim) => trim.partition),
        trims.map((trim) => trim.offset),
      ],
    );
  }

  async close(): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    // Let go of the lock before the connection closes: the server ends a closed session in its
    // own time, and the next owner must not find the lock still held.
    await this.owner.query('SELECT pg_advisory_unlock(hashtext($1))', [OWNER_LOCK]);
    await this.owner.release();
    await this.dataSource.destroy();
  }
}
