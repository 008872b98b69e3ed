// Router decisions through the real broker with the router's Postgres state: one router instance
// (the built service in a process of its own, as in production) on a fresh database, its own
// consumer group starting at the topics' end. One team of 50 agents, all online. Three runs:
//   throughput  N inbound messages (M conversations, 5 messages each) published at once; decisions
//               per second from the first publish to the last decision seen on support.routing.v1;
//               the conversations fill every agent's 5 slots per channel exactly;
//   latency, assigned  messages offered at a steady RATE for a few seconds, each a new
//               conversation, after the agents' capacity was raised so that every one of them is
//               assigned on arrival: each decision locks the team's agent rows and counts their
//               load (the path that keeps two routers from filling one agent's last slot); per
//               message, the time from publishing it to seeing its decision, p50 and p99;
//   latency, queued    the same after the capacity went back to 5: every agent full, so every new
//               ticket queues after a glance at the agents without locks; the baseline.
// Each latency run counts the decisions that name an agent, so the label says what was measured.
// Prints the numbers and rewrites the "Router decisions" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-router.mjs`.
//
//   KAFKA_BROKERS / DATABASE_URL   as for the tests (default: local broker, local Postgres)
//   BENCH_ROUTER_MESSAGES          messages of the throughput run (default 5000)
//   BENCH_ROUTER_RATE              messages per second offered in the latency runs (default 1000)
//   BENCH_ROUTER_SECONDS           length of each latency run (default 10)
//   BENCH_ROUTER_PROFILE           a directory: the router process writes a CPU profile there
import { execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
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
/** Tickets per channel an agent takes at once, outside the assigned latency run. */
const SLOTS = 5;
const TICK_MS = 100;
const CHANNELS = [
  [contracts.Channel.EMAIL, contracts.IdentityKind.EMAIL],
  [contracts.Channel.TELEGRAM, contracts.IdentityKind.TELEGRAM_USER],
  [contracts.Channel.VK, contracts.IdentityKind.VK_USER],
  [contracts.Channel.WEBFORM, contracts.IdentityKind.WEBFORM_EMAIL],
];

const run = `bench-${Date.now().toString(36)}`;
const group = `router-${run}`;
const TEAM = `${run}-team`;
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
/** Inbound message ids whose decision assigned the ticket to an agent. */
const assignedOnArrival = new Set();
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
      if (decision.assignedAgentId) assignedOnArrival.add(decision.inboundMessageId);
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

  // Room on arrival for every message of the next run: its tickets spread evenly over the
  // channels, and the agent with the most room takes each.
  const latencyMessages = Math.round((RATE * TICK_MS) / 1000) * ((SECONDS * 1000) / TICK_MS);
  const raisedCapacity = SLOTS + Math.ceil(latencyMessages / CHANNELS.length / AGENTS) + 1;
  await publishAgents(2, raisedCapacity);
  const assigned = await latencyRun('assigned');
  // Back to 5 slots a channel, all taken: every ticket of the next run queues.
  await publishAgents(3, SLOTS);
  const queued = await latencyRun('queued');
  const result = { throughput, raisedCapacity, assigned, queued };
  console.log(JSON.stringify(result));
  await writeSection(result);
} finally {
  await retractRuleSet();
  router.send('stop');
  await once(router, 'exit');
  await observer.stop();
  await publisher.stop();
  await database.drop();
}

/**
 * Messages offered at RATE for SECONDS, each a new conversation; per message, publish → decision
 * seen on the topic, and publish → the decision's decided_at; how many were assigned on arrival.
 */
