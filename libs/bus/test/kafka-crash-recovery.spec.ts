import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { createTestDatabase, ensureKafka, uniqueName, type TestDatabase } from '@firstline/testing';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { KafkaBus } from '../src/kafka-bus';
import { silentLogger } from '../src/logger';
import { eventually, sequenced } from './support/collect';

const KEYS = 200;
const SEQS_PER_KEY = 50;
const TOTAL = KEYS * SEQS_PER_KEY;
const PARTITIONS = 6;

jest.setTimeout(90_000);

describe('KafkaBus consumer killed mid-stream', () => {
  let brokers: string[];
  let database: TestDatabase;
  let db: Client;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    brokers = await ensureKafka();
    database = await createTestDatabase();
    db = new Client({ connectionString: database.url });
    await db.connect();
    await db.query(`CREATE TABLE handled (
      id bigserial PRIMARY KEY, run int NOT NULL, partition int NOT NULL, "offset" bigint NOT NULL,
      key text NOT NULL, seq int NOT NULL)`);
  });

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await db?.end();
    await database?.drop();
  });

  /** The consumer of support/crash-consumer.ts, in its own process; its output is kept for failures. */
  function startConsumer(run: number, topic: string, group: string) {
    const child = spawn(
      process.execPath,
      [
        '-r',
        resolve(__dirname, 'support/register-ts.js'),
        resolve(__dirname, 'support/crash-consumer.ts'),
      ],
      {
        env: {
          ...process.env,
          BROKERS: brokers.join(','),
          TOPIC: topic,
          GROUP: group,
          DATABASE_URL: database.url,
          RUN: String(run),
          LINGER_MS: '20',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    children.push(child);
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal, output }));
    return { child, exited };
  }

  const count = async (sql: string) => Number((await db.query(sql)).rows[0].count);

  it('handles every record at least once, in order per key, never committing ahead of a handler', async () => {
    const topic = uniqueName('crash.inbound');
    const group = uniqueName('crash.router');
    const producer = new KafkaBus({ brokers, clientId: 'crash-producer', logger: silentLogger });
    await producer.ensureTopics([{ topic, partitions: PARTITIONS }]);
    for (let seq = 0; seq < SEQS_PER_KEY; seq += 1) {
      await producer.publish(
        Array.from({ length: KEYS }, (_, k) => sequenced(topic, `conversation-${k}`, seq)),
      );
    }
    await producer.stop();

    const first = startConsumer(1, topic, group);
    await eventually(
      async () =>
        (await count('SELECT count(*) FROM handled')) >= TOTAL / 2 &&
        (await committedOffsets(brokers, group, topic)).size > 0,
      'the first consumer to handle half the records and commit',
      30_000,
    );
    first.child.kill('SIGKILL');
    expect(await first.exited).toMatchObject({ signal: 'SIGKILL' });

    // The child is dead: what is committed now is all it ever committed.
    const committed = await committedOffsets(brokers, group, topic);
    const handledByFirst = await highestHandledOffsets(db, 1);
    expect(committed.size).toBeGreaterThan(0);
    const aheadOfHandler = [...committed]
      .filter(([partition, offset]) => offset > (handledByFirst.get(partition) ?? -1) + 1)
      .map(([partition, offset]) => ({
        partition,
        committed: offset,
        handled: handledByFirst.get(partition),
      }));
    expect(aheadOfHandler).toEqual([]);
    expect(await count('SELECT count(DISTINCT (key, seq)) FROM handled')).toBeLessThan(TOTAL);

    const second = startConsumer(2, topic, group);
    await eventually(
      async () => (await count('SELECT count(DISTINCT (key, seq)) FROM handled')) === TOTAL,
      'every record handled',
      60_000,
    );
    second.child.kill('SIGTERM');
    const { code, output } = await second.exited;
    expect({ code, output }).toEqual({ code: 0, output: '' });

    // Per key, records were handled for the first time in the order they were published.
    const firstHandlings = await db.query<{ key: string; seqs: number[] }>(
      `SELECT key, array_agg(seq ORDER BY first_id) AS seqs
         FROM (SELECT key, seq, min(id) AS first_id FROM handled GROUP BY key, seq) AS first
        GROUP BY key`,
    );
    expect(firstHandlings.rows).toHaveLength(KEYS);
    const inOrder = Array.from({ length: SEQS_PER_KEY }, (_, seq) => seq);
    for (const { key, seqs } of firstHandlings.rows)
      expect({ key, seqs }).toEqual({ key, seqs: inOrder });

    // The restarted consumer resumed exactly at each committed offset: what it repeated had not
    // been committed, and it went back no further.
    const resumedAt = await db.query<{ partition: number; from: string }>(
      'SELECT partition, min("offset") AS from FROM handled WHERE run = 2 GROUP BY partition',
    );
    for (const { partition, from } of resumedAt.rows) {
      expect({ partition, from: Number(from) }).toEqual({
        partition,
        from: Math.max(committed.get(partition) ?? 0, 0),
      });
    }
    const repeated = await count(
      'SELECT count(*) FROM (SELECT 1 FROM handled GROUP BY key, seq HAVING count(*) > 1) AS twice',
    );
    console.info(
      `crash recovery: ${await count('SELECT count(*) FROM handled WHERE run = 1')} handled before the kill, ` +
        `${repeated} handled again after it`,
    );
  });
});

async function committedOffsets(
  brokers: string[],
  group: string,
  topic: string,
): Promise<Map<number, number>> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const [{ partitions }] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return new Map(
      partitions
        .filter(({ offset }) => Number(offset) >= 0)
        .map(({ partition, offset }) => [partition, Number(offset)]),
    );
  } finally {
    await admin.disconnect();
  }
}

async function highestHandledOffsets(db: Client, run: number): Promise<Map<number, number>> {
  const { rows } = await db.query<{ partition: number; highest: string }>(
    'SELECT partition, max("offset") AS highest FROM handled WHERE run = $1 GROUP BY partition',
    [run],
  );
  return new Map(rows.map(({ partition, highest }) => [partition, Number(highest)]));
}
