// Throughput of the Telegram adapter's inbound path: Bot API updates normalised to InboundMessages
// and published through a real Kafka broker (acks=all), with the adapter's own code
// (TelegramInbound.accept, which webhook and long polling both call). Two shapes:
//   - long polling: one bot, getUpdates batches of 100 (the Bot API's maximum), one after another,
//     as the polling loop runs them: each batch waits for the broker's acknowledgement;
//   - webhook: one update per request, 50 requests in flight (Telegram's max_connections default
//     is 40; a few bots together go past it).
// Records go to a fresh topic, not support.inbound.v1, so nothing downstream sees them.
// Prints the rates and rewrites the "Telegram inbound" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-telegram.mjs`.
//
//   KAFKA_BROKERS            brokers to use (default: the project's local broker, started if need be)
//   BENCH_TELEGRAM_UPDATES   updates per run (default 20000)
//   BENCH_TELEGRAM_ROUNDS    runs of each shape; the best counts (default 3)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = (path) => {
  const file = join(root, 'dist', path);
  if (!existsSync(file)) {
    console.error(`bench-telegram: ${file} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
  return require(file);
};
require('reflect-metadata');
const { KafkaBus, silentLogger } = built('libs/bus/src/index.js');
const { normalise } = built('libs/telegram/src/index.js');
const { TelegramInbound } = built('services/channel-telegram/src/inbound.js');

const UPDATES = Number(process.env.BENCH_TELEGRAM_UPDATES ?? 20_000);
const ROUNDS = Number(process.env.BENCH_TELEGRAM_ROUNDS ?? 3);
const POLL_BATCH = 100;
const WEBHOOK_CONCURRENCY = 50;
const CUSTOMERS = 1_000;
const PARTITIONS = 6;
const TARGET = 2_000;

const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();
const run = Date.now().toString(36);

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

/** A mix of what customers send: mostly text, some photos, documents, edits and shared contacts. */
function update(n) {
  const userId = 100_000 + (n % CUSTOMERS);
  const from = { id: userId, is_bot: false, first_name: 'Customer', username: `c${userId}` };
  const base = {
    message_id: n,
    date: 1_790_000_000 + n,
    chat: { id: userId, type: 'private', first_name: 'Customer' },
    from,
  };
  const kind = n % 20;
  if (kind < 14)
    return {
      update_id: n,
      message: { ...base, text: `Where is my order #${n}? It was due yesterday.` },
    };
  if (kind < 16) {
    const photo = (size) => ({
      file_id: `AgAC${n}${size}`,
      file_unique_id: `u${n}${size}`,
      width: size,
      height: size,
      file_size: size * 100,
    });
    return {
      update_id: n,
      message: {
        ...base,
        caption: 'broken on arrival',
        photo: [photo(90), photo(320), photo(1280)],
      },
    };
  }
  if (kind === 16) {
    return {
      update_id: n,
      message: {
        ...base,
        document: {
          file_id: `BQAC${n}`,
          file_unique_id: `d${n}`,
          file_name: 'invoice.pdf',
          mime_type: 'application/pdf',
          file_size: 48_213,
        },
      },
    };
  }
  if (kind === 17)
    return {
      update_id: n,
      message: {
        ...base,
        contact: { phone_number: '4915112345678', first_name: 'Customer', user_id: userId },
      },
    };
  return {
    update_id: n,
    edited_message: {
      ...base,
      edit_date: base.date + 30,
      text: `Where is my order #${n}? (edited)`,
    },
  };
}

const updates = Array.from({ length: UPDATES }, (_, i) => update(i + 1));
const bot = {
  config: { name: 'bench', token: '1:BENCH', mode: 'polling' },
  context: { name: 'bench', filesBaseUrl: 'http://127.0.0.1:3004' },
};

