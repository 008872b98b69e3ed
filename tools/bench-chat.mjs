// Live chat latency through the services as production runs them: router, tickets and
// channel-chat, each a built process of its own (libs/testing's Replica) on the local broker and
// Postgres, sealed to the bench's run. Visitors talk over the widget's WebSocket; an agent keeps
// the console's live socket open and answers over the REST API, as the console does (each reply
// with an Idempotency-Key). One visitor at a time, so each latency is the path's own, not a queue's:
//   first message → the agent's live socket hears of the new ticket, and → the ticket in the
//     queue listing (what the console does on that push: 50 ms of debounce, then GET /queue);
//   the agent's reply (POST) → the visitor's socket;
//   where the first-message time goes, hop by hop, from the records' Kafka timestamps and
//     produced-at headers;
//   baseline: plain kafkajs on the same broker, one record produced then consumed, one at a time.
// Prints the numbers and rewrites the "Live chat" section of docs/benchmarks.md.
//   idle: CHAT_BENCH_IDLE (default 2,000) visitors' sockets open at once on the chat replica, and
//     its resident memory before and with them.
//   at a rate: CHAT_BENCH_RATE_VISITORS (default 100) visitors whose chats are assigned to
//     CHAT_BENCH_RATE_AGENTS (default 4) agents send CHAT_BENCH_RATE (default 200) messages per
//     second between them for CHAT_BENCH_RATE_SECONDS (default 20), open-loop: each send has its
//     scheduled time, and its latencies count from it, so a late send is not hidden. Each agent
//     answers over the REST API as soon as its live socket shows the message; p50/p99 of
//     visitor → agent's screen, agent's reply → visitor's socket and the round trip, hop by hop,
//     beside plain kafkajs relaying records through as many topics at the same rate; CPU per
//     message of each process, and of Postgres and the broker. CHAT_BENCH_TICKETS_REPLICAS
//     (default 1) tickets replicas share the work, the agents signed in to them in turn.
//   warm-up: before any of these rates, the path runs CHAT_BENCH_WARM_UP_SECONDS (default 15) at
//     25 messages per second unmeasured, and so does the plain kafkajs relay before its first
//     rate: the figures are those of compiled code (Node's and the broker's JIT), as a service
//     that has been up a while runs.
//   by rate: before that, the same visitors and agents at each of CHAT_BENCH_LIGHTER_RATES
//     (default 25,50,100 messages per second) for CHAT_BENCH_LIGHTER_SECONDS (default 10): the
//     round trip, the CPU per message of everything on the machine and the cores it kept busy,
//     beside plain kafkajs relaying through as many topics at each rate: its latency, and the CPU
//     per message of its clients and the broker.
// `npm run build && node tools/bench-chat.mjs`; CHAT_BENCH_VISITORS (default 60).
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';
import { brokersForBench, cpuSeconds } from './bench-support.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const testing = require(join(root, 'dist/libs/testing/src/index.js'));
const contracts = require(join(root, 'dist/libs/contracts/src/index.js'));
const { Kafka, logLevel } = require('kafkajs');
const { WebSocket } = require('ws');
const { Pool } = require('pg');

const VISITORS = Number(process.env.CHAT_BENCH_VISITORS ?? 60);
const IDLE_CONNECTIONS = Number(process.env.CHAT_BENCH_IDLE ?? 2_000);
const BASELINE_RECORDS = 200;
const RATE = Number(process.env.CHAT_BENCH_RATE ?? 200);
const RATE_SECONDS = Number(process.env.CHAT_BENCH_RATE_SECONDS ?? 20);
const RATE_VISITORS = Number(process.env.CHAT_BENCH_RATE_VISITORS ?? 100);
const RATE_AGENTS = Number(process.env.CHAT_BENCH_RATE_AGENTS ?? 4);
const TICKETS_REPLICAS = Number(process.env.CHAT_BENCH_TICKETS_REPLICAS ?? 1);
const LIGHTER_RATES = (process.env.CHAT_BENCH_LIGHTER_RATES ?? '25,50,100')
  .split(',')
  .filter(Boolean)
  .map(Number);
const LIGHTER_SECONDS = Number(process.env.CHAT_BENCH_LIGHTER_SECONDS ?? 10);
const WARM_UP_RATE = 25;
const WARM_UP_SECONDS = Number(process.env.CHAT_BENCH_WARM_UP_SECONDS ?? 15);
/** Kafka hops on the way to the agent's screen (inbound, routing, ticket events) and back (outbound). */
const HOPS_TO_AGENT = 3;
const HOPS_BACK = 1;
const MB = 1024 * 1024;
const RUN_HEADER = 'firstline-test-run';
const SECRET = 'chat-bench-secret-of-at-least-32-characters';
/** The owner of the Postgres processes, whose CPU counts as the database's. */
const POSTGRES_UID = (() => {
  try {
    return statSync('/var/lib/postgresql').uid;
  } catch {
    return undefined;
  }
})();

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
// Infinity: a message that never made it within the bench's wait.
const ms = (value) => (Number.isFinite(value) ? `${Math.round(value)}` : 'none');
const p50p99 = (values) => `${ms(percentile(values, 50))} / ${ms(percentile(values, 99))}`;

