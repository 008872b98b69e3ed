import { spawn } from 'node:child_process';
import { buildDist } from '@firstline/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { killed, main, root, startFirstline } from './support';

function signIn(url: string, email: string, password: string): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
}

async function query<T>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('the embedded single process (npm start)', () => {
  let dataDir: string;

  beforeAll(() => {
    buildDist();
    dataDir = mkdtempSync(join(tmpdir(), 'firstline-embedded-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('serves every default service healthy, and keeps its data across a kill and a restart', async () => {
    const first = await startFirstline({ DATA_DIR: dataDir });
    try {
      expect(Object.keys(first.urls).sort()).toEqual([
        'channel-chat',
        'channel-webform',
        'router',
        'tickets',
      ]);
      for (const url of Object.values(first.urls)) {
        const health = await fetch(`${url}/health`);
        expect(health.status).toBe(200);
        expect(await health.json()).toMatchObject({
          info: { bus: { status: 'up' }, database: { status: 'up' } },
        });
      }
      // The banner says where to sign in, and as whom.
      expect(first.output).toContain(`Agents' console: ${first.urls.tickets}/console/`);
      expect(first.output).toMatch(
        /^Demo sign-ins, all with the password firstline-demo .*:\n {2}admin@firstline\.example +admin\n {2}supervisor@firstline\.example +supervisor\n {2}ann@firstline\.example +agent, First line and Overflow\n {2}bill@firstline\.example +agent, Billing\n {2}tess@firstline\.example +agent, Technical\n/m,
      );
      expect((await fetch(`${first.urls.tickets}/console/`)).status).toBe(200);
      expect(
        (await signIn(first.urls.tickets, 'bill@firstline.example', 'firstline-demo')).status,
      ).toBe(200);
      await query(first.databaseUrl, 'CREATE TABLE public.survives_kill (note text)');
      await query(first.databaseUrl, 'INSERT INTO public.survives_kill VALUES ($1)', [
        'written before the kill',
      ]);
    } finally {
      await killed(first.child, 'SIGKILL');
    }

    const second = await startFirstline({ DATA_DIR: dataDir });
    try {
      expect((await fetch(`${second.urls.tickets}/health`)).status).toBe(200);
      expect(await query(second.databaseUrl, 'SELECT note FROM public.survives_kill')).toEqual([
        { note: 'written before the kill' },
      ]);
      const migrations = await query<{ name: string }>(
        second.databaseUrl,
        'SELECT name FROM tickets.migrations',
      );
      expect(migrations.map(({ name }) => name)).toContain('CreateOutbox1735689600000');
    } finally {
      expect(await killed(second.child, 'SIGTERM')).toBe(0);
    }
  }, 120_000);

  it('starts without the demo when FIRSTLINE_DEMO=0: no demo sign-ins, a first admin instead', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'firstline-no-demo-'));
    const started = await startFirstline({
      DATA_DIR: dataDir,
      FIRSTLINE_DEMO: '0',
      FIRSTLINE_ADMIN_EMAIL: 'owner@shop.example',
      FIRSTLINE_ADMIN_PASSWORD: 'a password of my own',
    });
    try {
      expect(started.output).not.toContain('firstline-demo');
      expect(started.output).toContain('Sign in as FIRSTLINE_ADMIN_EMAIL');
      expect(
        (await signIn(started.urls.tickets, 'admin@firstline.example', 'firstline-demo')).status,
      ).toBe(401);
      expect(
        (await signIn(started.urls.tickets, 'owner@shop.example', 'a password of my own')).status,
      ).toBe(200);
    } finally {
      expect(await killed(started.child, 'SIGTERM')).toBe(0);
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops at once with one line naming a malformed variable', async () => {
    const child = spawn(process.execPath, [main], {
      cwd: root,
      env: { ...process.env, KAFKA_BROKERS: 'no-port-here', DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([
      'firstline: configuration error: KAFKA_BROKERS is invalid ("no-port-here"): must be a comma-separated list of host:port, e.g. 127.0.0.1:9092',
    ]);
  });
});
