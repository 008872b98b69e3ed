// Throughput of the VK adapter's inbound path, the built channel-vk service in a process of its
// own on a real broker and Postgres, with the fake VK API of libs/testing answering users.get and
// Bots Long Poll. Both ways VK delivers events go through the service's own code: its seen-event
// lookup and insert in Postgres, sender names (users.get once per user, then from Postgres), and
// publishing to a fresh topic instead of support.inbound.v1 (acks=all).
//   Callback API  events POSTed as VK does, one per request, 32 in flight, to the service's
//                 /vk/<group>/callback route; every 20th is posted a second time after its "ok",
//                 as VK repeats an event it thinks unanswered, and must not be published again.
//   Long Poll     the service polls the fake's a_check; each answer carries 100 events (the next
//                 hundred are queued when the service asks for the current ones).
// Afterwards the topic is read back: every event must be on it exactly once.
// Prints the rates and rewrites the "VK inbound" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-vk.mjs`.
//
//   KAFKA_BROKERS        brokers to use (default: the project's local broker, started if need be)
//   BENCH_VK_EVENTS      events per run (default 20000)
//   BENCH_VK_ROUNDS      runs of each shape; the best counts (default 3)
//   BENCH_VK_NODE_ARGS   extra node flags for the service, e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
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
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('services/channel-vk/src/index.js'))) {
  console.error('bench-vk: dist/ is missing the channel; run `npm run build` first');
  process.exit(1);
}
const { normaliseEvent } = require(dist('libs/vk/src/index.js'));
const { createTestDatabase, FakeVk, sendCallback } = require(dist('libs/testing/src/index.js'));

const EVENTS = Number(process.env.BENCH_VK_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_VK_ROUNDS ?? 3);
const LONG_POLL_BATCH = 100;
const CALLBACKS_IN_FLIGHT = 32;
const REPEAT_EVERY = 20;
const PEERS = 1_000;
const run = Date.now().toString(36);
// Group ids of this run only: other runs on the broker may use the shared tables' neighbours.
const CALLBACK_GROUP = 300_000_000 + Math.floor(Math.random() * 600_000_000);
const LONG_POLL_GROUP = CALLBACK_GROUP + 1;
const SECRET = `bench-vk-secret-${run}`;

/** A message_new as VK 5.199 sends it: text, and a photo on every tenth. */
function event(group, n) {
  const peer = 1_000_000 + (n % PEERS);
  return {
    type: 'message_new',
    event_id: `${run}${group}${n.toString(16).padStart(8, '0')}`,
    v: '5.199',
    group_id: group,
    ...(group === CALLBACK_GROUP ? { secret: SECRET } : {}),
    object: {
      message: {
        id: n,
        date: 1_763_892_000 + n,
        peer_id: peer,
        from_id: peer,
        text: `Hello, my order ${n} has not arrived yet. Could you check where it is?`,
        conversation_message_id: n,
        attachments:
          n % 10 === 0
            ? [
                {
                  type: 'photo',
                  photo: {
                    id: n,
                    owner_id: peer,
                    sizes: [
                      {
                        type: 'x',
                        url: `https://sun.userapi.com/${n}.jpg`,
                        width: 604,
                        height: 453,
                      },
                    ],
                  },
                },
              ]
            : [],
      },
      client_info: { keyboard: true, inline_keyboard: true },
    },
  };
}

// Normalising alone, in memory: the baseline of the same run.
const baselineEvents = Array.from({ length: EVENTS }, (_, n) => event(CALLBACK_GROUP, n + 1));
const normaliseStart = performance.now();
for (const e of baselineEvents) {
  normaliseEvent(e, { groupId: CALLBACK_GROUP, userNames: new Map() }, new Date());
}
const normaliseOnly = Math.round(EVENTS / ((performance.now() - normaliseStart) / 1000));