async function until(condition, what, timeoutMs = 60_000, pollMs = 1) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) {
      const named = typeof what === 'function' ? what() : what;
      throw new Error(`bench-chat: no ${named} within ${timeoutMs} ms`);
    }
    await sleep(pollMs);
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

/** Wall-clock milliseconds with a fraction, comparable with the records' Kafka timestamps. */
const now = () => performance.timeOrigin + performance.now();

/**
 * Calls `send(n, scheduledAt)` `count` times, the n-th at start + n / rate seconds whatever the
 * earlier sends are doing (open loop): latencies measured from `scheduledAt` include any lateness.
 */
async function offerAtRate(rate, count, send) {
  const start = now() + 100;
  for (let n = 0; n < count; n++) {
    const scheduledAt = start + (n * 1_000) / rate;
    const wait = scheduledAt - now();
    if (wait > 1) await sleep(wait);
    send(n, scheduledAt);
  }
}

/**
 * Plain kafkajs shaped like the services: `count` records offered at `rate` a second, each on its
 * schedule, to the first of `hops` topics (group commit, like the inbound publisher), and passed
 * on by a consumer of each topic, with a producer of its own, to the next; producers idempotent
 * with acks=all as the bus's, a consumer's batch forwarded in one send. Resolves with, per hop,
 * each record's arrival after that many hops, counted from its scheduled send (`latencies`), and
 * the CPU per record of these clients (all in this process) and of the broker (when it is this
 * machine's) from the first offer to the last arrival (`cpuMs`).
 */
async function kafkaRelayBaseline(brokers, hops, rate, count) {
  const kafka = new Kafka({ brokers, clientId: 'bench-chat-relay', logLevel: logLevel.NOTHING });
  const base = `bench-chat-relay-${Date.now().toString(36)}`;
  const topics = Array.from({ length: hops }, (_, hop) => `${base}-${hop}`);
  const admin = kafka.admin();
  await admin.connect();
  // Leaders of new partitions may take a moment on a busy broker.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: topics.map((topic) => ({ topic, numPartitions: 6 })),
      });
      break;
    } catch (error) {
      if (attempt === 10) throw error;
      await sleep(1_000);
    }
  }
  const producers = topics.map(() => kafka.producer({ idempotent: true, maxInFlightRequests: 1 }));
  await Promise.all(producers.map((producer) => producer.connect()));
  const arrivals = topics.map(() => new Map());
  const consumers = topics.map((topic) => kafka.consumer({ groupId: topic }));
  await Promise.all(
    consumers.map(async (consumer, hop) => {
      await consumer.connect();
      await consumer.subscribe({ topic: topics[hop], fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently: 6,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) arrivals[hop].set(message.key.toString(), now());
          if (hop + 1 < hops) {
            await producers[hop + 1].send({
              topic: topics[hop + 1],
              acks: -1,
              messages: batch.messages.map(({ key, value }) => ({ key, value })),
            });
          }
        },
      });
    }),
  );
  await sleep(3_000); // joined and fetching
  // Group commit, as the services' inbound publisher and outbox relays do: what is offered while
  // a send is in flight goes out together in the next one.
  const scheduled = new Map();
  let waiting = [];
  let sending = false;
  const sendWaiting = async () => {
    sending = true;
    while (waiting.length > 0) {
      const messages = waiting;
      waiting = [];
      await producers[0]
        .send({ topic: topics[0], acks: -1, messages })
        .catch((error) => console.error(`bench-chat: baseline send failed: ${error}`));
    }
    sending = false;
  };
  const brokerBefore = sharedCpuSeconds()['Kafka broker'] ?? 0;
  const clientsBefore = process.cpuUsage();
  await offerAtRate(rate, count, (n, at) => {
    scheduled.set(`k${n}`, at);
    waiting.push({ key: `k${n}`, value: 'x'.repeat(512) });
    if (!sending) void sendWaiting();
  });
  // Each arrival's time is taken as it comes; polling often would only add to the clients' CPU.
  await until(() => arrivals[hops - 1].size >= count, 'relayed baseline records', 60_000, 20);
  const clients = process.cpuUsage(clientsBefore);
  const brokerSeconds = (sharedCpuSeconds()['Kafka broker'] ?? 0) - brokerBefore;
  await Promise.all([
    ...producers.map((producer) => producer.disconnect()),
    ...consumers.map((consumer) => consumer.disconnect()),
  ]);
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
  return {
    latencies: arrivals.map((arrived) => [...scheduled].map(([key, at]) => arrived.get(key) - at)),
    cpuMs: ((clients.user + clients.system) / 1_000 + brokerSeconds * 1_000) / count,
  };
}

