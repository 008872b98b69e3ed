// End-to-end throughput of the bus through a real broker, against plain kafkajs with no framework:
// N keyed 1 KB records published in batches and consumed from a fresh 6-partition topic by a
// fresh group. The reference is kafkajs sending the same records, the five standard headers
// included; kafkajs with no headers at all is measured too, to show what the headers cost.
// Prints the rates and ratios, and rewrites the "Bus throughput" section of docs/benchmarks.md.
// Runs the built bus: `npm run build && node tools/bench-bus.mjs`.
//
//   KAFKA_BROKERS        brokers to use (default: the project's local broker, started if need be)
//   BENCH_BUS_MESSAGES   records per run (default 50000)
//   BENCH_BUS_ROUNDS     runs of each variant, alternating; the best counts (default 3)
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/libs/bus/src/index.js');
if (!existsSync(built)) {
  console.error(`bench-bus: ${built} is missing; run \`npm run build\` first`);
  process.exit(1);
}
const { Kafka, logLevel, Partitioners } = require('kafkajs');
const { KafkaBus, silentLogger } = require(built);

const MESSAGES = Number(process.env.BENCH_BUS_MESSAGES ?? 50_000);
const ROUNDS = Number(process.env.BENCH_BUS_ROUNDS ?? 3);
const PARTITIONS = 6;
const PUBLISH_BATCH = 1_000;
const KEYS = 1_000;
/** The bus's default; the baseline gets the same so the comparison is of the framework alone. */
const PARTITIONS_CONSUMED_CONCURRENTLY = 6;
const PAYLOAD = randomBytes(1024);

const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();
const kafka = new Kafka({ clientId: 'bench-bus', brokers, logLevel: logLevel.NOTHING });
const run = `${Date.now().toString(36)}`;

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

async function createTopic(topic) {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    topics: [{ topic, numPartitions: PARTITIONS }],
    waitForLeaders: true,
  });
  await admin.disconnect();
}

const keyOf = (n) => `conversation-${n % KEYS}`;

/** What the bus puts on every record (see libs/bus/src/records.ts), as plain kafkajs would send it. */
function standardHeaders(n, producedAt) {
  return {
    'message-id': `bench-${n}`,
    type: 'firstline.bench.Payload',
    'schema-version': '1',
    'trace-id': randomUUID().replaceAll('-', ''),
    'produced-at': producedAt,
  };
}

/** Counts consumed records; resolves `reached(n)` once n have been seen. */
function counter() {
  let count = 0;
  const waiting = [];
  return {
    add(n) {
      count += n;
      for (const wait of waiting.filter((w) => count >= w.target)) {
        waiting.splice(waiting.indexOf(wait), 1);
        wait.resolve();
      }
    },
    reached(target) {
      return count >= target
        ? Promise.resolve()
        : new Promise((resolve) => waiting.push({ target, resolve }));
    },
  };
}

/**
 * One timed run: one record first so the consumer has joined its group, then N records as fast as
 * the producer goes; the clock stops when the consumer has seen the last one.
 */
async function timed(publishBatch, consumed) {
  await publishBatch(0, 1);
  await consumed.reached(1);
  const startedAt = performance.now();
  for (let from = 1; from <= MESSAGES; from += PUBLISH_BATCH) {
    await publishBatch(from, Math.min(PUBLISH_BATCH, MESSAGES + 1 - from));
  }
  const publishedAt = performance.now();
  await consumed.reached(MESSAGES + 1);
  const seconds = (performance.now() - startedAt) / 1000;
  return {
    endToEnd: Math.round(MESSAGES / seconds),
    publishOnly: Math.round(MESSAGES / ((publishedAt - startedAt) / 1000)),
  };
}

async function kafkajs(round, withHeaders) {
  const name = `bench.kafkajs-${withHeaders ? 'headers' : 'bare'}.${run}.${round}`;
  const topic = name;
  await createTopic(topic);
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: name, maxWaitTimeInMs: 500 });
  const consumed = counter();
  await producer.connect();
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
    eachBatch: async ({ batch }) => consumed.add(batch.messages.length),
  });
  const result = await timed((from, count) => {
    const producedAt = new Date().toISOString();
    return producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: count }, (_, i) => ({
        key: keyOf(from + i),
        value: PAYLOAD,
        headers: withHeaders ? standardHeaders(from + i, producedAt) : undefined,
      })),
    });
  }, consumed);
  await consumer.disconnect();
  await producer.disconnect();
  return result;
}

