// Router decisions through the real broker with the router's Postgres state: one router instance
// (the built service in a process of its own, as in production) on a fresh database, its own
// consumer group starting at the topics' end. Two runs:
//   throughput  N inbound messages (M conversations, 5 messages each) published at once; decisions
//               per second from the first publish to the last decision seen on support.routing.v1;
//   latency     messages offered at a steady RATE for a few seconds; per message, the time from
//               publishing it to seeing its decision on support.routing.v1, p50 and p99.
// Prints the numbers and rewrites the "Router decisions" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-router.mjs`.
//
//   KAFKA_BROKERS / DATABASE_URL   as for the tests (default: local broker, local Postgres)
//   BENCH_ROUTER_MESSAGES          messages of the throughput run (default 5000)
//   BENCH_ROUTER_RATE              messages per second offered in the latency run (default 1000)
//   BENCH_ROUTER_SECONDS           length of the latency run (default 10)
//   BENCH_ROUTER_PROFILE           a directory: the router process writes a CPU profile there
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => {
  const file = join(root, 'dist', path);
  if (!existsSync(file)) {
    console.error(`bench-router: ${file} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  return require(file);
};
const { KafkaBus, silentLogger } = dist('libs/bus/src/index.js');
const contracts = dist('libs/contracts/src/index.js');
const { startService } = dist('libs/runtime/src/index.js');
const { createTestDatabase } = dist('libs/testing/src/index.js');
const { routerService } = dist('services/router/src/index.js');
const { Kafka, logLevel } = require('kafkajs');

// The router instance itself, started by the bench in a child process: its own event loop, as
// in production, not the publisher's and the observer's.
if (process.argv[2] === 'router-instance') {
  const [, , , group, brokerList, databaseUrl] = process.argv;
  const router = await startService(
    { ...routerService, name: group },
    {
      bus: new KafkaBus({ brokers: brokerList.split(','), clientId: group, logger: silentLogger }),
      ownsBus: true,
      databaseUrl,
      databasePoolSize: 10,
      host: '127.0.0.1',
      logLevel: 'silent',
      partitions: 6,
      replicationFactor: 1,
    },
    0,
  );
  process.send('started');
  await once(process, 'message');
  await router.stop();
  process.exit(0);
}

const MESSAGES = Number(process.env.BENCH_ROUTER_MESSAGES ?? 5_000);
const RATE = Number(process.env.BENCH_ROUTER_RATE ?? 1_000);
const SECONDS = Number(process.env.BENCH_ROUTER_SECONDS ?? 10);
const PROFILE = process.env.BENCH_ROUTER_PROFILE;
const PER_CONVERSATION = 5;
const AGENTS = 50;
const CHANNELS = [
  [contracts.Channel.EMAIL, contracts.IdentityKind.EMAIL],
  [contracts.Channel.TELEGRAM, contracts.IdentityKind.TELEGRAM_USER],
  [contracts.Channel.VK, contracts.IdentityKind.VK_USER],
  [contracts.Channel.WEBFORM, contracts.IdentityKind.WEBFORM_EMAIL],
];

const run = `bench-${Date.now().toString(36)}`;
const group = `router-${run}`;
const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();
const database = await createTestDatabase();
const publisher = new KafkaBus({ brokers, clientId: run, logger: silentLogger });
const { TOPICS } = contracts;

await publisher.ensureTopics(
  Object.values(TOPICS).map(({ name, compacted }) => ({ topic: name, partitions: 6, compacted })),
);
const observerGroup = `${run}-observer`;
await startAtEnd(group, [TOPICS.inbound, TOPICS.directory, TOPICS.ticketEvents]);
await startAtEnd(observerGroup, [TOPICS.routing]);

/** Decisions seen on the topic, by inbound message id: when each arrived. */
const seen = new Map();
/** When the router decided, by its clock (the same machine's), by inbound message id. */
const decidedAt = new Map();
const observer = new KafkaBus({ brokers, clientId: `${run}-observer`, logger: silentLogger });
await observer.subscribe({
  group: observerGroup,
  topics: [TOPICS.routing.name],
  handler: async (messages) => {
    const now = performance.now();
    for (const message of messages) {
      const decision = contracts.decode(contracts.RoutingDecisionSchema, message.value);
      if (!decision.inboundMessageId.startsWith(run)) continue;
      seen.set(decision.inboundMessageId, now);
      decidedAt.set(decision.inboundMessageId, contracts.timestampMs(decision.decidedAt));
    }
  },
});
await observer.start();

const router = fork(
  fileURLToPath(import.meta.url),
  ['router-instance', group, brokers.join(','), database.url],
  PROFILE ? { execArgv: ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] } : {},
);
await once(router, 'message');

try {
  await publishDirectory();
  // Warm-up: one message, so that both groups have joined before the clock starts.
  await publishInbound([inbound('warmup', 0, 0)]);
  await until(() => seen.has(`${run}:warmup:0:0`), 60_000);

  const ids = [];
  const messages = [];
  for (let sequence = 0; sequence < PER_CONVERSATION; sequence += 1) {
    for (let conversation = 0; conversation < MESSAGES / PER_CONVERSATION; conversation += 1) {
      messages.push(inbound('throughput', conversation, sequence));
      ids.push(`${run}:throughput:${conversation}:${sequence}`);
    }
  }
  const startedAt = performance.now();
  for (let from = 0; from < messages.length; from += 1_000) {
    await publishInbound(messages.slice(from, from + 1_000));
  }
  await until(() => ids.every((id) => seen.has(id)), 600_000);
  const throughput = Math.round(MESSAGES / ((performance.now() - startedAt) / 1000));
  console.log(`throughput: ${format(MESSAGES)} messages, ${format(throughput)} decisions/s`);

  const offeredAt = new Map();
  const offeredWallClock = new Map();
  const tick = 100;
  const perTick = Math.round((RATE * tick) / 1000);
  const latencyStart = performance.now();
  for (let t = 0; t < (SECONDS * 1000) / tick; t += 1) {
    const batch = Array.from({ length: perTick }, (_, i) => inbound('latency', t * perTick + i, 0));
    const publishedAt = performance.now();
    const publishedAtWallClock = Date.now();
    await publishInbound(batch);
    for (const message of batch) {
      offeredAt.set(message.messageId, publishedAt);
      offeredWallClock.set(message.messageId, publishedAtWallClock);
    }
    const next = latencyStart + (t + 1) * tick;
    await sleep(Math.max(0, next - performance.now()));
  }
  await until(() => [...offeredAt.keys()].every((id) => seen.has(id)), 600_000);
  const latencies = [...offeredAt].map(([id, at]) => seen.get(id) - at).sort((a, b) => a - b);
  const toDecision = [...offeredWallClock]
    .map(([id, at]) => decidedAt.get(id) - at)
    .sort((a, b) => a - b);
  const p = (values, q) =>
    Math.round(values[Math.min(values.length - 1, Math.floor(q * values.length))]);
  const result = {
    throughput,
    p50: p(latencies, 0.5),
    p99: p(latencies, 0.99),
    decidedP50: p(toDecision, 0.5),
    decidedP99: p(toDecision, 0.99),
    offered: latencies.length,
  };
  console.log(
    `latency at ${format(RATE)} msg/s offered for ${SECONDS} s: p50 ${format(result.p50)} ms, p99 ${format(result.p99)} ms` +
      ` (publish → decided: p50 ${format(result.decidedP50)} ms, p99 ${format(result.decidedP99)} ms)`,
  );
  await writeSection(result);
} finally {
  await retractRuleSet();
  router.send('stop');
  await once(router, 'exit');
  await observer.stop();
  await publisher.stop();
  await database.drop();
}

function inbound(kind, conversation, sequence) {
  const [channel, identity] = CHANNELS[conversation % CHANNELS.length];
  return contracts.create(contracts.InboundMessageSchema, {
    messageId: `${run}:${kind}:${conversation}:${sequence}`,
    channel,
    sender: { kind: identity, value: `${kind}-customer-${conversation % 500}-${run}` },
    conversationKey: `${run}:${kind}:${conversation}`,
    textBody: `message ${sequence}: my invoice is wrong`,
    receivedAt: contracts.timestampFromDate(new Date()),
  });
}

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

async function publishInbound(messages) {
  await publisher.publish(
    messages.map((message) => ({
      topic: TOPICS.inbound.name,
      key: message.conversationKey,
      value: contracts.encode(contracts.InboundMessageSchema, message),
      headers: {
        messageId: message.messageId,
        type: contracts.messageType(contracts.InboundMessageSchema),
      },
    })),
  );
}

/** A rule set sending everything to one team of AGENTS agents, all online. */
async function publishDirectory() {
  const team = `${run}-team`;
  const records = [
    {
      kind: contracts.DirectoryKind.RULE_SET,
      id: 'default',
      // Above what tests publish on the shared topic meanwhile; retracted when the bench ends.
      version: 1_000_000,
      payload: { case: 'ruleSet', value: { version: 1_000_000, fallback: { teamId: team } } },
    },
    ...Array.from({ length: AGENTS }, (_, index) => ({
      kind: contracts.DirectoryKind.AGENT,
      id: `${run}-agent-${index}`,
      version: 1,
      payload: {
        case: 'agent',
        value: {
          id: `${run}-agent-${index}`,
          teamIds: [team],
          presence: contracts.Presence.ONLINE,
          active: true,
          capacity: CHANNELS.map(([channel]) => ({ channel, maxConcurrent: 5 })),
        },
      },
    })),
  ].map((fields) => contracts.create(contracts.DirectoryRecordSchema, fields));
  await publisher.publish(
    records.map((record) => ({
      topic: TOPICS.directory.name,
      key: contracts.directoryKey(record.kind, record.id),
      value: contracts.encode(contracts.DirectoryRecordSchema, record),
      headers: {
        messageId: `${run}:directory:${record.id}`,
        type: contracts.messageType(contracts.DirectoryRecordSchema),
      },
    })),
  );
  await sleep(2_000);
}

/** A tombstone for the bench's rule set, so that later readers of the directory do not route by it. */
async function retractRuleSet() {
  const producer = new Kafka({ brokers, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  await producer.send({
    topic: TOPICS.directory.name,
    messages: [
      {
        key: contracts.directoryKey(contracts.DirectoryKind.RULE_SET, 'default'),
        value: null,
        headers: {
          'message-id': `${run}:directory:retract-rule-set`,
          type: contracts.messageType(contracts.DirectoryRecordSchema),
        },
      },
    ],
  });
  await producer.disconnect();
}

/** Commits the group's offsets at the topics' current end: earlier runs' records are not ours. */
async function startAtEnd(groupId, topics) {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  for (const topic of topics) {
    const offsets = await admin.fetchTopicOffsets(topic.name);
    await admin.setOffsets({
      groupId,
      topic: topic.name,
      partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })),
    });
  }
  await admin.disconnect();
}

async function until(condition, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('bench-router: timed out waiting for decisions');
    await sleep(20);
  }
}

function format(n) {
  return n.toLocaleString('en-US');
}

async function writeSection({ throughput, p50, p99, decidedP50, decidedP99, offered }) {
  const missedLatency = `The p99 target is not met in this run; where the time goes: docs/adr/0005-router.md,
"Consequences".

`;
  const section = `<!-- bench:router -->
## Router decisions

One router instance, in a process of its own, through the real broker, its state in Postgres (a
fresh database), its own consumer group: identity, threading, classification, SLA and assignment
for every message, the records of each fetch (all partitions) decided in one transaction with
their claims and outbox rows, and published by the relay. One team of ${AGENTS} agents with 5
tickets per channel each; the rest of the tickets queue.
\`npm run build && node tools/bench-router.mjs\`; the bus baseline is "Bus throughput" above, from the
same \`npm run bench\`.

| | result | target |
| --- | ---: | ---: |
| decisions/s, ${format(MESSAGES)} messages published at once (first publish → last decision on \`support.routing.v1\`) | ${format(throughput)} | ≥ 2,000 |
| p50 decision latency at ${format(RATE)} msg/s offered for ${SECONDS} s (${format(offered)} messages; publish → decision on the topic) | ${format(p50)} ms | |
| p99 decision latency, same run | ${format(p99)} ms | < 100 ms |
| of which publish → decided (the decision's \`decided_at\`), p50 / p99 | ${format(decidedP50)} / ${format(decidedP99)} ms | |

${p99 < 100 ? '' : missedLatency}Machine: ${machine()}; broker and Postgres on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:router -->`;
  await writeBenchmarkSection('router', section);
}
