// End to end through every service (the harness of `npm run pipeline`): two router and two
// tickets replicas and the four adapters, each its own process, on the harness's own broker and
// Postgres, customers writing through every channel's entry point and agents answering over
// the API. Three measurements in one run:
//   baseline    plain kafkajs on the same broker: records produced and consumed per second;
//   throughput  PIPELINE_BENCH_MESSAGES offered at PIPELINE_BENCH_BURST_RATE; messages per
//               second from the first send to the last one stored, assigned and pushed to an
//               agent's WebSocket;
//   latency     PIPELINE_BENCH_RATE messages per second for PIPELINE_BENCH_SECONDS: p50/p99 of
//               customer → agent's screen and of agent's reply → the fake channel; CPU and RSS.
// Prints the numbers and rewrites the "End to end" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-pipeline.mjs`.
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const harness = join(root, 'dist/libs/testing/src/harness/index.js');
if (!existsSync(harness)) {
  console.error(`bench-pipeline: ${harness} is missing; run \`npm run build\` first`);
  process.exit(1);
}
const { runPipeline, HARNESS_PORTS } = require(harness);
const { Kafka, logLevel } = require('kafkajs');

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const MESSAGES = Number(process.env.PIPELINE_BENCH_MESSAGES ?? 20_000);
const BURST_RATE = Number(process.env.PIPELINE_BENCH_BURST_RATE ?? 3_000);
const RATE = Number(process.env.PIPELINE_BENCH_RATE ?? 500);
const SECONDS = Number(process.env.PIPELINE_BENCH_SECONDS ?? 20);
const BASELINE_RECORDS = 50_000;
const MB = 1024 * 1024;