const brokers = brokersForBench();
const vk = new FakeVk();
await vk.start();
vk.community(CALLBACK_GROUP, `token-${CALLBACK_GROUP}`);
vk.community(LONG_POLL_GROUP, `token-${LONG_POLL_GROUP}`);
for (let peer = 0; peer < PEERS; peer += 1) {
  vk.users.set(1_000_000 + peer, { first_name: 'Anna', last_name: `Petrova-${peer}` });
}
const database = await createTestDatabase();
const topic = `bench.vk-inbound.${run}`;
const service = await spawnService({
  module: 'services/channel-vk/src/index.js',
  exportName: 'channelVkService',
  brokers,
  databaseUrl: database.url,
  topics: { 'support.inbound.v1': topic },
  nodeArgs: (process.env.BENCH_VK_NODE_ARGS ?? '').split(' ').filter(Boolean),
  env: {
    VK_COMMUNITIES: JSON.stringify([
      {
        groupId: CALLBACK_GROUP,
        token: `token-${CALLBACK_GROUP}`,
        mode: 'callback',
        confirmationCode: 'c0ffee12',
        secret: SECRET,
      },
      { groupId: LONG_POLL_GROUP, token: `token-${LONG_POLL_GROUP}`, mode: 'longpoll' },
    ]),
    VK_API_URL: `${vk.url}/method`,
    VK_LONG_POLL_WAIT: '1',
  },
});
const callbackUrl = `${service.url}/vk/${CALLBACK_GROUP}/callback`;
// The service's long poll has started when its first a_check arrives.
while (vk.polls.length === 0) await sleep(10);

/** Posts the events, CALLBACKS_IN_FLIGHT at a time; each REPEAT_EVERY-th again after its "ok". */
async function callbacks(events) {
  let next = 0;
  let requests = 0;
  const post = async (e) => {
    requests += 1;
    const { status, text } = await sendCallback(callbackUrl, e);
    if (status !== 200 || text !== 'ok') {
      throw new Error(`bench-vk: callback ${e.event_id} answered ${status} ${text}`);
    }
  };
  const worker = async () => {
    while (next < events.length) {
      const n = next++;
      await post(events[n]);
      if (n % REPEAT_EVERY === 0) await post(events[n]);
    }
  };
  await Promise.all(Array.from({ length: CALLBACKS_IN_FLIGHT }, worker));
  return requests;
}

/**
 * Queues the events for the long-poll community a hundred at a time, each hundred as the service
 * asks for the previous one, so that every answer carries one hundred and none waits. Resolves
 * when the service asks for what comes after the last, i.e. once it published them and stored
 * its ts.
 */
async function longPoll(events) {
  const start = Number(vk.currentTs(LONG_POLL_GROUP));
  const askedFor = async (ts) => {
    while (Number(vk.polls.at(-1)?.ts ?? 0) < ts) await sleep(1);
  };
  const queue = (from) => {
    for (const e of events.slice(from, from + LONG_POLL_BATCH)) {
      vk.pushLongPollEvent(LONG_POLL_GROUP, e);
    }
  };
  // The service's poll waiting in the fake (which looks every 20 ms) takes all that is queued
  // when it looks: the first hundred go alone.
  queue(0);
  await sleep(50);
  for (let from = LONG_POLL_BATCH; from < events.length; from += LONG_POLL_BATCH) {
    queue(from);
    await askedFor(start + from);
  }
  await askedFor(start + events.length);
  vk.polls.length = 0;
  return events.length / LONG_POLL_BATCH;
}

const shapes = {
  callbacks: {
    label: `Callback API over HTTP, 1 event per request, ${CALLBACKS_IN_FLIGHT} in flight, every ${REPEAT_EVERY}th repeated`,
    group: CALLBACK_GROUP,
    deliver: callbacks,
  },
  longPoll: {
    label: `Bots Long Poll from the fake VK API, ${LONG_POLL_BATCH} events per answer`,
    group: LONG_POLL_GROUP,
    deliver: longPoll,
  },
};

