// The tickets service under load, built code on a real broker and Postgres:
// 1. decisions persisted per second: N RoutingDecisions (each a new ticket with its customer and
//    message) published to support.routing.v1; the clock runs from the first publish until the
//    last message is in Postgres;
// 2. the queue view's latency with 100,000 tickets in the database: GET /api/v1/queue over HTTP
//    as an agent, unfiltered and with filters, sequentially.
// Prints the numbers and rewrites the "Tickets" section of docs/benchmarks.md.
// `npm run build && node tools/bench-tickets.mjs`
//
//   KAFKA_BROKERS            brokers to use (default: the project's local broker, started if need be)
//   DATABASE_URL             Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_TICKETS_DECISIONS  decisions to persist (default 20000)
//   BENCH_TICKETS_QUEUE      tickets in the database for the queue view (default 100000)
//   BENCH_TICKETS_REQUESTS   queue requests per filter (default 300)
import { execFileSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('services/tickets/src/index.js'))) {
  console.error('bench-tickets: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { Kafka, logLevel } = require('kafkajs');
const { KafkaBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const contracts = require(dist('libs/contracts/src/index.js'));
const { startService } = require(dist('libs/runtime/src/index.js'));
const { createTestDatabase } = require(dist('libs/testing/src/index.js'));
const { ticketsService, DEMO_PASSWORD } = require(dist('services/tickets/src/index.js'));

const DECISIONS = Number(process.env.BENCH_TICKETS_DECISIONS ?? 20_000);
const QUEUE_TICKETS = Number(process.env.BENCH_TICKETS_QUEUE ?? 100_000);
const REQUESTS = Number(process.env.BENCH_TICKETS_REQUESTS ?? 300);
const PARTITIONS = 6;
const PUBLISH_BATCH = 1_000;

const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

/** A fresh group reads from the end of the routing topic, not earlier runs' decisions. */
async function startAtEnd(group, topic) {
  const admin = new Kafka({ brokers, clientId: group, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.setOffsets({
    groupId: group,
    topic,
    partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })),
  });
  await admin.disconnect();
}

function decision(n) {
  const ticketId = randomUUID();
  const customerId = `bench-customer-${n % 5_000}`;
  const inboundId = randomUUID();
  const now = new Date();
  const at = (minutes) => contracts.timestampFromDate(new Date(now.getTime() + minutes * 60_000));
  return contracts.create(contracts.RoutingDecisionSchema, {
    decisionId: `decision-${inboundId}`,
    inboundMessageId: inboundId,
    customerId,
    conversationKey: `email:${customerId}:${n}`,
    ticketId,
    // The router numbers tickets; a fresh database, so the bench's own numbers are unique.
    ticketNumber: String(10_001 + n),
    disposition: contracts.TicketDisposition.NEW_TICKET,
    teamId: ['first-line', 'billing', 'technical', 'overflow'][n % 4],
    skillIds: ['general'],
    priority: contracts.Priority.NORMAL,
    firstResponseDueAt: at(240),
    resolutionDueAt: at(2400),
    decidedAt: at(0),
    message: {
      messageId: inboundId,
      channel: contracts.Channel.EMAIL,
      sender: {
        kind: contracts.IdentityKind.EMAIL,
        value: `${customerId}@example.com`,
        displayName: 'Bench Customer',
      },
      conversationKey: `email:${customerId}:${n}`,
      subject: `Question ${n}`,
      textBody: 'Hello, something about my account. '.repeat(8),
      htmlBody: '<p>Hello, <b>something</b> about my account.</p>',
      receivedAt: at(0),
    },
  });
}

const database = await createTestDatabase();
const group = `tickets-bench.${Date.now().toString(36)}`;
const bus = new KafkaBus({ brokers, clientId: group, logger: silentLogger });
await bus.ensureTopics(
  Object.values(contracts.TOPICS).map(({ name, compacted }) => ({
    topic: name,
    partitions: PARTITIONS,
    compacted,
  })),
);
await startAtEnd(group, contracts.TOPICS.routing.name);
// The bench signs in as the demo's agents, so this tickets service seeds the demo.
process.env.FIRSTLINE_DEMO = '1';
const service = await startService(
  { ...ticketsService, name: group },
  {
    bus,
    ownsBus: true,
    databaseUrl: database.url,
    databasePoolSize: 10,
    host: '127.0.0.1',
    logLevel: 'silent',
    partitions: PARTITIONS,
    replicationFactor: 1,
  },
  0,
);
const dataSource = service.app.get(require('typeorm').DataSource);
const count = async (sql) => (await dataSource.query(sql))[0].count;

try {
  // 1. Decisions through the broker into Postgres.
  const publish = (decisions) =>
    bus.publish(
      decisions.map((d) => ({
        topic: contracts.TOPICS.routing.name,
        key: d.ticketId,
        value: contracts.encode(contracts.RoutingDecisionSchema, d),
        headers: {
          messageId: d.decisionId,
          type: contracts.messageType(contracts.RoutingDecisionSchema),
        },
      })),
    );
  const decisions = Array.from({ length: DECISIONS + 1 }, (_, n) => decision(n));
  await publish(decisions.slice(0, 1)); // the consumer has joined its group once this is stored
  while ((await count('SELECT count(*)::int AS count FROM tickets.message')) < 1) {
    await sleep(100);
  }
  const startedAt = performance.now();
  for (let from = 1; from <= DECISIONS; from += PUBLISH_BATCH) {
    await publish(decisions.slice(from, Math.min(from + PUBLISH_BATCH, DECISIONS + 1)));
  }
  while ((await count('SELECT count(*)::int AS count FROM tickets.message')) < DECISIONS + 1) {
    await sleep(100);
  }
  const decisionsPerSecond = Math.round(DECISIONS / ((performance.now() - startedAt) / 1000));
  console.log(`decisions persisted: ${decisionsPerSecond.toLocaleString('en-US')}/s`);

  // 2. The queue view with QUEUE_TICKETS tickets: the rest are written in bulk with SQL.
  const missing =
    QUEUE_TICKETS - (await count('SELECT count(*)::int AS count FROM tickets.ticket'));
  await dataSource.query(
    `INSERT INTO tickets.ticket (id, number, customer_id, conversation_key, channel, recipient,
       subject, status, priority, team_id, assignee_id, tags, due_at, yellow_at,
       first_response_due_at, created_at)
     SELECT gen_random_uuid()::text, $2::bigint + n, 'bench-customer-' || (n % 5000), 'bulk:' || n,
       1 + n % 4,
       '{"kind":1,"value":"bulk@example.com","displayName":""}', 'Bulk ' || n,
       (ARRAY['new','open','pending','resolved','closed'])[1 + n % 5], 1 + n % 4,
       (ARRAY['first-line','billing','technical','overflow'])[1 + n % 4],
       CASE WHEN n % 3 = 0 THEN (ARRAY['ann','bill','tess'])[1 + n % 3] END,
       -- 7 is coprime with the team (4) and status (5) cycles, so filters combine as in life
       CASE WHEN n % 7 = 0 THEN ARRAY['vip'] ELSE '{}' END,
       now() + (n % 2000 - 500) * interval '1 minute',
       now() + (n % 2000 - 800) * interval '1 minute',
       now() + (n % 2000 - 500) * interval '1 minute',
       now() - (n % 5000) * interval '1 minute'
     FROM generate_series(1, $1) AS n`,
    // Numbered after the decisions' numbers, as the router would go on.
    [missing, 10_001 + DECISIONS],
  );
  await dataSource.query('ANALYZE tickets.ticket');
  const login = await globalThis.fetch(`${service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'ann@firstline.example', password: DEMO_PASSWORD }),
  });
  const { token } = await login.json();
  const queries = {
    "my teams' unassigned": 'view=team',
    mine: 'view=mine',
    'red zone, email': 'view=team&zone=red&channel=email',
    'tag vip, status open': 'view=team&tag=vip&status=open',
  };
  const latencies = {};
  for (const [name, query] of Object.entries(queries)) {
    const samples = [];
    for (let i = 0; i < REQUESTS + 20; i += 1) {
      const started = performance.now();
      const response = await globalThis.fetch(`${service.url}/api/v1/queue?${query}&limit=50`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await response.json();
      if (response.status !== 200) throw new Error(`queue answered ${response.status}`);
      if (i >= 20) samples.push(performance.now() - started); // the first ones warm up
    }
    samples.sort((a, b) => a - b);
    const at = (p) => samples[Math.min(samples.length - 1, Math.floor(samples.length * p))];
    latencies[name] = { p50: at(0.5), p99: at(0.99) };
    console.log(`queue ${name}: p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`);
  }
  const total = await count('SELECT count(*)::int AS count FROM tickets.ticket');

  const ms = (value) => value.toFixed(1);
  const worstP99 = Math.max(...Object.values(latencies).map((l) => l.p99));
  const section = `<!-- bench:tickets -->
## Tickets

The tickets service as built, on a real broker and Postgres. \`npm run build && node tools/bench-tickets.mjs\`

| | measured | target |
| --- | ---: | ---: |
| RoutingDecisions persisted (ticket, customer, message, events, outbox) | **${decisionsPerSecond.toLocaleString('en-US')}/s** | ≥ 2,000/s |
| Queue view p99, ${total.toLocaleString('en-US')} tickets, worst of the filters below | **${ms(worstP99)} ms** | < 50 ms |

| queue view (50 a page, over HTTP with the agent's token) | p50 (ms) | p99 (ms) |
| --- | ---: | ---: |
${Object.entries(latencies)
  .map(([name, { p50, p99 }]) => `| ${name} | ${ms(p50)} | ${ms(p99)} |`)
  .join('\n')}

- Decisions: ${DECISIONS.toLocaleString('en-US')} new tickets published to a ${PARTITIONS}-partition
  support.routing.v1 in batches of ${PUBLISH_BATCH.toLocaleString('en-US')}; the clock runs from the first publish to the last message
  stored. Each batch is one transaction: claim, customer, ticket, message, events and their outbox rows.
- Queue: ${REQUESTS} sequential requests per filter after 20 to warm up; the tickets beyond the decisions are
  inserted with SQL, spread over four teams, five statuses and due times around now.

Machine: ${machine()}; broker and Postgres on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:tickets -->`;

  await writeBenchmarkSection('tickets', section);
} finally {
  await service.stop();
  await database.drop();
}
