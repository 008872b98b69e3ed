// Throughput of the web-form channel's intake: form submissions over HTTP (JSON, the widget's
// path without files), each answered only after Kafka acknowledged its InboundMessage (acks=all)
// and its row is in Postgres, measured with autocannon. Every request has its own idempotency key
// and email, so each is a new submission. The service runs the built code in a child process
// (autocannon must not share its event loop) and publishes to a fresh topic instead of
// support.inbound.v1, so nothing downstream sees the load; its consumers stay off.
// Prints the rate and p99 and rewrites the "Web forms" section of docs/benchmarks.md.
// `npm run build && node tools/bench-webform.mjs`
//
//   KAFKA_BROKERS              brokers to use (default: the project's local broker, started if need be)
//   DATABASE_URL               Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_WEBFORM_SECONDS      length of the measured run (default 20)
//   BENCH_WEBFORM_CONNECTIONS  concurrent HTTP connections (default 64)
//   BENCH_WEBFORM_REPLICAS     service processes the connections are spread over (default 1)
//   BENCH_WEBFORM_NODE_ARGS    extra node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('services/channel-webform/src/index.js'))) {
  console.error('bench-webform: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const PARTITIONS = 6;

if (process.argv[2] === 'serve') await serve();
else await measure();

/** The child: the channel-webform service on the broker, publishing to the bench's topic. */
async function serve() {
  require('reflect-metadata');
  const { KafkaBus, silentLogger } = require(dist('libs/bus/src/index.js'));
  const { startService } = require(dist('libs/runtime/src/index.js'));
  const { channelWebformService } = require(dist('services/channel-webform/src/index.js'));
  const [, , , databaseUrl, topic] = process.argv;
  const kafka = new KafkaBus({
    brokers: process.env.KAFKA_BROKERS.split(','),
    clientId: 'bench-webform',
    logger: silentLogger,
  });
  await kafka.ensureTopics([{ topic, partitions: PARTITIONS }]);
  const bus = {
    ensureTopics: (topics) => kafka.ensureTopics(topics),
    publish: (records) =>
      kafka.publish(
        records.map((record) =>
          record.topic === 'support.inbound.v1' ? { ...record, topic } : record,
        ),
      ),
    // The bench measures intake only: the status-page projection's consumers stay off.
    subscribe: async () => {},
    unsubscribe: async () => {},
    start: () => kafka.start(),
    stop: () => kafka.stop(),
    health: () => kafka.health(),
    lag: async () => [],
  };
  const service = await startService(
    { ...channelWebformService, name: `bench-webform.${Date.now().toString(36)}` },
    {
      bus,
      ownsBus: true,
      databaseUrl,
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

/** The parent: starts the child, loads it with autocannon, checks every answer was published. */
async function measure() {
  const autocannon = require('autocannon');
  const { Kafka, logLevel } = require('kafkajs');
  const { createTestDatabase } = require(dist('libs/testing/src/index.js'));
  const SECONDS = Number(process.env.BENCH_WEBFORM_SECONDS ?? 20);
  const CONNECTIONS = Number(process.env.BENCH_WEBFORM_CONNECTIONS ?? 64);
  // Replicas of the service on this machine, each its own process: how the channel scales.
  const REPLICAS = Number(process.env.BENCH_WEBFORM_REPLICAS ?? 1);
  const NODE_ARGS = (process.env.BENCH_WEBFORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const TARGET_RATE = 3_000;
  const TARGET_P99_MS = 50;

  const brokers = process.env.KAFKA_BROKERS
    ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
    : startLocalKafka();
  const database = await createTestDatabase();
  const topic = `bench.webform.${Date.now().toString(36)}`;
  const children = Array.from({ length: REPLICAS }, () =>
    spawn(
      process.execPath,
      [...NODE_ARGS, fileURLToPath(import.meta.url), 'serve', database.url, topic],
      {
        env: {
          ...process.env,
          KAFKA_BROKERS: brokers.join(','),
          // Every request comes from one address and the limits are not what is measured.
          WEBFORM_RATE_LIMIT_PER_IP: '1000000000',
          WEBFORM_RATE_LIMIT_PER_EMAIL: '1000000000',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    ),
  );
  const urls = await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve, reject) => {
          createInterface({ input: child.stdout }).once('line', (line) =>
            resolve(`${JSON.parse(line).url}/webform/forms/contact/submissions`),
          );
          child.once('exit', (code) =>
            reject(new Error(`bench-webform: the service exited (${code})`)),
          );
        }),
    ),
  );
  const serviceCpu = () => children.reduce((sum, child) => sum + cpuSeconds(child.pid), 0);

  let n = 0;
  const load = (seconds) =>
    autocannon({
      url: urls.length === 1 ? urls[0] : urls,
      connections: CONNECTIONS,
      duration: seconds,
      requests: [
        {
          method: 'POST',
          setupRequest: (request) => {
            n += 1;
            return {
              ...request,
              headers: {
                'content-type': 'application/json',
                accept: 'application/json',
                'idempotency-key': randomUUID(),
              },
              body: JSON.stringify({
                name: 'Bench Customer',
                email: `customer-${n}@example.com`,
                topic: ['question', 'billing', 'bug'][n % 3],
                message: `Where is my order #${n}? It was due yesterday and the tracking page says nothing.`,
                locale: 'en',
              }),
            };
          },
        },
      ],
    });

  try {
    await load(3); // warm-up: connections, JIT, the producer
    const cpuBefore = serviceCpu();
    const result = await load(SECONDS);
    // The service's own CPU per submission: what one core sustains, whatever else the machine runs.
    const cpuMicros = Math.round(((serviceCpu() - cpuBefore) * 1e6) / result['2xx']);
    const accepted = result['2xx'];
    const published = await publishedCount(Kafka, logLevel, brokers, topic);
    const rate = Math.round(accepted / SECONDS);
    const p99 = result.latency.p99;
    const format = (value) => value.toLocaleString('en-US');
    const verdict =
      rate >= TARGET_RATE && p99 < TARGET_P99_MS
        ? `meets ≥ ${format(TARGET_RATE)}/s with p99 < ${TARGET_P99_MS} ms`
        : `**below** ≥ ${format(TARGET_RATE)}/s with p99 < ${TARGET_P99_MS} ms`;
    console.log(
      `Web forms: ${format(rate)} accepted submissions/s, p50 ${result.latency.p50} ms, ` +
        `p99 ${p99} ms (${CONNECTIONS} connections, ${SECONDS} s; ${format(accepted)} accepted, ` +
        `${format(result.non2xx)} refused, ${format(result.errors)} errors, ${format(published)} records on the topic ` +
        `including the warm-up); service CPU ${cpuMicros} µs per submission`,
    );
    const section = `<!-- bench:webform -->
## Web forms

Form submissions over HTTP into the web-form channel (\`POST /webform/forms/contact/submissions\`,
JSON, every request a new submission with its own idempotency key and email), each answered after
its row is in Postgres and Kafka acknowledged its \`InboundMessage\` (acks=all), measured with
autocannon: ${CONNECTIONS} connections for ${SECONDS} s after a 3 s warm-up. The service runs the
built code in its own process and publishes to a fresh ${PARTITIONS}-partition topic.
\`npm run build && node tools/bench-webform.mjs\`

| | value | target |
| --- | ---: | --- |
| accepted submissions/s | ${format(rate)} | ≥ ${format(TARGET_RATE)} |
| latency p50 | ${result.latency.p50} ms | |
| latency p99 | ${p99} ms | < ${TARGET_P99_MS} ms |
| refused or failed | ${format(result.non2xx + result.errors)} | 0 |
| service CPU per submission | ${cpuMicros} µs | |

Verdict: ${verdict}. Requests that arrive while a round is being written go together in the next
one (one statement inserting conversations and submissions, one publish; two rounds overlap), so
the rate is bounded by the service's CPU, not by round trips: at ${cpuMicros} µs per submission one
core sustains about ${format(Math.round(1e6 / cpuMicros / 100) * 100)}/s, and replicas add to it
(rate limits are per replica). ${format(published)} records reached the topic (the warm-up's
included). Load average during the run: ${os.loadavg()[0].toFixed(1)} (other work on the machine
competes for the same cores).

Machine: ${machine()}; broker, Postgres and the load generator on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:webform -->`;
    await writeBenchmarkSection('webform', section);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) => new Promise((resolve) => child.once('exit', resolve))),
    );
    await database.drop();
  }

  function startLocalKafka() {
    execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
    return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
  }
}

/** User and system CPU a process has used so far (Linux). */
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // utime and stime are fields 14 and 15 of the whole line, in clock ticks (100 per second).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function publishedCount(Kafka, logLevel, brokers, topic) {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, { high, low }) => sum + Number(high) - Number(low), 0);
  } finally {
    await admin.disconnect();
  }
}
