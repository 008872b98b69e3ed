// How long a failed sign-in takes for an account that exists and for an email no account has:
// the two must be alike, or the answer's timing tells which accounts exist. Built code on a real
// Postgres (the in-process bus: no broker is needed for sign-ins). Each attempt comes from its own
// client address (X-Forwarded-For behind one trusted proxy), few per account, so the back-off never
// answers in place of the password check. Prints the numbers and rewrites the "Sign-in" section
// of docs/benchmarks.md.
// `npm run build && node tools/bench-sign-in.mjs`
//
//   DATABASE_URL           Postgres server (default postgres://postgres@127.0.0.1:5432/postgres)
//   BENCH_SIGN_IN_SAMPLES  failed sign-ins of each kind (default 60, at most 90)
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
  console.error('bench-sign-in: dist/ is missing; run `npm run build` first');
  process.exit(1);
}
const { InProcessBus, silentLogger } = require(dist('libs/bus/src/index.js'));
const { startService } = require(dist('libs/runtime/src/index.js'));
const { createTestDatabase } = require(dist('libs/testing/src/index.js'));
const { ticketsService, DEMO_PASSWORD } = require(dist('services/tickets/src/index.js'));

const SAMPLES = Math.min(Number(process.env.BENCH_SIGN_IN_SAMPLES ?? 60), 90);
// Ten accounts take the known-account failures: fewer than the account-wide back-off's 10 each.
const ACCOUNTS = 10;
const WARM_UP = 5;

const database = await createTestDatabase();
process.env.TICKETS_TRUSTED_PROXY_HOPS = '1';
// The bench signs in as the demo's admin, so this tickets service seeds the demo.
process.env.FIRSTLINE_DEMO = '1';
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

let addresses = 0;
/** A sign-in from a client address of its own; its status and milliseconds. */
async function signIn(email, password) {
  addresses++;
  const address = `10.${(addresses >> 16) & 255}.${(addresses >> 8) & 255}.${addresses & 255}`;
  const started = performance.now();
  const response = await globalThis.fetch(`${service.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify({ email, password }),
  });
  const body = await response.json();
  return { status: response.status, ms: performance.now() - started, body };
}

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

try {
  const admin = await signIn('admin@firstline.example', DEMO_PASSWORD);
  const accounts = Array.from({ length: ACCOUNTS }, (_, i) => `bench-${i}@firstline.example`);
  for (const [i, email] of accounts.entries()) {
    const created = await globalThis.fetch(`${service.url}/api/v1/accounts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${admin.body.token}`,
      },
      body: JSON.stringify({
        agentId: `bench-${i}`,
        email,
        name: `Bench ${i}`,
        role: 'agent',
        password: 'the right password',
      }),
    });
    if (created.status !== 201) throw new Error(`creating ${email}: ${created.status}`);
  }

  const known = [];
  const unknown = [];
  for (let i = 0; i < WARM_UP + SAMPLES; i++) {
    // Alternating, so a slow moment of the machine falls on both kinds alike.
    const wrong = await signIn(accounts[i % ACCOUNTS], 'a wrong guess');
    const nobody = await signIn(`nobody-${i}@firstline.example`, 'a wrong guess');
    if (wrong.status !== 401 || nobody.status !== 401) {
      throw new Error(`expected 401 for both, got ${wrong.status} and ${nobody.status}`);
    }
    if (i >= WARM_UP) {
      known.push(wrong.ms);
      unknown.push(nobody.ms);
    }
  }

  const row = (label, values) =>
    `| ${label} | ${percentile(values, 50).toFixed(1)} | ${percentile(values, 95).toFixed(1)} |`;
  const gap = Math.abs(percentile(known, 50) - percentile(unknown, 50));
  console.log(
    `sign-in: known account p50 ${percentile(known, 50).toFixed(1)} ms, unknown p50 ` +
      `${percentile(unknown, 50).toFixed(1)} ms (gap ${gap.toFixed(1)} ms)`,
  );
  await writeBenchmarkSection(
    'sign-in',
    [
      '<!-- bench:sign-in -->',
      '',
      '## Sign-in',
      '',
      'Failed sign-ins over HTTP (`POST /api/v1/auth/login`), the tickets service as built on a',
      'real Postgres. An unknown email checks a throw-away scrypt hash of the same cost, so it must',
      'take as long as a wrong password for an account that exists (before: ~6 ms against ~90 ms).',
      '`npm run build && node tools/bench-sign-in.mjs`',
      '',
      '| failed sign-in | p50 (ms) | p95 (ms) |',
      '| --- | ---: | ---: |',
      row('wrong password, account exists', known),
      row('email no account has', unknown),
      '',
      `- ${SAMPLES} of each after ${WARM_UP} to warm up, alternating, one client address each`,
      `  (X-Forwarded-For behind one trusted proxy); the wrong passwords spread over ${ACCOUNTS}`,
      '  accounts, so the back-off never answers in place of the check. Gap of the medians:',
      `  **${gap.toFixed(1)} ms**.`,
      '',
      `Machine: ${machine()}; Postgres on the same machine. ${new Date().toISOString().slice(0, 10)}.`,
      '<!-- /bench:sign-in -->',
    ].join('\n'),
  );
} finally {
  await service.stop();
  await database.drop();
}
