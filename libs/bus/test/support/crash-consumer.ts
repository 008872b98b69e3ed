/**
 * The consumer of the crash-recovery test, in a process of its own so that the test can SIGKILL
 * it. It stores every record it handles in Postgres before its handler resolves, that is before
 * the bus may commit. It works a little before and after storing, so a kill lands mid-batch and
 * a commit made too early would show.
 */
import { Pool } from 'pg';
import { KafkaBus } from '../../src/kafka-bus';
import { silentLogger } from '../../src/logger';

function setting(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`crash-consumer needs ${name}`);
  return value;
}

const [BROKERS, TOPIC, GROUP, DATABASE_URL, RUN] = [
  'BROKERS',
  'TOPIC',
  'GROUP',
  'DATABASE_URL',
  'RUN',
].map(setting);
const LINGER_MS = Number(process.env.LINGER_MS ?? 0);

const pool = new Pool({ connectionString: DATABASE_URL, max: 6 });
const bus = new KafkaBus({
  brokers: BROKERS.split(','),
  clientId: `crash-consumer-${RUN}`,
  logger: silentLogger,
  sessionTimeoutMs: 6_000,
  heartbeatIntervalMs: 500,
  // Commits many times before the kill, even on a machine that handles the records fast.
  commitIntervalMs: 100,
});

async function main(): Promise<void> {
  await bus.subscribe({
    group: GROUP,
    topics: [TOPIC],
    maxBatchSize: 50,
    handler: async (messages) => {
      await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
      await pool.query(
        `INSERT INTO handled (run, partition, "offset", key, seq)
         SELECT $1, * FROM unnest($2::int[], $3::bigint[], $4::text[], $5::int[])`,
        [
          Number(RUN),
          messages.map((message) => message.partition),
          messages.map((message) => message.offset),
          messages.map((message) => message.key),
          messages.map(
            (message) => (JSON.parse(message.value.toString('utf8')) as { seq: number }).seq,
          ),
        ],
      );
      await new Promise((resolve) => setTimeout(resolve, LINGER_MS));
    },
  });
  await bus.start();
}

process.once('SIGTERM', () => {
  void bus
    .stop()
    .then(() => pool.end())
    .then(() => process.exit(0));
});

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