async function bus(round) {
  const topic = `bench.bus.${run}.${round}`;
  const instance = new KafkaBus({ brokers, clientId: 'bench-bus', logger: silentLogger });
  const consumed = counter();
  await instance.ensureTopics([{ topic, partitions: PARTITIONS }]);
  await instance.subscribe({
    group: `bench.bus.${run}.${round}`,
    topics: [topic],
    handler: async (messages) => consumed.add(messages.length),
  });
  await instance.start();
  const result = await timed(
    (from, count) =>
      instance.publish(
        Array.from({ length: count }, (_, i) => ({
          topic,
          key: keyOf(from + i),
          value: PAYLOAD,
          headers: { messageId: `bench-${from + i}`, type: 'firstline.bench.Payload' },
        })),
      ),
    consumed,
  );
  await instance.stop();
  return result;
}

const best = (results, field) => Math.max(...results.map((result) => result[field]));
const format = (n) => n.toLocaleString('en-US');

const variants = {
  bare: { label: 'kafkajs, no headers', measure: (round) => kafkajs(round, false) },
  headers: { label: 'kafkajs, the same records', measure: (round) => kafkajs(round, true) },
  bus: { label: 'KafkaBus', measure: bus },
};
const results = { bare: [], headers: [], bus: [] };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, { label, measure }] of Object.entries(variants)) {
    results[name].push(await measure(round));
    console.log(
      `round ${round + 1} ${label.padEnd(26)} ${format(results[name].at(-1).endToEnd)} msg/s`,
    );
  }
}

const rate = (name) => best(results[name], 'endToEnd');
const ratio = rate('bus') / rate('headers');
const ratioToBare = rate('bus') / rate('bare');
console.log(
  `KafkaBus ${format(rate('bus'))} msg/s; kafkajs with the same records ${format(rate('headers'))} msg/s ` +
    `(ratio ${ratio.toFixed(2)}, target ≥ 0.80); kafkajs without headers ${format(rate('bare'))} msg/s ` +
    `(ratio ${ratioToBare.toFixed(2)})`,
);

const row = (name, versus) =>
  `| ${variants[name].label} | ${format(rate(name))} | ${format(best(results[name], 'publishOnly'))} | ${versus} |`;
const section = `<!-- bench:bus -->
## Bus throughput

End to end through a real Kafka broker: ${format(MESSAGES)} records of 1 KB with ${format(KEYS)} keys, published
in batches of ${format(PUBLISH_BATCH)} and consumed from a fresh ${PARTITIONS}-partition topic by a fresh group,
${PARTITIONS_CONSUMED_CONCURRENTLY} partitions handled at a time; the clock runs from the first publish to the last
record handled. Best of ${ROUNDS} alternating runs. \`npm run build && node tools/bench-bus.mjs\`

| | end to end (msg/s) | publishing alone (msg/s) | KafkaBus ÷ this |
| --- | ---: | ---: | ---: |
${row('headers', `**${ratio.toFixed(2)}** (target ≥ 0.80)`)}
${row('bare', ratioToBare.toFixed(2))}
${row('bus', '')}

- kafkajs: a plain producer (acks=all) and consumer (commit after each batch), no framework. "The
  same records" carry the five standard headers the bus puts on every record.
- KafkaBus: idempotent producer, acks=all; the handler gets batches of one partition, their
  offsets committed once the handler resolved, a group's together at most once a second.

kafkajs encodes a record with five headers about three times slower than one without (it
allocates a 512-byte encoder per header), which is what the no-headers row shows.

Load average at the end of the run: ${os.loadavg()[0].toFixed(1)}${os.loadavg()[0] > os.cpus().length ? '; other work ran on the machine in parallel' : ''}.
Machine: ${machine()}, kafkajs ${require('kafkajs/package.json').version}; broker on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:bus -->`;

await writeBenchmarkSection('bus', section);
