import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const kafkaScript = resolve(__dirname, '../../../deploy/local/kafka.sh');

/**
 * Brokers for an integration test: `KAFKA_BROKERS` when set, otherwise the project's own local
 * broker, started on first use (the script is idempotent and serialises concurrent callers).
 */
export async function ensureKafka(): Promise<string[]> {
  const configured = process.env.KAFKA_BROKERS;
  if (configured) return configured.split(',').map((broker) => broker.trim());
  const port = process.env.KAFKA_PORT ?? '9092';
  await run('bash', [kafkaScript, 'start'], {
    env: { ...process.env, KAFKA_PORT: port },
    timeout: 180_000,
  });
  return [`127.0.0.1:${port}`];
}

/** A topic or group name no earlier run has used, so tests never see each other's records. */
export function uniqueName(prefix: string): string {
  return `${prefix}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}