/**
 * Every record the run's services put on the topics of the path, with its two timestamps and
 * `id`: the message it carries on (inbound: its message id; routing: the inbound message it
 * routed; ticket events: the message added; outbound: the outbound id).
 */
async function observePath(brokers, run) {
  const kafka = new Kafka({ brokers, clientId: 'bench-chat-observer', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `bench-chat-observer-${run}` });
  await consumer.connect();
  const topics = [
    'support.inbound.v1',
    'support.routing.v1',
    'support.ticket-events.v1',
    'support.outbound.chat.v1',
  ];
  const idOf = {
    'support.inbound.v1': (message) => message.headers['message-id']?.toString(),
    'support.routing.v1': (message) =>
      contracts.decode(contracts.RoutingDecisionSchema, message.value).inboundMessageId,
    'support.ticket-events.v1': (message) => {
      const event = contracts.decode(contracts.TicketEventSchema, message.value);
      return event.details.case === 'messageAdded' ? event.details.value.messageId : undefined;
    },
    'support.outbound.chat.v1': (message) =>
      contracts.decode(contracts.OutboundMessageSchema, message.value).outboundId,
  };
  await consumer.subscribe({ topics, fromBeginning: false });
  const records = [];
  await consumer.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ topic, message }) => {
      if (message.headers?.[RUN_HEADER]?.toString() !== run) return;
      records.push({
        topic,
        key: message.key?.toString(),
        id: idOf[topic](message),
        createdAt: Number(message.timestamp),
        producedAt: Date.parse(message.headers['produced-at']?.toString() ?? ''),
      });
    },
  });
  return { consumer, records, topics };
}

/**
 * CPU seconds so far of the processes the services share: Postgres (its live processes and those
 * it has reaped) and the local broker, when this bench started it.
 */
function sharedCpuSeconds() {
  const shared = {};
  let postgres = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (statSync(`/proc/${entry}`).uid !== POSTGRES_UID) continue;
      const fields = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ');
      // utime, stime, cutime, cstime: fields 14 to 17 of the whole line, in clock ticks.
      postgres += fields.slice(11, 15).reduce((sum, ticks) => sum + Number(ticks), 0) / 100;
    } catch {
      // exited while we looked
    }
  }
  if (postgres > 0) shared['Postgres (every backend)'] = postgres;
  const brokerPid = join(
    root,
    'deploy/local/.kafka',
    `broker-${process.env.KAFKA_PORT ?? '9092'}.pid`,
  );
  // A pid file outlives a broker killed without its script: count only a live process.
  const pid = existsSync(brokerPid) ? readFileSync(brokerPid, 'utf8').trim() : '';
  if (!process.env.KAFKA_BROKERS && pid && existsSync(`/proc/${pid}`)) {
    shared['Kafka broker'] = cpuSeconds(Number(pid));
  }
  return shared;
}

class Socket {
  /** `onMessage`, when given, sees each message as it arrives; the others are kept in `received`. */
  constructor(url, protocols, onMessage) {
    this.received = [];
    this.socket = new WebSocket(url, protocols);
    this.socket.on('message', (data) => {
      const message = { at: performance.now(), wall: Date.now(), ...JSON.parse(data) };
      if (!onMessage || message.type === 'ready') this.received.push(message);
      else onMessage(message);
    });
  }
  ready() {
    return until(() => this.received.some((m) => m.type === 'ready'), 'ready');
  }
  close() {
    this.socket.close();
  }
}

/** A reply's headers as the console sends them: a key of its own, so a retry is not sent twice. */
const sentOnce = () => ({ 'idempotency-key': randomUUID() });

/** Signs in to tickets; resolves with its token and a JSON caller that throws on a refusal. */
async function signIn(tickets, email, password) {
  const login = await globalThis.fetch(`${tickets}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`bench-chat: sign-in of ${email}: ${login.status}`);
  const { token } = await login.json();
  const call = async (method, path, body, headers = {}) => {
    const response = await globalThis.fetch(`${tickets}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) {
      throw new Error(`bench-chat: ${method} ${path}: ${response.status} ${await response.text()}`);
    }
    return response.status === 204 ? undefined : response.json();
  };
  return { token, call };
}

/**
 * RATE_AGENTS agents of their own in the first-line team, open around the clock, each taking
 * enough chats at once for its share of all the run's visitors; online, with the console's socket open.
 * `onPush(agent, push)` sees what each socket is told.
 */
