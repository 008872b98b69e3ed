// Throughput of the VK adapter's inbound path through a real broker: VK events normalised to
// InboundMessages (libs/vk), encoded and published with KafkaBus, counted once the broker
// acknowledged them (acks=all), which is when the adapter answers VK "ok" or moves its long-poll
// ts. Two shapes: Bots Long Poll answers of 100 events, published as one batch each, and Callback
// API requests of one event each, 32 in flight, through the adapter's BatchingPublisher. The topic is a fresh one, not support.inbound.v1,
// so that the bench does not flood other consumers. Prints the rates and rewrites the "VK inbound"
// section of docs/benchmarks.md. Runs the built code: `npm run build && node tools/bench-vk.mjs`.
//
//   KAFKA_BROKERS        brokers to use (default: the project's local broker, started if need be)
//   BENCH_VK_EVENTS      events per run (default 20000)
//   BENCH_VK_ROUNDS      runs of each shape; the best counts (default 3)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('libs/vk/src/index.js'))) {
  console.error('bench-vk: dist/libs/vk is missing; run `npm run build` first');
  process.exit(1);
}
const { KafkaBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const { encode, messageType, TOPICS } = require(dist('libs/contracts/src/index.js'));
const { normalise } = require(dist('libs/vk/src/index.js'));
const { BatchingPublisher } = require(dist('services/channel-vk/src/batching-publisher.js'));

const EVENTS = Number(process.env.BENCH_VK_EVENTS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_VK_ROUNDS ?? 3);
const PARTITIONS = 6;
const LONG_POLL_BATCH = 100;
const CALLBACKS_IN_FLIGHT = 32;
const PEERS = 1_000;
const GROUP = 218000001;

const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();
const run = Date.now().toString(36);

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

/** A message_new as VK 5.199 sends it: text, and a photo on every tenth. */
function event(n) {
  const peer = 1_000_000 + (n % PEERS);
  return {
    type: 'message_new',
    event_id: `${run}${n.toString(16).padStart(8, '0')}`,
    v: '5.199',
    group_id: GROUP,
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

/** What VkInbound publishes for one event. */
function record(topic, vkEvent) {
  const inbound = normalise(vkEvent, { receivedAt: new Date(), senderName: 'Anna Petrova' });
  return {
    topic,
    key: inbound.conversationKey,
    value: encode(TOPICS.inbound.schema, inbound),
    headers: { messageId: inbound.messageId, type: messageType(TOPICS.inbound.schema) },
  };
}

async function longPoll(bus, topic, events) {
  for (let from = 0; from < events.length; from += LONG_POLL_BATCH) {
    await bus.publish(events.slice(from, from + LONG_POLL_BATCH).map((e) => record(topic, e)));
  }
}

/** Each request publishes its one event; the adapter's BatchingPublisher lets waiting requests share a send. */
async function callbacks(bus, topic, events) {
  const publisher = new BatchingPublisher(bus);
  let next = 0;
  const worker = async () => {
    while (next < events.length) await publisher.publish([record(topic, events[next++])]);
  };
  await Promise.all(Array.from({ length: CALLBACKS_IN_FLIGHT }, worker));
}

const shapes = {
  longPoll: { label: `Bots Long Poll, ${LONG_POLL_BATCH} events per answer`, publish: longPoll },
  callbacks: {
    label: `Callback API, 1 event per request, ${CALLBACKS_IN_FLIGHT} in flight`,
    publish: callbacks,
  },
};

const events = Array.from({ length: EVENTS }, (_, n) => event(n + 1));
const normaliseStart = performance.now();
for (const e of events) normalise(e, { receivedAt: new Date() });
const normaliseOnly = Math.round(EVENTS / ((performance.now() - normaliseStart) / 1000));

const bus = new KafkaBus({ brokers, clientId: 'bench-vk', logger: silentLogger });
const results = { longPoll: [], callbacks: [] };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, { label, publish }] of Object.entries(shapes)) {
    const topic = `bench.vk-inbound.${run}.${name}.${round}`;
    await bus.ensureTopics([{ topic, partitions: PARTITIONS }]);
    await publish(bus, topic, events.slice(0, 100)); // connects the producer and warms the topic
    const startedAt = performance.now();
    await publish(bus, topic, events);
    const rate = Math.round(EVENTS / ((performance.now() - startedAt) / 1000));
    results[name].push(rate);
    console.log(`round ${round + 1} ${label.padEnd(48)} ${rate.toLocaleString('en-US')} events/s`);
  }
}
await bus.stop();

const format = (n) => n.toLocaleString('en-US');
const best = (name) => Math.max(...results[name]);
console.log(
  `VK inbound: long poll ${format(best('longPoll'))} events/s, callbacks ${format(best('callbacks'))} events/s ` +
    `(target ≥ 2,000); normalising alone ${format(normaliseOnly)} events/s`,
);

const section = `<!-- bench:vk -->
## VK inbound

VK \`message_new\` events (text; a photo on every tenth) normalised to \`InboundMessage\`, encoded and
published with KafkaBus to a fresh ${PARTITIONS}-partition topic, ${format(PEERS)} conversations; an event counts once
the broker acknowledged it (acks=all), which is when the adapter answers VK "ok" or moves its
long-poll ts. ${format(EVENTS)} events per run, best of ${ROUNDS}. \`npm run build && node tools/bench-vk.mjs\`

| | events/s | target |
| --- | ---: | ---: |
| ${shapes.longPoll.label} | **${format(best('longPoll'))}** | ≥ 2,000 |
| ${shapes.callbacks.label} | **${format(best('callbacks'))}** | ≥ 2,000 |
| normalising alone, no broker | ${format(normaliseOnly)} | |

Callback API requests go through the adapter's \`BatchingPublisher\`: the idempotent producer has one
request in flight per broker, so requests that arrive while one is in flight share the next one.
Not included: the adapter's two Postgres round trips per request or answer (seen-event lookup and
insert) and HTTP parsing.

Machine: ${machine()}; broker on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:vk -->`;

await writeBenchmarkSection('vk', section);