async function latencyRun(kind) {
  const offeredAt = new Map();
  const offeredWallClock = new Map();
  const perTick = Math.round((RATE * TICK_MS) / 1000);
  const startedAt = performance.now();
  for (let t = 0; t < (SECONDS * 1000) / TICK_MS; t += 1) {
    const batch = Array.from({ length: perTick }, (_, i) => inbound(kind, t * perTick + i, 0));
    const publishedAt = performance.now();
    const publishedAtWallClock = Date.now();
    await publishInbound(batch);
    for (const message of batch) {
      offeredAt.set(message.messageId, publishedAt);
      offeredWallClock.set(message.messageId, publishedAtWallClock);
    }
    const next = startedAt + (t + 1) * TICK_MS;
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
    p50: p(latencies, 0.5),
    p99: p(latencies, 0.99),
    decidedP50: p(toDecision, 0.5),
    decidedP99: p(toDecision, 0.99),
    offered: latencies.length,
    assigned: [...offeredAt.keys()].filter((id) => assignedOnArrival.has(id)).length,
  };
  console.log(
    `latency (${kind}) at ${format(RATE)} msg/s offered for ${SECONDS} s: p50 ${format(result.p50)} ms, p99 ${format(result.p99)} ms` +
      ` (publish → decided: p50 ${format(result.decidedP50)} ms, p99 ${format(result.decidedP99)} ms);` +
      ` ${format(result.assigned)} of ${format(result.offered)} assigned on arrival`,
  );
  return result;
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

/** A rule set sending everything to one team of AGENTS agents, all online, SLOTS per channel. */
async function publishDirectory() {
  const ruleSet = contracts.create(contracts.DirectoryRecordSchema, {
    kind: contracts.DirectoryKind.RULE_SET,
    id: 'default',
    // Above what tests publish on the shared topic meanwhile; retracted when the bench ends.
    version: 1_000_000,
    payload: { case: 'ruleSet', value: { version: 1_000_000, fallback: { teamId: TEAM } } },
  });
  await publishDirectoryRecords([ruleSet], 1);
  await publishAgents(1, SLOTS);
}

/** The team's agents at this record version, with `capacity` tickets per channel each. */
async function publishAgents(version, capacity) {
  const agents = Array.from({ length: AGENTS }, (_, index) =>
    contracts.create(contracts.DirectoryRecordSchema, {
      kind: contracts.DirectoryKind.AGENT,
      id: `${run}-agent-${index}`,
      version,
      payload: {
        case: 'agent',
        value: {
          id: `${run}-agent-${index}`,
          teamIds: [TEAM],
          presence: contracts.Presence.ONLINE,
          active: true,
          capacity: CHANNELS.map(([channel]) => ({ channel, maxConcurrent: capacity })),
        },
      },
    }),
  );
  await publishDirectoryRecords(agents, version);
}

/** Publishes the records and gives the router a moment to take them in. */
async function publishDirectoryRecords(records, version) {
  await publisher.publish(
    records.map((record) => ({
      topic: TOPICS.directory.name,
      key: contracts.directoryKey(record.kind, record.id),
      value: contracts.encode(contracts.DirectoryRecordSchema, record),
      headers: {
        messageId: `${run}:directory:${record.id}:${version}`,
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

async function writeSection({ throughput, raisedCapacity, assigned, queued }) {
  const missedLatency =
    throughput < RATE
      ? `The p99 target is not met in this run: the router decided fewer messages a second than the
latency runs offered (the throughput row), so their latency is mostly the backlog's waiting.

`
      : `The p99 target is not met in this run; where the time goes: docs/adr/0005-router.md,
"Consequences".

`;
  const row = (label, run) =>
    `| ${label}: p50 / p99, publish → decision on the topic | ${format(run.p50)} / **${format(run.p99)}** ms |`;
  const section = `<!-- bench:router -->
## Router decisions

One router instance, in a process of its own, through the real broker, its state in Postgres (a
fresh database), its own consumer group: identity, threading, classification, SLA and assignment
for every message, the records of each fetch (all partitions) decided in one transaction with
their claims and outbox rows, and published by the relay. One team of ${AGENTS} agents, all online.
\`npm run build && node tools/bench-router.mjs\`; the bus baseline is "Bus throughput" above, from the
same \`npm run bench\`.

| | result | target |
| --- | ---: | ---: |
| decisions/s, ${format(MESSAGES)} messages in ${format(MESSAGES / PER_CONVERSATION)} conversations published at once (first publish → last decision on \`support.routing.v1\`); the conversations take every agent's ${SLOTS} slots per channel | ${format(throughput)} | ≥ 2,000 |
${row(`**with assignment**: ${format(RATE)} msg/s offered for ${SECONDS} s, each a new ticket; ${format(assigned.assigned)} of ${format(assigned.offered)} assigned on arrival (capacity raised to ${raisedCapacity} per channel first)`, assigned)} < 100 ms |
| of which publish → decided (the decision's \`decided_at\`), p50 / p99 | ${format(assigned.decidedP50)} / ${format(assigned.decidedP99)} ms | |
${row(`baseline, every agent full: the same after capacity went back to ${SLOTS}; ${format(queued.assigned)} of ${format(queued.offered)} assigned on arrival, the rest queue`, queued)} |
| of which publish → decided, p50 / p99 | ${format(queued.decidedP50)} / ${format(queued.decidedP99)} ms | |

A ticket assigned on arrival locks the team's ${AGENTS} agent rows in id order and counts their open
tickets in the same transaction (what keeps two routers from filling one agent's last slot); with
every agent full the router settles it with a glance at the agents, without locks, and the ticket
queues. Load average at the end of the run: ${os.loadavg()[0].toFixed(1)}; other work ran on the
machine in parallel.

${assigned.p99 < 100 ? '' : missedLatency}Machine: ${machine()}; broker and Postgres on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:router -->`;
  await writeBenchmarkSection('router', section);
}