async function rateAgents(ticketsUrls, run, onPush) {
  const { call: admin } = await signIn(ticketsUrls[0], 'admin@firstline.example', 'firstline-demo');
  await admin('PUT', '/directory/calendar/around-the-clock', {
    id: 'around-the-clock',
    name: 'Around the clock',
    timeZone: 'UTC',
    weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
      weekday,
      openMinute: 0,
      closeMinute: 1440,
    })),
  });
  await admin('PUT', '/directory/team/first-line', {
    id: 'first-line',
    name: 'First line',
    skillIds: ['general'],
    calendarId: 'around-the-clock',
  });
  // The earlier visitors' chats wait in the queue and take seats as the agents come online.
  const chats = Math.ceil((RATE_VISITORS + VISITORS) / RATE_AGENTS);
  const agents = [];
  for (let index = 0; index < RATE_AGENTS; index++) {
    const id = `bench-agent-${index + 1}`;
    const email = `${id}.${run}@firstline.example`;
    const password = 'bench-chat-agent-password';
    await admin('POST', '/accounts', {
      agentId: id,
      email,
      name: `Agent ${index + 1}`,
      role: 'agent',
      password,
      teamIds: ['first-line'],
    });
    await admin('PUT', `/directory/agent/${id}`, {
      id,
      name: `Agent ${index + 1}`,
      email,
      teamIds: ['first-line'],
      skills: [{ skillId: 'general', level: 5 }],
      capacity: [{ channel: contracts.Channel.CHAT, maxConcurrent: chats }],
      languages: ['en'],
      active: true,
    });
    const tickets = ticketsUrls[index % ticketsUrls.length];
    const { token, call } = await signIn(tickets, email, password);
    await call('PUT', '/me/presence', { presence: 'online' });
    const agent = { id, call };
    agent.socket = new Socket(
      `${tickets.replace('http', 'ws')}/api/v1/live`,
      ['firstline.v1', token],
      (push) => onPush(agent, push),
    );
    await agent.socket.ready();
    agents.push(agent);
  }
  return agents;
}

/**
 * The round trip at RATE messages per second (see the top of the file). Resolves with each
 * message's times (wall-clock ms, undefined where it never happened) and what the run cost.
 */
