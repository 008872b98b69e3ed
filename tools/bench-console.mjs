// The agent console as agents get it: the built browser files served by the tickets service, in
// Debian's Chromium (playwright-core), on a real broker and Postgres.
// 1. the JavaScript it loads: every script response of a cold load of the queue, gzipped (level 9,
//    as a compressing proxy would send it); also the screens that load later (dashboard, admin);
// 2. time until the queue is usable: from navigation to the queue's rows on screen, for a
//    signed-in supervisor opening "all" with TICKETS open tickets, a new browser context (cold
//    cache) each round.
// Prints the numbers and rewrites the "Agent console" section of docs/benchmarks.md.
// `npm run build && node tools/bench-console.mjs`
//
//   KAFKA_BROKERS          brokers to use (default: the project's local broker, started if need be)
//   DATABASE_URL           Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_CONSOLE_TICKETS  open tickets in the queue (default 200, the queue's page size)
//   BENCH_CONSOLE_ROUNDS   cold loads measured (default 15)
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, URL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
const publicDir = dist('services/agent-console/public');
if (!existsSync(dist('services/agent-console/src/index.js')) || !existsSync(publicDir)) {
  console.error('bench-console: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
require('reflect-metadata');
const { chromium } = require('playwright-core');
const { KafkaBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const contracts = require(dist('libs/contracts/src/index.js'));
const { startService } = require(dist('libs/runtime/src/index.js'));
const { createTestDatabase, sealedToRun, startGroupsAtTopicEnd } = require(
  dist('libs/testing/src/index.js'),
);
const { ticketsService, DEMO_PASSWORD } = require(dist('services/tickets/src/index.js'));
const { serveAgentConsole } = require(dist('services/agent-console/src/index.js'));

const TICKETS = Number(process.env.BENCH_CONSOLE_TICKETS ?? 200);
const ROUNDS = Number(process.env.BENCH_CONSOLE_ROUNDS ?? 15);
const TARGET_GZIP_KB = 30;
const TARGET_USABLE_MS = 1000;

const brokers = process.env.KAFKA_BROKERS
  ? process.env.KAFKA_BROKERS.split(',').map((broker) => broker.trim())
  : startLocalKafka();

function startLocalKafka() {
  execFileSync('bash', [join(root, 'deploy/local/kafka.sh'), 'start'], { stdio: 'inherit' });
  return [`127.0.0.1:${process.env.KAFKA_PORT ?? '9092'}`];
}

function decision(n) {
  const inboundId = randomUUID();
  const customerId = `console-bench-${n}`;
  const now = Date.now();
  const at = (minutes) => contracts.timestampFromDate(new Date(now + minutes * 60_000));
  const channel = [contracts.Channel.EMAIL, contracts.Channel.TELEGRAM, contracts.Channel.WEBFORM][
    n % 3
  ];
  return contracts.create(contracts.RoutingDecisionSchema, {
    decisionId: `decision-${inboundId}`,
    inboundMessageId: inboundId,
    customerId,
    conversationKey: `email:${customerId}`,
    ticketId: randomUUID(),
    disposition: contracts.TicketDisposition.NEW_TICKET,
    teamId: ['first-line', 'billing', 'technical'][n % 3],
    skillIds: ['general'],
    priority: [contracts.Priority.NORMAL, contracts.Priority.HIGH][n % 2],
    // Due times from overdue to hours away: every traffic-light colour in the list.
    firstResponseDueAt: at((n % 40) * 10 - 60),
    resolutionDueAt: at(2400),
    decidedAt: at(0),
    message: {
      messageId: inboundId,
      channel,
      sender: {
        kind: contracts.IdentityKind.EMAIL,
        value: `${customerId}@example.com`,
        displayName: `Customer ${n}`,
      },
      conversationKey: `email:${customerId}`,
      subject: `Question ${n} about my order`,
      textBody: 'Hello, something about my order.',
      receivedAt: at(0),
    },
  });
}

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};
const kb = (bytes) => (bytes / 1024).toFixed(1);

// The service and the publisher only see this run's records (libs/testing's pipeline seal), so
// nothing reaches other services on the shared broker.
const run = `bench-console-${Date.now().toString(36)}`;
const name = `tickets-${run}`;
const database = await createTestDatabase();
await startGroupsAtTopicEnd(brokers, [name]);
// The bench signs in as the demo's agents, so this tickets service seeds the demo.
process.env.FIRSTLINE_DEMO = '1';
const service = await startService(
  {
    ...ticketsService,
    name,
    configure: async (app) => {
      await ticketsService.configure?.(app);
      serveAgentConsole(app);
    },
  },
  {
    bus: sealedToRun(new KafkaBus({ brokers, clientId: name, logger: silentLogger }), run),
    ownsBus: true,
    databaseUrl: database.url,
    databasePoolSize: 4,
    host: '127.0.0.1',
    logLevel: 'silent',
    partitions: 6,
    replicationFactor: 1,
  },
  0,
);
const publisher = sealedToRun(
  new KafkaBus({ brokers, clientId: `${run}-publisher`, logger: silentLogger }),
  run,
);
let browser;
try {
  const decisions = Array.from({ length: TICKETS }, (_, n) => decision(n));
  await publisher.publish(
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
  const login = await globalThis.fetch(`${service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'supervisor@firstline.example', password: DEMO_PASSWORD }),
  });
  const { token } = await login.json();
  for (let waited = 0; ; waited += 250) {
    const queue = await globalThis
      .fetch(`${service.url}/api/v1/queue?view=all&limit=200`, {
        headers: { authorization: `Bearer ${token}` },
      })
      .then((response) => response.json());
    if (queue.tickets.length >= Math.min(TICKETS, 200)) break;
    if (waited > 60_000) throw new Error(`only ${queue.tickets.length} tickets after 60 s`);
    await sleep(250);
  }

  const executablePath = execFileSync('bash', [join(root, 'deploy/local/chromium.sh')], {
    encoding: 'utf8',
  }).trim();
  browser = await chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

  const usable = [];
  let loadedScripts = [];
  for (let round = 0; round <= ROUNDS; round++) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    // Signed in as the tab would be after the login form (the console keeps its token there).
    await context.addInitScript((value) => {
      globalThis.sessionStorage.setItem('firstline.token', value);
    }, token);
    const page = await context.newPage();
    const scripts = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') scripts.push(response);
    });
    await page.goto(`${service.url}/console/#/queue/all`);
    await page.waitForSelector('main#view[data-ready="true"] table.queue tbody tr');
    const ms = await page.evaluate(
      () => globalThis.performance.getEntriesByName('queue-usable')[0]?.startTime ?? NaN,
    );
    const rows = await page.locator('table.queue tbody tr').count();
    if (rows < Math.min(TICKETS, 200)) throw new Error(`the queue showed ${rows} rows`);
    // The first round warms the server (JIT, connection pool); it is not counted.
    if (round > 0) usable.push(ms);
    if (round === 1) {
      loadedScripts = await Promise.all(
        scripts.map(async (response) => ({
          file: new URL(response.url()).pathname.split('/').pop(),
          gzip: gzipSync(await response.body(), { level: 9 }).length,
        })),
      );
    }
    await context.close();
  }

  const gz = (file) => gzipSync(readFileSync(join(publicDir, file)), { level: 9 }).length;
  const allScripts = readdirSync(publicDir).filter((file) => file.endsWith('.js'));
  const later = allScripts.filter((file) => !loadedScripts.some((loaded) => loaded.file === file));
  const queueGzip = loadedScripts.reduce((sum, script) => sum + script.gzip, 0);
  const laterGzip = later.reduce((sum, file) => sum + gz(file), 0);
  const cssGzip = gz('console.css');
  const p50 = quantile(usable, 0.5);
  const p95 = quantile(usable, 0.95);

  console.log(
    `bench-console: queue JS ${kb(queueGzip)} KB gzipped in ${loadedScripts.length} modules ` +
      `(+${kb(laterGzip)} KB for dashboard and admin), CSS ${kb(cssGzip)} KB; ` +
      `queue usable p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms over ${usable.length} cold loads`,
  );

  await writeBenchmarkSection(
    'console',
    `<!-- bench:console -->

## Agent console

The console's built browser files, served by the tickets service, in Debian's Chromium (headless).
\`npm run build && node tools/bench-console.mjs\`

|                                                                        |     measured |   target |
| ---------------------------------------------------------------------- | -----------: | -------: |
| JavaScript loaded for the queue, gzipped                               | **${kb(queueGzip)} KB** | ≤ ${TARGET_GZIP_KB} KB |
| Time until the queue is usable (p50, cold cache, ${Math.min(TICKETS, 200)} tickets) | **${p50.toFixed(0)} ms** | < ${TARGET_USABLE_MS} ms |
| Same, p95 | ${p95.toFixed(0)} ms | |

| loaded for the queue | gzipped (bytes) |
| -------------------- | --------------: |
${loadedScripts.map((script) => `| ${script.file} | ${script.gzip} |`).join('\n')}

- The scripts are plain ES modules (TypeScript compiled and minified by swc, no bundler, no
  framework); the supervisor's dashboard and the admin screens (${later.join(', ')}:
  ${kb(laterGzip)} KB gzipped) load only when opened. The stylesheet is ${kb(cssGzip)} KB gzipped.
- Usable: from navigation start to the queue's rows on screen (the console's \`queue-usable\`
  performance mark), for a signed-in supervisor opening "all"; each of ${usable.length} rounds in a
  new browser context (nothing cached), after one warm-up round. Browser, service, broker and
  Postgres on the same machine, no network throttling.

Machine: ${machine()}; ${new Date().toISOString().slice(0, 10)}.
<!-- /bench:console -->`,
  );
} finally {
  await browser?.close();
  await publisher.stop();
  await service.stop();
  await database.drop();
}
