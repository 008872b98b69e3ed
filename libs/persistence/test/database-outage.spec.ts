import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import {
  KafkaBus,
  silentLogger,
  type DeliveredMessage,
  type OutgoingMessage,
} from '@firstline/bus';
import { claimMessages } from '@firstline/persistence';
import { ensureKafka, PostgresCluster, uniqueName, waitFor } from '@firstline/testing';
import { openSchema, sleep } from './support';

jest.setTimeout(180_000);

/** A port of this suite's own: it stops the cluster, which no other suite may be using. */
const cluster = new PostgresCluster(15452);

class CreateReplies1000000000000 implements MigrationInterface {
  name = 'CreateReplies1000000000000';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE outage.reply (message_id text PRIMARY KEY, handled_at timestamptz NOT NULL DEFAULT now())`,
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE outage.reply`);
  }
}

/** The bus's retries of a failing record: about a third of a second, where a restart takes seconds. */
const RETRY = { attempts: 3, initialDelayMs: 50, maxDelayMs: 500 };

const deadLetterTopic = uniqueName('outage.dlq');
let dataSource: DataSource;
let bus: KafkaBus;

beforeAll(async () => {
  const [brokers] = await Promise.all([ensureKafka(), cluster.startFresh('firstline')]);
  dataSource = await openSchema(cluster.url('firstline'), 'outage', {
    migrations: [CreateReplies1000000000000],
  });
  bus = new KafkaBus({
    brokers,
    clientId: 'outage-test',
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
    retry: RETRY,
    deadLetterTopic,
  });
});

afterAll(async () => {
  await bus?.stop();
  await dataSource?.destroy().catch(() => undefined);
  await cluster.stop();
});

/** Like every consumer that writes: claims the records and stores their effects in one transaction. */
async function storeReplies(records: DeliveredMessage[]): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const ids = records.map((record) => record.headers.messageId);
    const claimed = await claimMessages(manager, 'outage-test', ids);
    for (const id of ids.filter((id) => claimed.has(id))) {
      await manager.query(`INSERT INTO outage.reply (message_id) VALUES ($1)`, [id]);
    }
  });
}

async function storedCount(): Promise<number> {
  const rows: Array<{ count: string }> = await dataSource.query(
    `SELECT count(*) FROM outage.reply`,
  );
  return Number(rows[0].count);
}

function replies(topic: string, from: number, count: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    topic,
    key: `ticket-${(from + i) % 7}`,
    value: Buffer.from(`reply ${from + i}`),
    headers: { messageId: `reply-${from + i}`, type: 'firstline.test.Reply' },
  }));
}

it('a Postgres restart longer than the retry budget dead-letters nothing; every record is stored once it is back', async () => {
  const topic = uniqueName('outage.replies');
  await bus.ensureTopics([{ topic, partitions: 3 }]);
  const deadLetters: DeliveredMessage[] = [];
  await bus.subscribe({ group: uniqueName('outage'), topics: [topic], handler: storeReplies });
  await bus.subscribe({
    group: uniqueName('dlq-reader'),
    topics: [deadLetterTopic],
    handler: async (records) => void deadLetters.push(...records),
  });
  await bus.start();

  await bus.publish(replies(topic, 0, 30));
  await waitFor(async () => (await storedCount()) === 30, 30_000);

  await cluster.stop();
  await bus.publish(replies(topic, 30, 30));
  // Ten times the retry budget, and longer than the bus's default one (about three seconds).
  await sleep(4_000);
  expect(deadLetters).toEqual([]);

  await cluster.start();
  await waitFor(async () => (await storedCount().catch(() => 0)) === 60, 60_000);
  await sleep(1_000);
  expect(await storedCount()).toBe(60);
  expect(deadLetters).toEqual([]);
});