async function atRate({ ticketsUrls, chat, run, routerDatabaseUrl, observer, pids }) {
  // Indexed by message number, across the lighter rates' runs and the main one.
  const scheduled = [];
  const onScreen = [];
  const posted = [];
  const replyIds = [];
  const onVisitorSocket = [];
  const ticketOf = new Map(); // conversation key → ticket id
  const assigneeOf = new Map(); // ticket id → agent id
  const failures = [];
  let agents = [];

  const answer = (agent, n, ticketId) => {
    posted[n] = now();
    agent
      .call('POST', `/tickets/${ticketId}/replies`, { text: `Answer ${n}` }, sentOnce())
      .then((sent) => (replyIds[n] = sent.messageId))
      .catch((error) => failures.push(String(error)));
  };
  const onPush = (agent, push) => {
    if (push.type !== 'ticket-event') return;
    const { event } = push;
    if (event.type === 'TICKET_EVENT_TYPE_CREATED') {
      ticketOf.set(event.created.conversationKey, push.ticketId);
    } else if (event.type === 'TICKET_EVENT_TYPE_ASSIGNED') {
      assigneeOf.set(push.ticketId, event.assigned.agentId);
    } else if (
      event.type === 'TICKET_EVENT_TYPE_MESSAGE_ADDED' &&
      event.messageAdded.direction === 'MESSAGE_DIRECTION_INBOUND'
    ) {
      // The agent the chat is assigned to answers it; every agent of the team is told.
      const n = Number(/:r-(\d+)$/.exec(event.messageAdded.messageId)?.[1] ?? NaN);
      if (!Number.isInteger(n) || assigneeOf.get(push.ticketId) !== agent.id) return;
      onScreen[n] = now();
      answer(agent, n, push.ticketId);
    }
  };
  agents = await rateAgents(ticketsUrls, run, onPush);
  // The router hears of the agents' presence through the directory topic.
  const routing = new Pool({ connectionString: routerDatabaseUrl, max: 1 });
  routing.on('error', () => undefined); // a dropped idle connection is replaced by the next query
  await until(
    async () => {
      const { rows } = await routing.query(
        `SELECT count(*) AS online FROM routing.agent WHERE presence = $1 AND id LIKE 'bench-agent-%'`,
        [contracts.Presence.ONLINE],
      );
      return Number(rows[0].online) >= RATE_AGENTS;
    },
    'router seeing the agents online',
    60_000,
    250,
  );
  await routing.end();

  console.log(`bench-chat: ${RATE_VISITORS} visitors start their chats`);
  const visitors = [];
  for (let v = 0; v < RATE_VISITORS; v += 20) {
    visitors.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(20, RATE_VISITORS - v) }, async (_, i) => {
          const session = await globalThis.fetch(`${chat}/chat/session`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"locale":"en"}',
          });
          const token = (await session.json()).token;
          const visitor = { key: `chat:${token.split('.')[0]}` };
          visitor.socket = new Socket(
            `${chat.replace('http', 'ws')}/chat/ws?token=${token}`,
            undefined,
            (message) => {
              if (message.type !== 'messages') return;
              for (const entry of message.messages) {
                const n = Number(/^Answer (\d+)$/.exec(entry.text)?.[1] ?? NaN);
                if (entry.from === 'agent' && Number.isInteger(n)) onVisitorSocket[n] ??= now();
              }
            },
          );
          await visitor.socket.ready();
          visitor.socket.socket.send(
            JSON.stringify({
              event: 'send',
              data: { clientMessageId: `f-${v + i}`, text: `Hello ${v + i}` },
            }),
          );
          return visitor;
        }),
      )),
    );
  }
  await until(
    () => visitors.every((visitor) => assigneeOf.has(ticketOf.get(visitor.key))),
    () =>
      `chat assigned to an agent for every visitor (${ticketOf.size} tickets, ${assigneeOf.size} assigned)`,
    120_000,
  );

  /**
   * `rate` messages a second for `seconds`, numbered on from the last run's; resolves once every
   * one was answered on its visitor's socket (or two minutes after the last send) with their
   * numbers, each process's CPU seconds and the wall-clock seconds from the first scheduled send
   * to the last answer.
   */
  const offer = async (rate, seconds) => {
    const first = scheduled.length;
    const count = rate * seconds;
    const cpuBefore = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]),
    );
    const sharedCpuBefore = sharedCpuSeconds();
    const benchCpuBefore = process.cpuUsage();
    await offerAtRate(rate, count, (i, at) => {
      const n = first + i;
      scheduled[n] = at;
      visitors[n % RATE_VISITORS].socket.socket.send(
        JSON.stringify({
          event: 'send',
          data: { clientMessageId: `r-${n}`, text: `Question ${n}` },
        }),
      );
    });
    const numbers = Array.from({ length: count }, (_, i) => first + i);
    await until(
      () => numbers.every((n) => onVisitorSocket[n] !== undefined),
      `reply on the visitor socket for every message at ${rate} msg/s`,
      120_000,
      // Each answer's time is taken as it arrives; polling often would only take the services' CPU.
      20,
    ).catch((error) => failures.push(String(error)));
    const cpu = Object.fromEntries(
      Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid) - cpuBefore[name]]),
    );
    const benchCpu = process.cpuUsage(benchCpuBefore);
    cpu['load generator (this bench: visitors and agents)'] =
      (benchCpu.user + benchCpu.system) / 1e6;
    for (const [name, seconds] of Object.entries(sharedCpuSeconds())) {
      cpu[name] = seconds - sharedCpuBefore[name];
    }
    const lastAnswer = Math.max(...numbers.map((n) => onVisitorSocket[n] ?? now()));
    return { numbers, cpu, wallSeconds: (lastAnswer - scheduled[first]) / 1_000 };
  };
  // A message that did not make it within the wait counts as slower than any that did.
  const since = (end, start) => (end === undefined ? Infinity : end - start);
  const roundTrips = (numbers) => numbers.map((n) => since(onVisitorSocket[n], scheduled[n]));

  observer.consumer.pause(observer.topics.map((topic) => ({ topic })));
  if (WARM_UP_SECONDS > 0) {
    console.log(`bench-chat: warming up for ${WARM_UP_SECONDS} s at ${WARM_UP_RATE} messages/s`);
    await offer(WARM_UP_RATE, WARM_UP_SECONDS);
  }
  const lighter = [];
  for (const rate of LIGHTER_RATES) {
    console.log(`bench-chat: ${rate} messages/s for ${LIGHTER_SECONDS} s`);
    const { numbers, cpu, wallSeconds } = await offer(rate, LIGHTER_SECONDS);
    lighter.push({ rate, roundTrip: roundTrips(numbers), cpu, wallSeconds });
  }

  console.log(`bench-chat: ${RATE} messages/s for ${RATE_SECONDS} s`);
  const loadBefore = loadavg();
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const { numbers: all, cpu, wallSeconds } = await offer(RATE, RATE_SECONDS);
  const count = all.length;
  loopDelay.disable();
  const loadAfter = loadavg();
  // Paused while the messages were offered, so that its reading and decoding did not take CPU
  // from the path it measures; the records wait on the topics with their timestamps.
  observer.consumer.resume(observer.topics.map((topic) => ({ topic })));
  // Every record of every message on each of the path's topics, which the observer reads at
  // their own pace: a hop table of the messages that happened to be read first would be skewed.
  const messageIds = new Set(all.map((n) => `${visitors[n % RATE_VISITORS].key}:r-${n}`));
  const wanted = {
    'support.inbound.v1': messageIds,
    'support.routing.v1': messageIds,
    'support.ticket-events.v1': messageIds,
    'support.outbound.chat.v1': new Set(all.map((n) => replyIds[n]).filter(Boolean)),
  };
  await until(
    () => {
      const read = Object.fromEntries(Object.keys(wanted).map((topic) => [topic, new Set()]));
      for (const { topic, id } of observer.records) if (wanted[topic].has(id)) read[topic].add(id);
      return Object.entries(wanted).every(([topic, ids]) => read[topic].size >= ids.size);
    },
    "the observer reading the run's records",
    60_000,
    100,
  ).catch((error) => failures.push(String(error)));
  for (const visitor of visitors) visitor.socket.close();
  for (const agent of agents) agent.socket.close();

  // Hop by hop, from the records each message left on the topics.
  const byId = new Map();
  for (const record of observer.records) {
    if (!record.id) continue;
    const found = byId.get(`${record.topic} ${record.id}`);
    if (!found || record.producedAt < found.producedAt)
      byId.set(`${record.topic} ${record.id}`, record);
  }
  const hops = [];
  for (const n of all) {
    const messageId = `${visitors[n % RATE_VISITORS].key}:r-${n}`;
    const inbound = byId.get(`support.inbound.v1 ${messageId}`);
    const routing = byId.get(`support.routing.v1 ${messageId}`);
    const event = byId.get(`support.ticket-events.v1 ${messageId}`);
    const outbound = byId.get(`support.outbound.chat.v1 ${replyIds[n]}`);
    if (!inbound || !routing || !event || !outbound || !onScreen[n] || !onVisitorSocket[n]) {
      continue;
    }
    hops.push([
      inbound.createdAt - scheduled[n],
      routing.producedAt - inbound.createdAt,
      routing.createdAt - routing.producedAt,
      event.producedAt - routing.createdAt,
      event.createdAt - event.producedAt,
      onScreen[n] - event.createdAt,
      outbound.producedAt - posted[n],
      outbound.createdAt - outbound.producedAt,
      onVisitorSocket[n] - outbound.createdAt,
    ]);
  }
  return {
    count,
    answered: all.filter((n) => onVisitorSocket[n] !== undefined).length,
    toAgent: all.map((n) => since(onScreen[n], scheduled[n])),
    toVisitor: all
      .filter((n) => posted[n] !== undefined)
      .map((n) => since(onVisitorSocket[n], posted[n])),
    roundTrip: roundTrips(all),
    hops,
    cpu,
    wallSeconds,
    lighter,
    failures,
    loopDelayP99: loopDelay.percentile(99) / 1e6,
    load: [loadBefore, loadAfter],
  };
}

