// Live chat latency through the services as production runs them: router, tickets and
// channel-chat, each a built process of its own (libs/testing's Replica) on the local broker and
// Postgres, sealed to the bench's run. Visitors talk over the widget's WebSocket; an agent keeps
// the console's live socket open and answers over the REST API, as the console does. One visitor
// at a time, so each latency is the path's own, not a queue's:
//   first message → the agent's live socket hears of the new ticket, and → the ticket in the
//     queue listing (what the console does on that push: 50 ms of debounce, then GET /queue);
//   the agent's reply (POST) → the visitor's socket;
//   where the first-message time goes, hop by hop, from the records' Kafka timestamps and
//     produced-at headers;
//   baseline: plain kafkajs on the same broker, one record produced then consumed, one at a time.
// Prints the numbers and rewrites the "Live chat" section of docs/benchmarks.md.
//   idle: CHAT_BENCH_IDLE (default 2,000) visitors' sockets open at once on the chat replica, and
//     its resident memory before and with them.
// `npm run build && node tools/bench-chat.mjs`; CHAT_BENCH_VISITORS (default 60).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';
import { brokersForBench } from './bench-support.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testing = require(join(root, 'dist/libs/testing/src/index.js'));
const { Kafka, logLevel } = require('kafkajs');
const { WebSocket } = require('ws');

const VISITORS = Number(process.env.CHAT_BENCH_VISITORS ?? 60);
const IDLE_CONNECTIONS = Number(process.env.CHAT_BENCH_IDLE ?? 2_000);
const BASELINE_RECORDS = 200;
const MB = 1024 * 1024;
const RUN_HEADER = 'firstline-test-run';
const SECRET = 'chat-bench-secret-of-at-least-32-characters';

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value) => `${Math.round(value)}`;
const p50p99 = (values) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`;

async function until(condition, what, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`bench-chat: no ${what} within ${timeoutMs} ms`);
    await sleep(1);
  }
}

/** A process's resident memory now, from /proc. */
function residentBytes(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
}

/** One record produced, then consumed, BASELINE_RECORDS times: what one Kafka hop costs here. */
async function kafkaHopBaseline(brokers) {
  const kafka = new Kafka({ brokers, clientId: 'bench-chat-baseline', logLevel: logLevel.NOTHING });
  const topic = `bench-chat-baseline-${Date.now().toString(36)}`;
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 6 }] });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true });
  const consumer = kafka.consumer({ groupId: topic });
  await Promise.all([producer.connect(), consumer.connect()]);
  await consumer.subscribe({ topic, fromBeginning: true });
  const arrived = new Map();
  await consumer.run({
    eachMessage: async ({ message }) => arrived.set(message.key.toString(), performance.now()),
  });
  await sleep(3_000); // joined and fetching
  const hops = [];
  for (let n = 0; n < BASELINE_RECORDS; n++) {
    const key = `k${n}`;
    const sent = performance.now();
    await producer.send({ topic, acks: -1, messages: [{ key, value: 'x'.repeat(512) }] });
    await until(() => arrived.has(key), 'baseline record');
    hops.push(arrived.get(key) - sent);
  }
  await Promise.all([producer.disconnect(), consumer.disconnect()]);
  const cleanup = kafka.admin();
  await cleanup.connect();
  await cleanup.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await cleanup.disconnect();
  return hops;
}

/** Every record the run's services put on the topics of the path, with its two timestamps. */
async function observePath(brokers, run) {
  const kafka = new Kafka({ brokers, clientId: 'bench-chat-observer', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-chat-observer-${run}` });
  await consumer.connect();
  const topics = ['support.inbound.v1', 'support.routing.v1', 'support.ticket-events.v1'];
  await consumer.subscribe({ topics, fromBeginning: false });
  const records = [];
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (message.headers?.[RUN_HEADER]?.toString() !== run) return;
      records.push({
        topic,
        key: message.key?.toString(),
        createdAt: Number(message.timestamp),
        producedAt: Date.parse(message.headers['produced-at']?.toString() ?? ''),
      });
    },
  });
  return { consumer, records };
}

class Socket {
  constructor(url, protocols) {
    this.received = [];
    this.socket = new WebSocket(url, protocols);
    this.socket.on('message', (data) =>
      this.received.push({ at: performance.now(), wall: Date.now(), ...JSON.parse(data) }),
    );
  }
  ready() {
    return until(() => this.received.some((m) => m.type === 'ready'), 'ready');
  }
  close() {
    this.socket.close();
  }
}