/** Plain kafkajs, no framework: 1 KB records with 1,000 keys through a fresh 6-partition topic. */
async function kafkajsBaseline(brokers) {
  const kafka = new Kafka({ brokers, clientId: 'bench-baseline', logLevel: logLevel.NOTHING });
  const topic = `bench-baseline-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  // A broker that has just started may not have elected the leaders yet.
  for (let attempt = 1; ; attempt += 1) {
    try {
      await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
      break;
    } catch (error) {
      if (attempt === 10) throw error;
      await sleep(1_000);
    }
  }
  await admin.disconnect();
  const producer = kafka.producer();
  const consumer = kafka.consumer({ groupId: topic });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  let consumed = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachBatch: async ({ batch }) => {
      consumed += batch.messages.length;
      if (consumed >= BASELINE_RECORDS) done();
    },
  });
  const value = Buffer.alloc(1024, 'x');
  const started = performance.now();
  for (let sent = 0; sent < BASELINE_RECORDS; sent += 1_000) {
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: 1_000 }, (_, i) => ({ key: `k${(sent + i) % 1_000}`, value })),
    });
  }
  await finished;
  const perSecond = BASELINE_RECORDS / ((performance.now() - started) / 1000);
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  return perSecond;
}

const brokers = [`127.0.0.1:${HARNESS_PORTS.kafka}`];
execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], {
  env: { ...process.env, KAFKA_PORT: String(HARNESS_PORTS.kafka) },
  stdio: 'inherit',
});
const baseline = await kafkajsBaseline(brokers);
console.log(`bench-pipeline: kafkajs baseline ${Math.round(baseline)} records/s`);

const throughput = await runPipeline({ messages: MESSAGES, rate: BURST_RATE, agents: 4 });
const sustained = throughput.reconciliation.stored / throughput.endToEndSeconds;
console.log(
  `bench-pipeline: ${throughput.reconciliation.stored} messages stored and pushed in ${throughput.endToEndSeconds.toFixed(1)} s: ${Math.round(sustained)}/s`,
);

const latency = await runPipeline({ messages: RATE * SECONDS, rate: RATE, agents: 4 });
const { toAgent, toCustomer } = latency;
console.log(
  `bench-pipeline: at ${RATE}/s customer → agent p50 ${toAgent.p50} ms, p99 ${toAgent.p99} ms; reply → customer p50 ${toCustomer.p50} ms, p99 ${toCustomer.p99} ms`,
);

const count = (n) => Math.round(n).toLocaleString('en-US');
const meets = (ok) => (ok ? 'meets' : '**missed**');
// The services' own: the harness (customers, agents and fakes) is the load, not Firstline.
const services = Object.entries(latency.resources).filter(([name]) => !name.startsWith('harness'));
const worstRss = Math.max(...services.map(([, used]) => used.maxRssBytes)) / MB;
const rows = Object.entries(latency.resources).map(
  ([name, used]) =>
    `| ${name} | ${used.cpuSeconds.toFixed(1)} | ${Math.round(used.maxRssBytes / MB)} |`,
);

await writeBenchmarkSection(
  'pipeline',
  `<!-- bench:pipeline -->

## End to end

Every service in its own process, as in production: two router and two tickets replicas and the
four channel adapters, on a broker and a Postgres cluster of their own (Debian's PostgreSQL,
started by \`deploy/local/postgres.sh\`), fakes for Telegram and VK and GreenMail for email, all on
this one machine with the load generator. Customers write through every entry point (web-form
posts, SMTP, Telegram webhook posts and long-polled updates, VK callbacks; 25/30/30/15 %
web form/Telegram/VK/email), several messages each; four agents with the console's WebSocket open
answer each ticket they get over the REST API and resolve it. A message counts when it is stored,
its ticket assigned and both pushed to an agent's WebSocket. \`npm run build && node
tools/bench-pipeline.mjs\` (the harness of \`npm run pipeline\`).

|                                                                                                               |                       result | target                      |
| ------------------------------------------------------------------------------------------------------------- | ---------------------------: | --------------------------- |
| sustained throughput, ${count(MESSAGES)} messages offered at ${count(BURST_RATE)}/s: send → stored, assigned, pushed | ${count(sustained)} msg/s | ≥ 2,000 msg/s: ${meets(sustained >= 2000)} |
| customer → agent's screen at ${count(RATE)} msg/s for ${SECONDS} s, p50                                       |                ${toAgent.p50} ms |                             |
| customer → agent's screen, same run, p99                                                                      |                ${toAgent.p99} ms | ≤ 250 ms: ${meets(toAgent.p99 <= 250)} |
| agent's reply → the fake Telegram or VK API received it, same run, p50 / p99                                  | ${toCustomer.p50} / ${toCustomer.p99} ms |                             |
| highest RSS of any service, same run                                                                          |          ${Math.round(worstRss)} MB | ≤ 200 MB: ${meets(worstRss <= 200)} |
| baseline: plain kafkajs on the same broker, ${count(BASELINE_RECORDS)} records of 1 KB produced and consumed   |  ${count(baseline)} records/s |                             |

| service (at ${count(RATE)} msg/s) | CPU seconds, from the first send to the last reply delivered | highest RSS (MB) |
| --- | ---: | ---: |
${rows.join('\n')}

${
  sustained < RATE
    ? `The pipeline as a whole keeps about ${count(sustained)} messages a second on this machine (ten Node processes, the broker, Postgres, GreenMail and the load generator on two cores), where router and tickets alone each decide or store thousands a second (sections above). At ${count(RATE)} messages a second the rest queue, so that run's latencies are mostly waiting in line.\n\n`
    : ''
}Throughput run: ${count(throughput.reconciliation.accepted)} accepted, ${count(throughput.reconciliation.stored)} stored, ${throughput.reconciliation.lost} lost, ${throughput.reconciliation.duplicated} duplicated; the sends took ${throughput.sendSeconds.toFixed(1)} s (each customer waits for one send before the next). The harness's own event loop (customers, agents and fakes in one process) ran late by up to ${Math.round(latency.harnessLoopDelayP99Ms)} ms (p99) in the latency run.

Machine: ${machine()}; broker, Postgres, GreenMail and the load generator on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:pipeline -->`,
);
