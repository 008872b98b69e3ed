// Throughput of the web-form channel's intake: form submissions over HTTP (JSON, the widget's
// path without files), each answered only after Kafka acknowledged its InboundMessage (acks=all)
// and its row is in Postgres, measured with autocannon. Every request has its own idempotency key
// and email, so each is a new submission. The service runs the built code in a child process
// (autocannon must not share its event loop) with the production rate limits, behind one trusted
// proxy hop: the requests come from many client addresses (X-Forwarded-For), 10 submissions per
// address. It publishes to a fresh topic instead of support.inbound.v1, so nothing downstream
// sees the load; its consumers stay off. Afterwards the topic is read back: every accepted
// submission must be on it exactly once.
// Prints the rate and p99 and rewrites the "Web forms" section of docs/benchmarks.md.
// `npm run build && node tools/bench-webform.mjs`
//
//   KAFKA_BROKERS              brokers to use (default: the project's local broker, started if need be)
//   DATABASE_URL               Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_WEBFORM_SECONDS      length of the measured run (default 20)
//   BENCH_WEBFORM_CONNECTIONS  concurrent HTTP connections (default 64)
//   BENCH_WEBFORM_REPLICAS     service processes the connections are spread over (default 1)
//   BENCH_WEBFORM_NODE_ARGS    extra node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';
import {
  brokersForBench,
  cpuSeconds,
  duplicatesAmong,
  recordsOn,
  spawnService,
  stopService,
} from './bench-support.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist/services/channel-webform/src/index.js'))) {
  console.error('bench-webform: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const PARTITIONS = 6;
/** Submissions from one client address; the production limit is 30 per 10 minutes. */
const PER_ADDRESS = 10;

await measure();

/** Starts the service, loads it with autocannon, checks every accepted submission was published once. */
async function measure() {
  const autocannon = require('autocannon');
  const { createTestDatabase } = require(join(root, 'dist/libs/testing/src/index.js'));
  const SECONDS = Number(process.env.BENCH_WEBFORM_SECONDS ?? 20);
  const CONNECTIONS = Number(process.env.BENCH_WEBFORM_CONNECTIONS ?? 64);
  // Replicas of the service on this machine, each its own process: how the channel scales.
  const REPLICAS = Number(process.env.BENCH_WEBFORM_REPLICAS ?? 1);
  const NODE_ARGS = (process.env.BENCH_WEBFORM_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const TARGET_RATE = 3_000;
  const TARGET_P99_MS = 50;

  const brokers = brokersForBench();
  const database = await createTestDatabase();
  const topic = `bench.webform.${Date.now().toString(36)}`;
  const services = [];
  // The production rate limits, behind one proxy hop whose X-Forwarded-For the service trusts.
  const env = { WEBFORM_TRUSTED_PROXY_HOPS: '1' };
  const limits = rateLimitsOf({ ...process.env, ...env });
  for (let replica = 0; replica < REPLICAS; replica += 1) {
    services.push(
      await spawnService({
        module: 'services/channel-webform/src/index.js',
        exportName: 'channelWebformService',
        brokers,
        databaseUrl: database.url,
        topics: { 'support.inbound.v1': topic },
        env,
        nodeArgs: NODE_ARGS,
      }),
    );
  }
  const urls = services.map(({ url }) => `${url}/webform/forms/contact/submissions`);
  const serviceCpu = () => services.reduce((sum, { child }) => sum + cpuSeconds(child.pid), 0);

  /** The message ids the service answered 201 with: the submissions it accepted. */
  const accepted = new Set();
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
                'x-forwarded-for': clientAddress(Math.floor(n / PER_ADDRESS)),
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
          onResponse: (status, body) => {
            if (status === 201) accepted.add(JSON.parse(body).messageId);
          },
        },
      ],
    });

  try {
    const warmUp = await load(3); // connections, JIT, the producer
    const cpuBefore = serviceCpu();
    const result = await load(SECONDS);
    // The service's own CPU per submission: what one core sustains, whatever else the machine runs.
    const cpuMicros = Math.round(((serviceCpu() - cpuBefore) * 1e6) / result['2xx']);
    const refused = warmUp.non2xx + warmUp.errors + result.non2xx + result.errors;
    const records = await recordsOn(brokers, topic);
    const onTopic = new Set(records.map((record) => record.messageId));
    const lost = [...accepted].filter((id) => !onTopic.has(id)).length;
    const duplicated = duplicatesAmong(records);
    // Answered after autocannon stopped listening: published, never counted as accepted.
    const unanswered = [...onTopic].filter((id) => !accepted.has(id)).length;
    const rate = Math.round(result['2xx'] / SECONDS);
    const p99 = result.latency.p99;
    const format = (value) => value.toLocaleString('en-US');
    const exactlyOnce = lost === 0 && duplicated === 0;
    const verdict =
      (rate >= TARGET_RATE && p99 < TARGET_P99_MS
        ? `meets ≥ ${format(TARGET_RATE)}/s with p99 < ${TARGET_P99_MS} ms`
        : `**below** ≥ ${format(TARGET_RATE)}/s with p99 < ${TARGET_P99_MS} ms`) +
      (exactlyOnce
        ? '; every accepted submission was published exactly once'
        : '; **not** every accepted submission was published exactly once');
    console.log(
      `Web forms: ${format(rate)} accepted submissions/s, p50 ${result.latency.p50} ms, ` +
        `p99 ${p99} ms (${CONNECTIONS} connections, ${SECONDS} s; ${format(accepted.size)} accepted with the warm-up, ` +
        `${format(refused)} refused or failed; on the topic ${format(records.length)} records: ${lost} accepted missing, ` +
        `${duplicated} duplicated, ${unanswered} answered after the load stopped); service CPU ${cpuMicros} µs per submission`,
    );
    const section = `<!-- bench:webform -->
## Web forms

Form submissions over HTTP into the web-form channel (\`POST /webform/forms/contact/submissions\`,
JSON, every request a new submission with its own idempotency key and email), each answered after
its row is in Postgres and Kafka acknowledged its \`InboundMessage\` (acks=all), measured with
autocannon: ${CONNECTIONS} connections for ${SECONDS} s after a 3 s warm-up. The service runs the
built code in its own process and publishes to a fresh ${PARTITIONS}-partition topic. Rate limits
as in production (${limits}), behind one trusted proxy hop: the requests come from
${format(Math.ceil(n / PER_ADDRESS))} client addresses (X-Forwarded-For), ${PER_ADDRESS} submissions
each. Afterwards the topic is read back from the start.
\`npm run build && node tools/bench-webform.mjs\`

| | value | target |
| --- | ---: | --- |
| accepted submissions/s | ${format(rate)} | ≥ ${format(TARGET_RATE)} |
| latency p50 | ${result.latency.p50} ms | |
| latency p99 | ${p99} ms | < ${TARGET_P99_MS} ms |
| refused or failed (warm-up included) | ${format(refused)} | 0 |
| accepted (warm-up included) / of them found on the topic | ${format(accepted.size)} / ${format(accepted.size - lost)} | all |
| records on the topic twice | ${format(duplicated)} | 0 |
| service CPU per submission | ${cpuMicros} µs | |

Verdict: ${verdict}. ${unanswered === 0 ? 'No record on the topic lacks its 201.' : `${format(unanswered)} records on the topic were answered after autocannon stopped listening (requests in flight at the end), so they never counted as accepted.`}
Requests that arrive while a round is being written go together in the next
one (one statement inserting conversations and submissions, one publish; two rounds overlap), so
the rate is bounded by the service's CPU, not by round trips: at ${cpuMicros} µs per submission one
core sustains about ${format(Math.round(1e6 / cpuMicros / 100) * 100)}/s, and replicas add to it
(rate limits are per replica). Load average at the end of the run: ${os.loadavg()[0].toFixed(1)};
other work ran on the machine in parallel and competes for the same cores.

Machine: ${machine()}; broker, Postgres and the load generator on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:webform -->`;
    await writeBenchmarkSection('webform', section);
    if (!exactlyOnce) process.exitCode = 1;
  } finally {
    await Promise.all(services.map(stopService));
    await database.drop();
  }
}

/** The n-th client address, 10.0.0.0/8 counted up: distinct for 16 million clients. */
function clientAddress(n) {
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

/** The rate limits the service starts with in `env`, in words, read by its own configuration. */
function rateLimitsOf(env) {
  const { parseWebformConfig } = require(join(root, 'dist/services/channel-webform/src/config.js'));
  const { rateLimits } = parseWebformConfig(env);
  return `${rateLimits.perIp} submissions per address and ${rateLimits.perEmail} per email in ${rateLimits.windowMs / 60_000} minutes`;
}
