import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@firstline/contracts';

const run = promisify(execFile);
const kafkaScript = resolve(__dirname, '../../../deploy/local/kafka.sh');

/**
 * Brokers for an integration test: `KAFKA_BROKERS` when set, otherwise the project's own local
 * broker, started on first use (the script is idempotent and serialises concurrent callers).
 * Firstline's own topics exist and serve by the time it resolves.
 */
export function ensureKafka(): Promise<string[]> {
  ready ??= startKafka().then(async (brokers) => {
    await ensureSharedTopics(brokers);
    return brokers;
  });
  return ready;
}

let ready: Promise<string[]> | undefined;

async function startKafka(): Promise<string[]> {
  const configured = process.env.KAFKA_BROKERS;
  if (configured) return configured.split(',').map((broker) => broker.trim());
  const port = process.env.KAFKA_PORT ?? '9092';
  await run('bash', [kafkaScript, 'start'], {
    env: { ...process.env, KAFKA_PORT: port },
    timeout: 180_000,
  });
  return [`127.0.0.1:${port}`];
}

/**
 * On a fresh broker, test files running side by side would otherwise race to create the shared
 * topics, and the losers would talk to partitions whose leader is not elected yet.
 */
export async function ensureSharedTopics(brokers: string[]): Promise<void> {
  const admin = new Kafka({
    clientId: 'firstline-tests',
    brokers,
    logLevel: logLevel.NOTHING,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = Object.values(TOPICS).filter(({ name }) => !existing.has(name));
    if (missing.length > 0) {
      await admin
        .createTopics({
          waitForLeaders: true,
          topics: missing.map(({ name, compacted }) => ({
            topic: name,
            numPartitions: 6,
            configEntries: compacted ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
          })),
        })
        .catch(() => undefined); // another test process created them first: the wait below covers it
    }
    for (const { name } of Object.values(TOPICS)) {
      await untilServing(() => admin.fetchTopicOffsets(name));
    }
  } finally {
    await admin.disconnect();
  }
}

/**
 * What `probe` resolves with once it stops failing: a freshly formatted broker answers
 * NOT_LEADER_FOR_PARTITION for a while after its topics exist.
 */
export async function untilServing<T>(probe: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await probe();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/** A topic or group name no earlier run has used, so tests never see each other's records. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