async function withInbound(round, shape, work) {
  const topic = `bench.telegram-${shape}.${run}.${round}`;
  const bus = new KafkaBus({ brokers, clientId: 'bench-telegram', logger: silentLogger });
  await bus.ensureTopics([{ topic, partitions: PARTITIONS }]);
  // The adapter's own publishing code, pointed at the bench's topic.
  const inbound = new TelegramInbound({
    publish: (records) => bus.publish(records.map((record) => ({ ...record, topic }))),
  });
  await inbound.accept(bot, [update(0)]); // connects the producer before the clock starts
  const startedAt = performance.now();
  await work(inbound);
  const rate = Math.round(UPDATES / ((performance.now() - startedAt) / 1000));
  await bus.stop();
  return rate;
}

const shapes = {
  polling: {
    label: `long polling, batches of ${POLL_BATCH}`,
    measure: (round) =>
      withInbound(round, 'polling', async (inbound) => {
        for (let from = 0; from < UPDATES; from += POLL_BATCH) {
          await inbound.accept(bot, updates.slice(from, from + POLL_BATCH));
        }
      }),
  },
  webhook: {
    label: `webhook, ${WEBHOOK_CONCURRENCY} requests in flight`,
    measure: (round) =>
      withInbound(round, 'webhook', async (inbound) => {
        let next = 0;
        const worker = async () => {
          while (next < UPDATES) await inbound.accept(bot, [updates[next++]]);
        };
        await Promise.all(Array.from({ length: WEBHOOK_CONCURRENCY }, worker));
      }),
  },
};

function normaliseOnly() {
  const receivedAt = new Date();
  const startedAt = performance.now();
  for (const u of updates) normalise(u, bot.context, receivedAt);
  return Math.round(UPDATES / ((performance.now() - startedAt) / 1000));
}

const format = (n) => n.toLocaleString('en-US');
const results = { polling: [], webhook: [] };
for (let round = 0; round < ROUNDS; round += 1) {
  for (const [name, { label, measure }] of Object.entries(shapes)) {
    results[name].push(await measure(round));
    console.log(`round ${round + 1} ${label.padEnd(32)} ${format(results[name].at(-1))} updates/s`);
  }
}
const normaliseRate = Math.max(...Array.from({ length: ROUNDS }, normaliseOnly));
const best = (name) => Math.max(...results[name]);
const verdict = (rate) =>
  rate >= TARGET ? `meets ≥ ${format(TARGET)}` : `**below** ${format(TARGET)}`;
console.log(
  `Telegram inbound: polling ${format(best('polling'))}/s, webhook ${format(best('webhook'))}/s ` +
    `(target ≥ ${format(TARGET)}/s); normalise alone ${format(normaliseRate)}/s`,
);

const section = `<!-- bench:telegram -->
## Telegram inbound

Bot API updates normalised to \`InboundMessage\`s and published through a real Kafka broker
(acks=all) by the adapter's own \`TelegramInbound.accept\`, the code both webhook and long polling
run: ${format(UPDATES)} updates (70 % text, 10 % photos, 5 % documents, 5 % shared contacts, 10 %
edits) from ${format(CUSTOMERS)} customers, into a fresh ${PARTITIONS}-partition topic. The clock runs
from the first update to the last acknowledgement. Best of ${ROUNDS} runs.
\`npm run build && node tools/bench-telegram.mjs\`

| | updates/s | target |
| --- | ---: | --- |
| ${shapes.polling.label}, one after another | ${format(best('polling'))} | ${verdict(best('polling'))} |
| ${shapes.webhook.label}, one update each | ${format(best('webhook'))} | ${verdict(best('webhook'))} |
| normalise alone, no broker | ${format(normaliseRate)} | |

One bot polls one batch at a time (the offset must follow the acknowledgement), so its rate is
a batch per broker round trip; several bots poll in parallel. Not included: the getUpdates call
itself and the offset write (one Postgres round trip per batch), and HTTP parsing for webhooks.

Machine: ${machine()}; broker on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:telegram -->`;

await writeBenchmarkSection('telegram', section);