async function main() {
  const brokers = brokersForBench();
  console.log('bench-chat: baseline, one Kafka hop at a time');
  const baseline = await kafkaHopBaseline(brokers);

  const run = testing.uniqueName('bench-chat').replace(/\W/g, '-');
  const [routerDb, ticketsDb, chatDb] = await Promise.all([
    testing.createTestDatabase(),
    testing.createTestDatabase(),
    testing.createTestDatabase(),
  ]);
  await testing.startGroupsAtTopicEnd(brokers, [
    `router-${run}`,
    `tickets-${run}`,
    `tickets-${run}.replica.tickets-1`,
    `channel-chat-${run}`,
  ]);
  const common = { KAFKA_BROKERS: brokers.join(',') };
  const replicas = [
    new testing.Replica('router-1', 'router', run, { ...common, DATABASE_URL: routerDb.url }),
    new testing.Replica('tickets-1', 'tickets', run, {
      ...common,
      DATABASE_URL: ticketsDb.url,
      FIRSTLINE_DEMO: '1',
    }),
    new testing.Replica('chat-1', 'channel-chat', run, {
      ...common,
      DATABASE_URL: chatDb.url,
      CHAT_TOKEN_SECRET: SECRET,
    }),
  ];
  const observer = await observePath(brokers, run);
  try {
    const [, tickets, chat] = await Promise.all(replicas.map((replica) => replica.listening()));
    const login = await globalThis.fetch(`${tickets}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ann@firstline.example', password: 'firstline-demo' }),
    });
    const { token } = await login.json();
    const api = (method, path, body) =>
      globalThis.fetch(`${tickets}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        body: body ? JSON.stringify(body) : undefined,
      });
    const agent = new Socket(`${tickets.replace('http', 'ws')}/api/v1/live`, [
      'firstline.v1',
      token,
    ]);
    await agent.ready();

    const toAgent = [];
    const toQueue = [];
    const toVisitor = [];
    const hops = [];
    console.log(`bench-chat: ${VISITORS} visitors, one at a time`);
    for (let n = 0; n < VISITORS; n++) {
      const session = await globalThis.fetch(`${chat}/chat/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"locale":"en"}',
      });
      const visitorToken = (await session.json()).token;
      const visitorId = visitorToken.split('.')[0];
      const visitor = new Socket(`${chat.replace('http', 'ws')}/chat/ws?token=${visitorToken}`);
      await visitor.ready();
      const pushesBefore = agent.received.length;
      const sentAt = performance.now();
      const sentWall = Date.now();
      visitor.socket.send(
        JSON.stringify({ event: 'send', data: { clientMessageId: `m-${n}`, text: `Help ${n}` } }),
      );
      const created = await until(
        () =>
          agent.received
            .slice(pushesBefore)
            .find(
              (push) =>
                push.type === 'ticket-event' && push.event?.type === 'TICKET_EVENT_TYPE_CREATED',
            ),
        'new ticket pushed to the agent',
      );
      toAgent.push(created.at - sentAt);
      // The console's answer to that push: 50 ms of debounce, then the queue page.
      await sleep(50);
      const page = await (await api('GET', '/queue?view=team&limit=200')).json();
      if (!page.tickets.some((ticket) => ticket.id === created.ticketId)) {
        throw new Error('bench-chat: the pushed ticket is not in the queue listing');
      }
      toQueue.push(performance.now() - sentAt);

      const inbound = observer.records.find(
        (r) => r.topic === 'support.inbound.v1' && r.key === `chat:${visitorId}`,
      );
      const routing = observer.records.find(
        (r) => r.topic === 'support.routing.v1' && r.key === created.ticketId,
      );
      const event = observer.records
        .filter((r) => r.topic === 'support.ticket-events.v1' && r.key === created.ticketId)
        .sort((a, b) => a.producedAt - b.producedAt)[0];
      if (inbound && routing && event) {
        hops.push([
          inbound.createdAt - sentWall,
          routing.producedAt - inbound.createdAt,
          routing.createdAt - routing.producedAt,
          event.producedAt - routing.createdAt,
          event.createdAt - event.producedAt,
          created.wall - event.createdAt,
        ]);
      }

      const text = `Answer ${n}`;
      const repliedAt = performance.now();
      const answered = await api('POST', `/tickets/${created.ticketId}/replies`, { text });
      if (answered.status !== 201) throw new Error(`bench-chat: reply answered ${answered.status}`);
      const pushed = await until(
        () =>
          visitor.received.find(
            (m) => m.type === 'messages' && m.messages.some((entry) => entry.text === text),
          ),
        'reply pushed to the visitor',
      );
      toVisitor.push(pushed.at - repliedAt);
      visitor.close();
      if ((n + 1) % 10 === 0) console.log(`bench-chat: ${n + 1} visitors`);
    }
    agent.close();

    // Idle visitors: IDLE_CONNECTIONS sockets open on the one chat replica at once.
    console.log(`bench-chat: ${IDLE_CONNECTIONS} idle visitors' sockets`);
    const chatProcess = replicas[2].child.pid;
    const tokens = [];
    for (let n = 0; n < IDLE_CONNECTIONS; n += 50) {
      tokens.push(
        ...(await Promise.all(
          Array.from({ length: Math.min(50, IDLE_CONNECTIONS - n) }, async () => {
            const response = await globalThis.fetch(`${chat}/chat/session`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: '{}',
            });
            return (await response.json()).token;
          }),
        )),
      );
    }
    await sleep(2_000);
    const rssBefore = residentBytes(chatProcess);
    const idle = [];
    for (let n = 0; n < tokens.length; n += 100) {
      const batch = tokens
        .slice(n, n + 100)
        .map((token) => new Socket(`${chat.replace('http', 'ws')}/chat/ws?token=${token}`));
      await Promise.all(batch.map((socket) => socket.ready()));
      idle.push(...batch);
    }
    await sleep(5_000); // settled
    const rssAfter = residentBytes(chatProcess);
    const stillOpen = idle.filter((socket) => socket.socket.readyState === WebSocket.OPEN).length;
    for (const socket of idle) socket.close();

    const hopNames = [
      'widget → channel-chat stored it and produced it to support.inbound.v1',
      'router: consumed, routed, decision committed to its outbox',
      "router's outbox relay: committed → produced to support.routing.v1",
      'tickets: consumed the decision, ticket committed with its events',
      "tickets' outbox relay: committed → produced to support.ticket-events.v1",
      "tickets' live updates: consumed the event → pushed to the agent's socket",
    ];
    const load = loadavg().map((value) => value.toFixed(1));
    const verdict = (values) =>
      `≤ 1,000 ms at p99: **${percentile(values, 99) <= 1_000 ? 'met' : 'missed'}**`;
    const rows = [
      ['first message → the new ticket pushed to the agent', p50p99(toAgent), ''],
      [
        "first message → the ticket in the agent's queue (the push, 50 ms debounce, GET /queue)",
        p50p99(toQueue),
        verdict(toQueue),
      ],
      ["agent's reply (POST) → the visitor's socket", p50p99(toVisitor), verdict(toVisitor)],
      ['baseline: one record produced and consumed with plain kafkajs', p50p99(baseline), ''],
    ];
    const idleRows = [
      [`visitors' sockets open at once on one replica`, `${stillOpen} of ${IDLE_CONNECTIONS}`],
      [
        'resident memory of that replica before / with them',
        `${Math.round(rssBefore / MB)} / ${Math.round(rssAfter / MB)} MB`,
      ],
      [
        'memory per idle socket',
        `${((rssAfter - rssBefore) / IDLE_CONNECTIONS / 1024).toFixed(1)} KB`,
      ],
    ];
    console.table(Object.fromEntries(idleRows));
    console.table(Object.fromEntries(rows.map(([name, value]) => [name, value])));
    const hopRows = hopNames.map((name, index) => [name, p50p99(hops.map((hop) => hop[index]))]);
    console.table(Object.fromEntries(hopRows));

    await writeBenchmarkSection(
      'chat',
      `<!-- bench:chat -->

## Live chat

Router, tickets and channel-chat, each a built process of its own, on the local broker and
Postgres; ${VISITORS} visitors one at a time over the widget's WebSocket, one agent with the console's
live socket open answering over the REST API. Latencies in ms. \`npm run build && node
tools/bench-chat.mjs\`

| | p50 / p99 (ms) | target |
| --- | ---: | --- |
${rows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

| idle visitors | |
| --- | ---: |
${idleRows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}

Where the first message's time goes (${hops.length} of ${VISITORS} messages traced by their records' Kafka
timestamps and produced-at headers):

| hop | p50 / p99 (ms) |
| --- | -------------: |
${hopRows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}

No hop waits on a timer: both outbox relays are nudged by the commit, the consumers' fetches are
long polls that the broker answers as soon as a record arrives, and the producers send at once.
Each hop costs its own transactions' round trips to Postgres and its process's turn on a core;
on a busy machine every hop's p99 is many times its p50, and the path's tail is theirs together.

Load average during the run: ${load.join(', ')}. Machine: ${machine()}; broker and Postgres on the
same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:chat -->`,
    );
  } finally {
    await observer.consumer.disconnect().catch(() => undefined);
    await Promise.all(replicas.map((replica) => replica.stop()));
    await Promise.all([routerDb, ticketsDb, chatDb].map((database) => database.drop()));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
