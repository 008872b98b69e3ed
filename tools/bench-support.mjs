// What the benches that drive a built service through its real entry point share: the service in
// a child process of its own (the load generator must not share its event loop), publishing to
// topics of the bench's own instead of the shared ones, so that nothing downstream sees the load;
// and a census of what reached such a topic, to check that every accepted input was published
// exactly once.
//
// Child side: `node tools/bench-support.mjs serve <built service module> <export name>`, with
// KAFKA_BROKERS, BENCH_DATABASE_URL and BENCH_TOPICS (a JSON object: shared topic → bench topic)
// in its environment beside the service's own variables. It prints one line, `{"url": …}`, once
// the service listens.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PARTITIONS = 6;

if (process.argv[2] === 'serve') await serve(process.argv[3], process.argv[4]);

/** The project's local broker, started if need be, unless KAFKA_BROKERS names others. */
export function brokersForBench() {
  if (process.env.KAFKA_BROKERS) {
    return process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim());
  }
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

/**
 * Starts the built service `exportName` of `module` (a path under dist/) in a child process on a
 * fresh database's URL; `topics` maps the shared topics it publishes to onto the bench's;
 * `nodeArgs` are flags for its node (e.g. a CPU profile).
 * Resolves with the child and the service's base URL.
 */
export async function spawnService({
  module,
  exportName,
  brokers,
  databaseUrl,
  topics,
  env = {},
  nodeArgs = [],
}) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, fileURLToPath(import.meta.url), 'serve', module, exportName],
    {
      env: {
        ...process.env,
        ...env,
        KAFKA_BROKERS: brokers.join(','),
        BENCH_DATABASE_URL: databaseUrl,
        BENCH_TOPICS: JSON.stringify(topics),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', (line) => resolve(JSON.parse(line).url));
    child.once('exit', (code) =>
      reject(new Error(`${exportName} exited (${code}) while starting`)),
    );
  });
  return { child, url };
}

/** User and system CPU a process has used so far (Linux). */
export function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Stops a child started by spawnService and waits until it is gone. */
export async function stopService({ child }) {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function serve(module, exportName) {
  require('reflect-metadata');
  const { KafkaBus, silentLogger } = require(join(root, 'dist/libs/bus/src/index.js'));
  const { startService } = require(join(root, 'dist/libs/runtime/src/index.js'));
  const definition = require(join(root, 'dist', module))[exportName];
  const renamed = new Map(Object.entries(JSON.parse(process.env.BENCH_TOPICS)));
  const kafka = new KafkaBus({
    brokers: process.env.KAFKA_BROKERS.split(','),
    clientId: `bench-${definition.name}`,
    logger: silentLogger,
  });
  await kafka.ensureTopics(
    [...renamed.values()].map((topic) => ({ topic, partitions: PARTITIONS })),
  );
  const bus = {
    ensureTopics: (topics) => kafka.ensureTopics(topics),
    publish: (records) =>
      kafka.publish(
        records.map((record) =>
          renamed.has(record.topic) ? { ...record, topic: renamed.get(record.topic) } : record,
        ),
      ),
    // The benches measure intake: the service's consumers (outbound, projections) stay off.
    subscribe: async () => {},
    unsubscribe: async () => {},
    start: () => kafka.start(),
    stop: () => kafka.stop(),
    health: () => kafka.health(),
    lag: async () => [],
  };
  const service = await startService(
    { ...definition, name: `bench-${definition.name}.${Date.now().toString(36)}` },
    {
      bus,
      ownsBus: true,
      databaseUrl: process.env.BENCH_DATABASE_URL,
      databasePoolSize: 10,
      host: '127.0.0.1',
      logLevel: 'silent',
      partitions: PARTITIONS,
      replicationFactor: 1,
    },
    0,
  );
  console.log(JSON.stringify({ url: service.url }));
  process.on('SIGTERM', () => service.stop().then(() => process.exit(0)));
}

/**
 * Every record on `topic`, read from the start up to its current end: `{ key, messageId }` each
 * (messageId from the bus's `message-id` header).
 */
export async function recordsOn(brokers, topic) {
  const { Kafka, logLevel } = require('kafkajs');
  const kafka = new Kafka({ brokers, clientId: 'bench-census', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(topic))
      .filter(({ high, low }) => Number(high) > Number(low))
      .map(({ partition, high }) => [partition, Number(high)]),
  );
  const records = [];
  if (ends.size > 0) {
    const groupId = `bench-census.${topic}.${Date.now().toString(36)}`;
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              records.push({
                key: message.key?.toString() ?? '',
                messageId: message.headers?.['message-id']?.toString() ?? '',
              });
              if (Number(message.offset) + 1 >= (ends.get(batch.partition) ?? 0)) {
                ends.delete(batch.partition);
              }
            }
            if (ends.size === 0) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await admin.deleteGroups([groupId]).catch(() => undefined);
  }
  await admin.disconnect();
  return records;
}

/** How many of these records carry a message id that an earlier one carried. */
export function duplicatesAmong(records) {
  return records.length - new Set(records.map((record) => record.messageId)).size;
}