const results = { callbacks: [], longPoll: [] };
const cpu = { callbacks: [], longPoll: [] };
let sent = 0;
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, { group, deliver }] of Object.entries(shapes)) {
      const events = Array.from({ length: EVENTS }, (_, n) => event(group, sent + n + 1));
      sent += EVENTS;
      const startedAt = performance.now();
      const cpuBefore = cpuSeconds(service.child.pid);
      const requests = await deliver(events);
      const seconds = (performance.now() - startedAt) / 1000;
      const rate = Math.round(EVENTS / seconds);
      // The service's own CPU per event: what one core sustains, whatever else the machine runs.
      const cpuMicros = Math.round(((cpuSeconds(service.child.pid) - cpuBefore) * 1e6) / EVENTS);
      results[name].push(rate);
      cpu[name].push(cpuMicros);
      console.log(
        `round ${round + 1} ${name.padEnd(9)} ${rate.toLocaleString('en-US')} events/s (${requests.toLocaleString('en-US')} requests or answers), service CPU ${cpuMicros} µs per event`,
      );
    }
  }
} finally {
  await stopService(service);
  await vk.stop();
  await database.drop();
}

const records = await recordsOn(brokers, topic);
const duplicated = duplicatesAmong(records);
const published = (group) => records.filter((r) => r.key.startsWith(`vk:${group}:`)).length;
const expected = EVENTS * ROUNDS;
const counts = {
  callbacks: published(CALLBACK_GROUP),
  longPoll: published(LONG_POLL_GROUP),
};
const format = (n) => n.toLocaleString('en-US');
const best = (name) => Math.max(...results[name]);
const leastCpu = (name) => Math.min(...cpu[name]);
const exactlyOnce =
  duplicated === 0 && counts.callbacks === expected && counts.longPoll === expected;
console.log(
  `VK inbound: callbacks ${format(best('callbacks'))} events/s, long poll ${format(best('longPoll'))} events/s ` +
    `(target ≥ 2,000); normalising alone ${format(normaliseOnly)} events/s; on the topic ` +
    `${format(counts.callbacks)} + ${format(counts.longPoll)} of ${format(expected)} + ${format(expected)} events, ${duplicated} duplicated`,
);

const section = `<!-- bench:vk -->
## VK inbound

The channel-vk service as built, in a process of its own, on a real broker and Postgres (a fresh
database), with the fake VK API of libs/testing answering \`users.get\` and Bots Long Poll.
VK \`message_new\` events (text; a photo on every tenth) from ${format(PEERS)} customers go through the service's
own code: the seen-event lookup and insert in Postgres, sender names (\`users.get\` once per
customer, then from Postgres), normalising, and publishing with KafkaBus to a fresh
6-partition topic (acks=all) before the service answers VK "ok" or moves its long-poll ts.
${format(EVENTS)} events per run, best of ${ROUNDS}; the first round also asks \`users.get\`.
\`npm run build && node tools/bench-vk.mjs\`

| | events/s | target | service CPU per event |
| --- | ---: | ---: | ---: |
| ${shapes.callbacks.label} | **${format(best('callbacks'))}** | ≥ 2,000 | ${leastCpu('callbacks')} µs |
| ${shapes.longPoll.label} | **${format(best('longPoll'))}** | ≥ 2,000 | ${leastCpu('longPoll')} µs |
| baseline: normalising alone, in memory, same run | ${format(normaliseOnly)} | | |

- Callback API: each request is an HTTP POST to \`/vk/<group>/callback\`, checked (secret) and
  answered "ok" only once its event is on the bus; requests that arrive while a batch of the
  community's callbacks is being accepted go together in the next one (one seen-event lookup,
  one \`users.get\`, one publish, one insert). A repeated event is answered
  "ok" from the seen-event table without publishing; its request counts in the time, not in the events.
- Service CPU per event: the service process's user and system time over the run, the least of
  the rounds; it is what one core sustains whatever else the machine runs.
- Long Poll: the fake answers \`a_check\` at once when events are queued; the service stores its ts
  in Postgres after each answer's events are on the bus.
- Read back from the topic afterwards: ${format(counts.callbacks)} of ${format(expected)} callback events and
  ${format(counts.longPoll)} of ${format(expected)} long-poll events, ${format(duplicated)} twice${exactlyOnce ? ' — every event exactly once' : ' — **not** exactly once'}.

Load average at the end of the run: ${os.loadavg()[0].toFixed(1)}; other work ran on the machine in parallel.
Machine: ${machine()}; broker, Postgres, the fake VK API and the load generator on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:vk -->`;

await writeBenchmarkSection('vk', section);
if (!exactlyOnce) process.exitCode = 1;
