// The rule-change preview (`POST /api/v1/rules/draft/preview`, docs/adr/0024) over a tickets
// database whose last 14 days hold 100,000 tickets opened by customers' messages, each with two
// more messages after it: how long an admin waits for the replay of every one of them through the
// demo's live rules and a draft. Built code on a real Postgres, the in-process bus (the preview
// needs no broker). The data is made in SQL (generate_series): support words in Russian and
// English, web-form topics and fields, customers' tiers and tags. Prints the numbers and rewrites
// the "Rule-change preview" section of docs/benchmarks.md.
// `npm run build && node tools/bench-rule-preview.mjs`
//
//   DATABASE_URL                  Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_RULE_PREVIEW_TICKETS    tickets opened in the window (default 100,000)
//   BENCH_RULE_PREVIEW_ROUNDS     previews measured (default 5)
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { machine, writeBenchmarkSection } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (path) => join(root, 'dist', path);
if (!existsSync(dist('services/tickets/src/index.js'))) {
  console.error('bench-rule-preview: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { InProcessBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const { startService } = require(dist('libs/runtime/src/index.js'));
const { createTestDatabase } = require(dist('libs/testing/src/index.js'));
const { ticketsService, DEMO_PASSWORD } = require(dist('services/tickets/src/index.js'));

const TICKETS = Number(process.env.BENCH_RULE_PREVIEW_TICKETS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_RULE_PREVIEW_ROUNDS ?? 5);
const CUSTOMERS = Math.ceil(TICKETS / 2);
const DAYS = 14;
const WORDS = `оплата оплату возврат деньги счёт заказ доставка посылка курьер карта ошибка
  приложение пароль войти аккаунт подписка списали тариф скидка не работает здравствуйте спасибо
  payment refund invoice charged card order delivery parcel courier account password login
  subscription cancel discount error crash app broken please hello thanks urgent waiting`.split(
  /\s+/,
);
const WORDS_PER_MESSAGE = 14;

const database = await createTestDatabase();
const pool = database.pool(2);
process.env.FIRSTLINE_DEMO = '1'; // the demo's rules are the live ones; its admin previews
const service = await startService(
  ticketsService,
  {
    bus: new InProcessBus({ logger: silentLogger }),
    ownsBus: true,
    databaseUrl: database.url,
    databasePoolSize: 4,
    host: '127.0.0.1',
    logLevel: 'silent',
    partitions: 1,
    replicationFactor: 1,
  },
  0,
);

const seconds = (started) => ((performance.now() - started) / 1000).toFixed(0);

async function generate() {
  const started = performance.now();
  await pool.query(
    `INSERT INTO tickets.customer (id, display_name, tier, tags)
     SELECT 'c' || g, 'Customer ' || g, CASE WHEN g % 20 = 0 THEN 'vip' ELSE '' END,
            CASE WHEN g % 7 = 0 THEN ARRAY['reseller'] ELSE '{}' END
     FROM generate_series(1, $1) g`,
    [CUSTOMERS],
  );
  // Opened over the last 14 days, evenly; a third through the web form with a topic.
  await pool.query(
    `INSERT INTO tickets.ticket (id, number, customer_id, conversation_key, channel, recipient,
       subject, status, priority, team_id, language, created_at, updated_at)
     SELECT 't' || g, 100000 + g, 'c' || (1 + g % $2), 'k' || g, CASE WHEN g % 3 = 0 THEN 5 ELSE 1 + g % 4 END,
            '{}', '', 'open', 2, 'first-line', CASE WHEN g % 2 = 0 THEN 'ru' ELSE 'en' END,
            now() - make_interval(secs => g * ($3 * 86400.0 / $1)),
            now() - make_interval(secs => g * ($3 * 86400.0 / $1))
     FROM generate_series(1, $1) g`,
    [TICKETS, CUSTOMERS, DAYS],
  );
  // The opening message of each ticket, then two later ones (an agent's answer, the customer's).
  for (const [offset, direction] of [
    [0, 'in'],
    [60, 'out'],
    [120, 'in'],
  ]) {
    await pool.query(
      `INSERT INTO tickets.message (id, ticket_id, direction, author_kind, author_id, channel,
         subject, text_body, form_topic, form_fields, sender, language, created_at)
       SELECT 'm' || g || '-' || $3::int, t.id, $4, CASE WHEN $4 = 'in' THEN 'customer' ELSE 'agent' END,
              'a', t.channel, 'Question ' || g,
              (SELECT string_agg(($2::text[])[1 + floor(random() * cardinality($2::text[]))::int], ' ')
                 FROM generate_series(1, $5) WHERE g > 0),
              CASE WHEN t.channel = 5 THEN (ARRAY['billing', 'bug', 'question'])[1 + g % 3] END,
              CASE WHEN t.channel = 5 THEN jsonb_build_object('plan', (ARRAY['free', 'pro', 'enterprise'])[1 + g % 3]) ELSE '{}' END,
              'customer' || g || '@example.com', t.language,
              t.created_at - interval '1 second' + make_interval(mins => $3::int)
       FROM generate_series(1, $1) g JOIN tickets.ticket t ON t.id = 't' || g`,
      [TICKETS, WORDS, offset, direction, WORDS_PER_MESSAGE],
    );
    console.log(`bench-rule-preview: messages at +${offset} min (${seconds(started)} s)`);
  }
  await pool.query('ANALYZE tickets.customer, tickets.ticket, tickets.message');
  return Math.round((performance.now() - started) / 1000);
}

async function call(token, method, path, body) {
  const started = performance.now();
  const response = await globalThis.fetch(`${service.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return { ms: performance.now() - started, body: answer };
}

try {
  const loadBefore = os.loadavg()[0];
  const generationSeconds = await generate();
  const login = await globalThis.fetch(`${service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'admin@firstline.example', password: DEMO_PASSWORD }),
  });
  const { token } = await login.json();
  const [live] = (await call(token, 'GET', '/directory/rule_set')).body;
  const rule = (id, field, operator, values, teamId, key = '') => ({
    id,
    conditions: [{ field, operator, values, key }],
    actions: { teamId },
  });
  // Three exceptions put first: VIPs, enterprise plans on the form, resellers writing of parcels.
  const draft = {
    ...live.ruleSet,
    rules: [
      rule('vip', 'RULE_FIELD_CUSTOMER_TIER', 'RULE_OPERATOR_EQUALS_ANY', ['vip'], 'overflow'),
      rule(
        'enterprise',
        'RULE_FIELD_FORM_FIELD',
        'RULE_OPERATOR_EQUALS_ANY',
        ['enterprise'],
        'technical',
        'plan',
      ),
      rule('parcels', 'RULE_FIELD_TEXT', 'RULE_OPERATOR_MATCHES_ANY', ['посылк|parcel'], 'billing'),
      ...live.ruleSet.rules,
    ],
  };
  await call(token, 'PUT', '/rules/draft', draft);
  const previews = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The service runs in this process: its CPU time is the replay's cost, whatever else the
    // machine is doing meanwhile (Postgres's own time is not in it).
    const cpu = process.cpuUsage();
    const { ms, body } = await call(token, 'POST', '/rules/draft/preview', { days: DAYS });
    const { user, system } = process.cpuUsage(cpu);
    previews.push({ ms, cpuMs: (user + system) / 1000, body });
    console.log(
      `bench-rule-preview: ${body.messages} messages replayed in ${body.tookMs} ms (${ms.toFixed(0)} ms over HTTP, ${((user + system) / 1000).toFixed(0)} ms CPU of the service), ${body.moved} moved`,
    );
  }
  const loadAfter = os.loadavg()[0];
  const sorted = previews.map((preview) => preview.ms).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)];
  const cpuSorted = previews.map((preview) => preview.cpuMs).sort((a, b) => a - b);
  const cpuMedian = cpuSorted[Math.floor(cpuSorted.length / 2)];
  const last = previews.at(-1).body;
  const perSecond = Math.round(last.messages / (median / 1000));
  console.log(`bench-rule-preview: median ${median.toFixed(0)} ms, ${perSecond} messages/s`);

  await writeBenchmarkSection(
    'rule-preview',
    [
      '<!-- bench:rule-preview -->',
      '',
      '## Rule-change preview',
      '',
      `\`POST /api/v1/rules/draft/preview\` over HTTP, the tickets service as built on a real Postgres`,
      `holding ${TICKETS.toLocaleString('en')} tickets opened in the last ${DAYS} days, ${(3 * TICKETS).toLocaleString('en')} messages, of`,
      `${CUSTOMERS.toLocaleString('en')} customers, made in SQL (\`generate_series\`, ${generationSeconds} s). Every opening message`,
      `is replayed through the demo's live rules and a draft with three rules put first (a tier, a form`,
      `field, a pattern). \`npm run build && node tools/bench-rule-preview.mjs\``,
      '',
      '| | measured |',
      '| --- | ---: |',
      `| Messages replayed per preview | ${last.messages.toLocaleString('en')} |`,
      `| Preview over HTTP, median of ${ROUNDS} | **${(median / 1000).toFixed(2)} s** |`,
      `| Preview over HTTP, fastest | ${(sorted[0] / 1000).toFixed(2)} s |`,
      `| Preview over HTTP, slowest | ${(sorted.at(-1) / 1000).toFixed(2)} s |`,
      `| Messages per second, at the median | ${perSecond.toLocaleString('en')} |`,
      `| CPU time of the service (classification, reading rows), median | ${(cpuMedian / 1000).toFixed(2)} s |`,
      `| Moved by the draft | ${last.moved.toLocaleString('en')} |`,
      '',
      `Load average (1 min) ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${machine()}.`,
      '',
      '<!-- /bench:rule-preview -->',
    ].join('\n'),
  );
} finally {
  await service.stop();
  await database.drop();
}