async function main() {
  const brokers = brokersForBench();
  console.log('bench-chat: baseline, one Kafka hop at a time');
  const baseline = await kafkaHopBaseline(brokers);
  // The same rates as the services will be offered, for as long, before any service runs.
  if (WARM_UP_SECONDS > 0) {
    console.log(`bench-chat: warming up the plain kafkajs relay for ${WARM_UP_SECONDS} s`);
    await kafkaRelayBaseline(
      brokers,
      HOPS_TO_AGENT + HOPS_BACK,
      WARM_UP_RATE,
      WARM_UP_RATE * WARM_UP_SECONDS,
    );
  }
  const relayedAt = new Map();
  for (const [rate, seconds] of [
    ...LIGHTER_RATES.map((lighter) => [lighter, LIGHTER_SECONDS]),
    [RATE, RATE_SECONDS],
  ]) {
    console.log(
      `bench-chat: baseline, ${rate} records/s relayed through ${HOPS_TO_AGENT + HOPS_BACK} topics`,
    );
    relayedAt.set(
      rate,
      await kafkaRelayBaseline(brokers, HOPS_TO_AGENT + HOPS_BACK, rate, rate * seconds),
    );
  }
  const relayed = relayedAt.get(RATE).latencies;

  const run = testing.uniqueName('bench-chat').replace(/\W/g, '-');
  const ticketsIds = Array.from({ length: TICKETS_REPLICAS }, (_, n) => `tickets-${n + 1}`);
  const [routerDb, ticketsDb, chatDb] = await Promise.all([
    testing.createTestDatabase(),
    testing.createTestDatabase(),
    testing.createTestDatabase(),
  ]);
  await testing.startGroupsAtTopicEnd(brokers, [
    `router-${run}`,
    `tickets-${run}`,
    ...ticketsIds.map((id) => `tickets-${run}.replica.${id}`),
    `channel-chat-${run}`,
  ]);
  // The production pool size, and the run's directory on its way to its router: agents get chats.
  const common = {
    KAFKA_BROKERS: brokers.join(','),
    DATABASE_POOL_SIZE: '10',
    FIRSTLINE_TEST_WITH_DIRECTORY: '1',
  };
  const replicas = [
    new testing.Replica('router-1', 'router', run, { ...common, DATABASE_URL: routerDb.url }),
    ...ticketsIds.map(
      (id) =>
        new testing.Replica(id, 'tickets', run, {
          ...common,
          DATABASE_URL: ticketsDb.url,
          FIRSTLINE_DEMO: '1',
        }),
    ),
    new testing.Replica('chat-1', 'channel-chat', run, {
      ...common,
      DATABASE_URL: chatDb.url,
      CHAT_TOKEN_SECRET: SECRET,
      // Its visitors send twice a second each at the highest rate, faster than people type, and
      // all start from this one address.
      CHAT_MESSAGES_PER_MINUTE: '100000',
      CHAT_SESSIONS_PER_MINUTE: '100000',
    }),
  ];
  const observer = await observePath(brokers, run);
  try {
    const urls = await Promise.all(replicas.map((replica) => replica.listening()));
    const ticketsUrls = urls.slice(1, 1 + TICKETS_REPLICAS);
    const [tickets, chat] = [ticketsUrls[0], urls.at(-1)];
    const login = await globalThis.fetch(`${tickets}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ann@firstline.example', password: 'firstline-demo' }),
    });
    const { token } = await login.json();
    const api = (method, path, body, headers = {}) =>
      globalThis.fetch(`${tickets}/api/v1${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
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
      const answered = await api(
        'POST',
        `/tickets/${created.ticketId}/replies`,
        { text },
        sentOnce(),
      );
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
    const chatProcess = replicas.at(-1).child.pid;
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

    // After the idle sockets: their memory is measured before the load grows the heap.
    const rate = await atRate({
      ticketsUrls,
      chat,
      run,
      routerDatabaseUrl: routerDb.url,
      observer,
      pids: Object.fromEntries(replicas.map((replica) => [replica.id, replica.child.pid])),
    });

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

    const rateRows = [
      [
        `visitor → the agent's screen (${HOPS_TO_AGENT} Kafka hops)`,
        rate.toAgent,
        relayed[HOPS_TO_AGENT - 1],
        '',
      ],
      [
        `agent's reply (POST) → the visitor's socket (${HOPS_BACK} Kafka hop)`,
        rate.toVisitor,
        relayed[HOPS_BACK - 1],
        '',
      ],
      [
        `round trip: visitor → agent's screen, reply → visitor's socket (${HOPS_TO_AGENT + HOPS_BACK} hops)`,
        rate.roundTrip,
        relayed[HOPS_TO_AGENT + HOPS_BACK - 1],
        `< 200 ms at p99: **${percentile(rate.roundTrip, 99) < 200 ? 'met' : 'missed'}**`,
      ],
    ].map(([name, values, base, target]) => [name, p50p99(values), p50p99(base), target]);
    const rateHopNames = [
      'scheduled send → channel-chat stored it and produced it to support.inbound.v1',
      ...hopNames.slice(1),
      "agent's POST → tickets committed the reply with its outbound record",
      "tickets' outbox relay: committed → produced to support.outbound.chat.v1",
      "channel-chat: consumed the reply, stored it → on the visitor's socket",
    ];
    const rateHopRows = rateHopNames.map((name, index) => [
      name,
      p50p99(rate.hops.map((hop) => hop[index])),
    ]);
    const cpuRows = Object.entries(rate.cpu).map(([name, seconds]) => [
      name,
      seconds.toFixed(1),
      ((seconds * 1_000) / rate.count).toFixed(2),
    ]);
    console.table(Object.fromEntries(rateRows.map(([name, ...values]) => [name, values])));
    console.table(Object.fromEntries(rateHopRows));
    console.table(Object.fromEntries(cpuRows.map(([name, ...values]) => [name, values])));
    if (rate.failures.length > 0) console.log(`bench-chat: failures: ${rate.failures.slice(0, 5)}`);
    const serviceCpuMs =
      (Object.entries(rate.cpu)
        .filter(([name]) => replicas.some((replica) => replica.id === name))
        .reduce((sum, [, seconds]) => sum + seconds, 0) *
        1_000) /
      rate.count;
    const totalCpuMs =
      (Object.values(rate.cpu).reduce((sum, seconds) => sum + seconds, 0) * 1_000) / rate.count;
    const loads = (values) => values.map((value) => value.toFixed(1)).join(', ');
    const cpuSum = (cpu) => Object.values(cpu).reduce((sum, seconds) => sum + seconds, 0);
    const byRate = [...rate.lighter, { rate: RATE, ...rate }].map((run) => ({
      rate: run.rate,
      roundTrip: run.roundTrip,
      cpuMs: (cpuSum(run.cpu) * 1_000) / run.roundTrip.length,
      cores: cpuSum(run.cpu) / run.wallSeconds,
      met: percentile(run.roundTrip, 99) < 200,
      relayed: relayedAt.get(run.rate),
    }));
    const byRateRows = byRate.map((run) => [
      run.rate,
      p50p99(run.roundTrip),
      p50p99(run.relayed.latencies[HOPS_TO_AGENT + HOPS_BACK - 1]),
      run.cpuMs.toFixed(1),
      run.relayed.cpuMs.toFixed(1),
      `${(run.cpuMs / run.relayed.cpuMs).toFixed(1)}×`,
      run.cores.toFixed(1),
      run.met ? 'met' : 'missed',
    ]);
    console.table(
      Object.fromEntries(byRateRows.map(([offered, ...values]) => [`${offered} msg/s`, values])),
    );
    const highestMet = byRate.filter((run) => run.met).at(-1);

    await writeBenchmarkSection(
      'chat',
      `<!-- bench:chat -->

## Live chat

Router, tickets and channel-chat, each a built process of its own, on the local broker and
Postgres; ${VISITORS} visitors one at a time over the widget's WebSocket, one agent with the console's
live socket open answering over the REST API as the console does, each reply with an Idempotency-Key.
Latencies in ms. \`npm run build && node
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

### At ${RATE} messages per second

${RATE_VISITORS} visitors whose chats are assigned to ${RATE_AGENTS} agents${TICKETS_REPLICAS > 1 ? ` (signed in to ${TICKETS_REPLICAS} tickets replicas in turn)` : ''} send ${RATE} messages per second
between them for ${RATE_SECONDS} s (${rate.count.toLocaleString('en-US')} messages), open-loop: each send has its
scheduled time and every latency counts from it, so a send that went out late is not hidden.
Each agent has the console's live socket open and answers a message over the REST API (with an
Idempotency-Key, as the console) as soon as its socket shows it; the reply counts when the visitor's socket has it. Beside each path: plain
kafkajs on the same broker in the same run, records offered at the same rate (those offered
while a send is in flight sent together, as the services' publishers and outbox relays do) and
relayed by a consumer of each topic, with a producer of its own, to the next, through as many
topics as the path has Kafka hops. The idle sockets above were measured before this run.
${rate.answered.toLocaleString('en-US')} of ${rate.count.toLocaleString('en-US')} messages answered and delivered within two minutes of the last send
(a percentile that falls on one that was not reads "none").

| at ${RATE} msg/s | p50 / p99 (ms) | plain kafkajs, same hops and rate | target |
| --- | ---: | ---: | --- |
${rateRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

Where the round trip's time goes (${rate.hops.length} of ${rate.count} messages traced):

| hop | p50 / p99 (ms) |
| --- | -------------: |
${rateHopRows.map(([name, value]) => `| ${name} | ${value} |`).join('\n')}

CPU each process used from the first scheduled send to the last reply on a visitor's socket,
divided by the messages; Postgres and the broker are the machine's own (anything else using them
meanwhile counts too), and the trace's observer pauses while the messages are offered. These are
the cost at this rate, not a fixed price: each consumer's round, outbox relay round and transaction
takes whatever has arrived by then, so at a lower rate the rounds carry fewer messages and each
message costs more (CHAT_BENCH_RATE sets the rate).${
        rate.answered < rate.count
          ? ` Not every message was answered within the wait, so the services had not done all their work for them: these are lower bounds.`
          : ''
      }

| process | CPU seconds | CPU ms per message |
| --- | ---: | ---: |
${cpuRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

The services alone need ${rate.answered < rate.count ? 'at least ' : ''}${serviceCpuMs.toFixed(1)} ms of CPU per message: ${RATE} messages per second take
${((serviceCpuMs * RATE) / 1_000).toFixed(1)} cores before the broker, Postgres and the visitors and agents themselves, and
${((totalCpuMs * RATE) / 1_000).toFixed(1)} with them (${totalCpuMs.toFixed(1)} ms a message), on a machine of ${cpus().length}.

### The round trip by rate

The same visitors and agents, before the ${RATE} msg/s run, at lighter rates for ${LIGHTER_SECONDS} s each,
each run's replies all in before the next began, after ${WARM_UP_SECONDS} s at ${WARM_UP_RATE} msg/s unmeasured (the
relay likewise): the code on the path is compiled, as in a service that has been up a while. CPU per message is that of everything on the
machine (the services, Postgres, the broker, the visitors and agents), from the first scheduled
send to the last reply; cores busy is that CPU over the same time. Beside it, the plain kafkajs
relay through ${HOPS_TO_AGENT + HOPS_BACK} topics at the same rate for as long, run before any service started: its
latency, and the CPU per message of its clients and the broker, what the Kafka hops alone cost
here.

| offered (msg/s) | round trip p50 / p99 (ms) | plain kafkajs, ${HOPS_TO_AGENT + HOPS_BACK} hops (ms) | CPU ms per message | plain kafkajs CPU ms per message | ratio | cores busy | < 200 ms at p99 |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
${byRateRows.map((row) => `| ${row.join(' | ')} |`).join('\n')}

${
  highestMet
    ? `On this machine the round trip's p99 stays under 200 ms up to ${highestMet.rate} messages a second of those measured.`
    : 'On this machine the round trip missed 200 ms at p99 at every rate measured.'
} A message's work is a
round of each consumer, outbox relay and transaction on its path; a round costs about the same
whether it carries one message or ten, so at a lower rate, where each carries one, a message
costs more, and the machine's cores fill up long before the rate does.

Which figures need a quiet machine: every latency above, the bench's and the baseline's alike.
With the load average many times the number of cores, each process waits for a core at every
hop, and a path of four Kafka hops and a dozen Postgres round trips per service waits many times;
the baseline suffers the same, so compare the two of one run, not runs with each other. The
memory per idle socket holds on a busy machine too.

Load average when the ${RATE} msg/s run started: ${loads(rate.load[0])}; when it ended: ${loads(rate.load[1])}.
The bench's own event loop ran late by up to ${Math.round(rate.loopDelayP99)} ms (p99) during it.

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
