// Inbound email throughput: 10,000 mixed mails (the project's own fixtures: replies from several
// clients, HTML with inline images and attachments, auto-replies, bounces) in GreenMail mailboxes,
// read over IMAP by the channel's own MailboxReader (one per mailbox, concurrently, as the service
// runs them), normalised and published to a real Kafka broker batch by batch, each checkpoint
// moving after its acknowledged batch. The clock runs from the readers' start to every checkpoint
// reaching its last UID. Parsing alone is measured too, and so is the worst case: the slowest
// `normalise` over the adversarial mails of libs/testing (up to 1 MB each, built to be slow), beside
// the slowest of the ordinary fixtures in the same run.
// The mails are spread over several mailboxes because GreenMail looks a message up in time linear
// in the mailbox's size: from one mailbox of 10,000 it serves about 50 messages/s, whatever reads.
// Prints the rates and rewrites the "Email inbound throughput" section of docs/benchmarks.md.
// Runs the built code: `npm run build && node tools/bench-email.mjs`.
//
//   KAFKA_BROKERS        brokers to use (default: the project's local broker, started if need be)
//   BENCH_EMAIL_MAILS    mails in the mailbox (default 10000)
//   BENCH_EMAIL_BATCH    mails per batch (default 100, the channel's default EMAIL_BATCH_SIZE)
//   BENCH_EMAIL_MAILBOXES  mailboxes the mails are spread over (default 10)
import { Buffer } from 'node:buffer';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('services/channel-email/src/inbound/mailbox-reader.js'))) {
  console.error('bench-email: dist/ is missing the channel; run `npm run build` first');
  process.exit(1);
}
const { ImapFlow } = require('imapflow');
const { KafkaBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const { TOPICS } = require(dist('libs/contracts/src/index.js'));
const { normalise } = require(dist('libs/email/src/index.js'));
const { MailboxReader } = require(dist('services/channel-email/src/inbound/mailbox-reader.js'));
const { inboundRecord } = require(dist('services/channel-email/src/records.js'));
const { adversarialMails } = require(dist('libs/testing/src/adversarial-mail.js'));

const MAILS = Number(process.env.BENCH_EMAIL_MAILS ?? 10_000);
const BATCH = Number(process.env.BENCH_EMAIL_BATCH ?? 100);
const MAILBOXES = Number(process.env.BENCH_EMAIL_MAILBOXES ?? 10);

const script = (name) =>
  execFileSync('bash', [join(root, 'deploy/local', name), 'start'], { stdio: 'inherit' });
const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : (script('kafka.sh'), ['127.0.0.1:9092']);
script('greenmail.sh');
const imap = {
  host: '127.0.0.1',
  port: Number(process.env.GREENMAIL_IMAP_PORT ?? 3143),
  secure: false,
};

const fixtures = join(root, 'libs/email/test/fixtures');
const templates = readdirSync(fixtures)
  .filter((name) => name.endsWith('.eml'))
  .sort()
  .map((name) => readFileSync(join(fixtures, name), 'latin1'));
/** Mail number i: a fixture with a Message-ID of its own, so that every mail is a new message. */
const mailNumber = (i) => {
  const template = templates[i % templates.length];
  const id = `<bench-${i}@bench.firstline.test>`;
  const text = /^Message-ID:.*$/im.test(template)
    ? template.replace(/^Message-ID:.*$/im, `Message-ID: ${id}`)
    : `Message-ID: ${id}\r\n${template}`;
  return Buffer.from(text, 'latin1');
};

const run = Date.now().toString(36);
const users = Array.from(
  { length: MAILBOXES },
  (_, box) => `bench-${run}-${box}@bench.firstline.test`,
);

console.log(`bench-email: filling ${MAILBOXES} mailboxes with ${MAILS} mails`);
let filledAt = performance.now();
await Promise.all(
  users.map(async (user, box) => {
    const client = new ImapFlow({ ...imap, auth: { user, pass: 'bench' }, logger: false });
    await client.connect();
    for (let i = box; i < MAILS; i += MAILBOXES) await client.append('INBOX', mailNumber(i));
    await client.logout();
  }),
);
filledAt = performance.now() - filledAt;

// Parsing alone, on the same mails in memory.
let parseMs = performance.now();
for (let i = 0; i < MAILS; i++) await normalise(mailNumber(i), { receivedAt: new Date() });
parseMs = performance.now() - parseMs;

// The worst case: each mail's median of three runs, in processor time (what the mail costs; on a
// shared machine the wall clock also counts other processes' turns) and wall clock; the ordinary
// fixtures are the baseline.
const median = (values) => values.sort((a, b) => a - b)[1];
const timeOf = async (raw) => {
  const cpu = [];
  const wall = [];
  for (let run = 0; run < 3; run++) {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    await normalise(raw, { receivedAt: new Date() });
    wall.push(performance.now() - started);
    const used = process.cpuUsage(cpuBefore);
    cpu.push((used.user + used.system) / 1000);
  }
  return { cpuMs: median(cpu), wallMs: median(wall) };
};
const slowest = async (mails) => {
  let worst = { name: '', cpuMs: 0, wallMs: 0 };
  for (const mail of mails) {
    const time = await timeOf(mail.raw());
    if (time.cpuMs > worst.cpuMs) worst = { name: mail.name, ...time };
  }
  return worst;
};
const fixtureMails = readdirSync(fixtures)
  .filter((name) => name.endsWith('.eml'))
  .sort()
  .map((name) => ({ name, raw: () => readFileSync(join(fixtures, name)) }));
const adversarial = adversarialMails(
  20261203,
  fixtureMails.map((mail) => mail.raw()),
);
const baseline = await slowest(fixtureMails);
const worst = await slowest(adversarial);
console.log(
  `bench-email: slowest normalise ${worst.cpuMs.toFixed(1)} ms processor time (${worst.wallMs.toFixed(1)} ms wall) over ${adversarial.length} adversarial mails (${worst.name}); slowest fixture ${baseline.cpuMs.toFixed(1)} ms (${baseline.wallMs.toFixed(1)} ms wall)`,
);

const bus = new KafkaBus({ brokers, clientId: 'bench-email', logger: silentLogger });
await bus.ensureTopics([{ topic: TOPICS.inbound.name, partitions: 6 }]);
let published = 0;
let finished;
const done = new Promise((resolve) => (finished = resolve));
const readers = users.map((user) => {
  let checkpoint;
  const mailbox = {
    name: `${user}@${imap.host}/INBOX`,
    ...imap,
    user,
    password: 'bench',
    folder: 'INBOX',
    processed: { action: 'none' },
  };
  return new MailboxReader(mailbox, {
    pollIntervalMs: 1_000,
    batchSize: BATCH,
    checkpoint: async () => checkpoint,
    saveCheckpoint: async (_name, saved) => {
      checkpoint = saved;
      if (published >= MAILS) finished();
    },
    publish: async (_box, _uidValidity, mails) => {
      const records = [];
      for (const mail of mails) {
        const { message } = await normalise(mail.source, { receivedAt: new Date() });
        records.push(inboundRecord(message));
      }
      await bus.publish(records);
      published += records.length;
    },
  });
});
const startedAt = performance.now();
for (const reader of readers) reader.start();
await done;
const readMs = performance.now() - startedAt;
await Promise.all(readers.map((reader) => reader.stop()));
await bus.stop();

const rate = (count, ms) => Math.round((count * 1000) / ms);
const format = (n) => n.toLocaleString('en-US');
const endToEnd = rate(MAILS, readMs);
console.log(
  `bench-email: ${format(endToEnd)} mails/s read, parsed and published; parsing alone ${format(rate(MAILS, parseMs))} mails/s; filling the mailbox took ${(filledAt / 1000).toFixed(1)} s`,
);

const section = `<!-- bench:email -->
## Email inbound throughput

${format(MAILS)} mixed mails (the project's fixtures: Gmail, Outlook, Apple Mail and Thunderbird
replies, HTML with an inline image and an attachment, an out-of-office reply, a newsletter, a
bounce) in ${MAILBOXES} GreenMail mailboxes, read by the channel's \`MailboxReader\`s over IMAP in batches of
${BATCH}, normalised and published to \`${TOPICS.inbound.name}\` on a real broker, each checkpoint
moving after its acknowledged batch. The attachment store (Postgres) is left out. GreenMail finds a
message in time linear in the mailbox's size, so one mailbox of 10,000 is served at about 50
mails/s whatever reads it; hence several mailboxes.
\`npm run build && node tools/bench-email.mjs\`

| | mails/s |
| --- | ---: |
| read, parsed and published | **${format(endToEnd)}** (target ≥ 500) |
| parsing alone (\`normalise\`, in memory) | ${format(rate(MAILS, parseMs))} |

| \`normalise\`, slowest mail (median of 3 runs) | processor ms | wall ms |
| --- | ---: | ---: |
| ${adversarial.length} adversarial mails up to 1 MB (libs/testing \`adversarialMails\`): ${worst.name} | **${worst.cpuMs.toFixed(1)}** (bound 250) | ${worst.wallMs.toFixed(1)} |
| baseline: the ${fixtureMails.length} fixtures above, same run | ${baseline.cpuMs.toFixed(1)} | ${baseline.wallMs.toFixed(1)} |

Machine: ${machine()}; broker and GreenMail on the same machine. ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:email -->`;

await writeBenchmarkSection('email', section);
