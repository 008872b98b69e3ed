import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import {
  AgentApi,
  buildDist,
  createTestDatabase,
  ensureKafka,
  type TestDatabase,
} from '@firstline/testing';

const root = resolve(__dirname, '../../..');
const main = join(root, 'dist/services/tickets/src/main.js');

interface Started {
  child: ChildProcess;
  url: string;
  /** The service's log lines so far. */
  lines: Array<{ msg?: string }>;
}

/** The tickets service as production runs it: alone, on Kafka and a real Postgres database. */
function startTickets(database: TestDatabase, brokers: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [main], {
    cwd: root,
    env: {
      ...process.env,
      KAFKA_BROKERS: brokers.join(','),
      DATABASE_URL: database.url,
      PORT: '0',
      LOG_LEVEL: 'info',
      FIRSTLINE_DEMO: '',
      FIRSTLINE_ADMIN_EMAIL: '',
      FIRSTLINE_ADMIN_PASSWORD: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((done) => child.on('exit', done));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Whole lines only: a chunk may end in the middle of one.
  const lines = () =>
    stdout
      .split('\n')
      .slice(0, -1)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; url?: string });
  const started = new Promise<Started>((done, fail) => {
    const timer = setTimeout(
      () => fail(new Error(`not listening within 60 s:\n${stdout}`)),
      60_000,
    );
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const listening = lines().find((line) => line.msg?.endsWith('is listening'));
      if (!listening) return;
      clearTimeout(timer);
      done({ child, url: listening.url!, lines: lines() });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`exited with ${code}:\n${stderr}`));
    });
  });
  return { started, exited, stderr: () => stderr };
}

async function stop({ child }: Started): Promise<void> {
  const exited = new Promise((done) => child.once('exit', done));
  child.kill('SIGTERM');
  await exited;
}

async function signIn(url: string, email: string, password: string) {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  const body = (await response.json()) as { token?: string };
  return { status: response.status, api: new AgentApi(`${url}/api/v1`, body.token ?? '') };
}

const accounts = (api: AgentApi) =>
  api.ok<Array<{ email: string; role: string; active: boolean }>>('GET', '/accounts');

const DEMO_ADMIN = 'admin@firstline.example';

describe('the tickets service started alone', () => {
  let brokers: string[];
  const databases: TestDatabase[] = [];
  const freshDatabase = async () => {
    const database = await createTestDatabase();
    databases.push(database);
    return database;
  };

  beforeAll(async () => {
    buildDist();
    brokers = await ensureKafka();
  }, 180_000);
  afterAll(() => Promise.all(databases.map((database) => database.drop())));

  it('refuses the demo password as FIRSTLINE_ADMIN_PASSWORD with one line, before serving', async () => {
    const tickets = startTickets(await freshDatabase(), brokers, {
      FIRSTLINE_ADMIN_EMAIL: 'owner@shop.example',
      FIRSTLINE_ADMIN_PASSWORD: 'firstline-demo',
    });
    // Started after all (the bug): stopped, so that the exit code tells.
    void tickets.started.then(stop, () => undefined);
    expect(await tickets.exited).not.toBe(0);
    expect(tickets.stderr().trim().split('\n')).toEqual([
      'firstline tickets: failed to start: configuration error: FIRSTLINE_ADMIN_PASSWORD is invalid: must not be the demo password, which is published; choose your own',
    ]);
  }, 90_000);

  it('seeds no demo on an empty database: a generated admin password is logged once, and kept on restart', async () => {
    const database = await freshDatabase();
    const first = await startTickets(database, brokers).started;
    const created = first.lines.filter((line) => line.msg?.startsWith('Created the first admin'));
    let password = '';
    try {
      expect(created).toHaveLength(1);
      [, password] = /with the password (\S+) — shown only this once/.exec(created[0].msg!) ?? [];
      expect(password).toMatch(/^[\w-]{24}$/);
      expect((await signIn(first.url, DEMO_ADMIN, 'firstline-demo')).status).toBe(401);
      const admin = await signIn(first.url, 'admin@firstline.invalid', password);
      expect(admin.status).toBe(200);
      expect(await accounts(admin.api)).toEqual([
        expect.objectContaining({ email: 'admin@firstline.invalid', role: 'admin', active: true }),
      ]);
    } finally {
      await stop(first);
    }

    // Admin settings given later change nothing: an admin exists.
    const second = await startTickets(database, brokers, {
      FIRSTLINE_ADMIN_EMAIL: 'owner@shop.example',
      FIRSTLINE_ADMIN_PASSWORD: 'a password of my own',
    }).started;
    try {
      expect(second.lines.filter((line) => line.msg?.includes('password'))).toEqual([]);
      expect((await signIn(second.url, 'owner@shop.example', 'a password of my own')).status).toBe(
        401,
      );
      const admin = await signIn(second.url, 'admin@firstline.invalid', password);
      expect(admin.status).toBe(200);
      expect((await accounts(admin.api)).map((account) => account.email)).toEqual([
        'admin@firstline.invalid',
      ]);
    } finally {
      await stop(second);
    }
  }, 120_000);

  it('makes the first admin from FIRSTLINE_ADMIN_EMAIL and _PASSWORD, once', async () => {
    const database = await freshDatabase();
    const env = {
      FIRSTLINE_ADMIN_EMAIL: 'Owner@Shop.example',
      FIRSTLINE_ADMIN_PASSWORD: 'first of mine',
    };
    const first = await startTickets(database, brokers, env).started;
    try {
      expect(first.lines.map((line) => line.msg)).not.toContainEqual(
        expect.stringContaining('first of mine'),
      );
      const admin = await signIn(first.url, 'owner@shop.example', 'first of mine');
      expect(admin.status).toBe(200);
      expect(await accounts(admin.api)).toEqual([
        expect.objectContaining({ email: 'owner@shop.example', role: 'admin', active: true }),
      ]);
    } finally {
      await stop(first);
    }

    const second = await startTickets(database, brokers, {
      ...env,
      FIRSTLINE_ADMIN_PASSWORD: 'second of mine',
    }).started;
    try {
      expect((await signIn(second.url, 'owner@shop.example', 'second of mine')).status).toBe(401);
      const admin = await signIn(second.url, 'owner@shop.example', 'first of mine');
      expect(admin.status).toBe(200);
      expect(await accounts(admin.api)).toHaveLength(1);
    } finally {
      await stop(second);
    }
  }, 120_000);

  it('takes the demo password away from a database the demo was seeded into', async () => {
    const database = await freshDatabase();
    const demo = await startTickets(database, brokers, { FIRSTLINE_DEMO: '1' }).started;
    try {
      expect((await signIn(demo.url, DEMO_ADMIN, 'firstline-demo')).status).toBe(200);
    } finally {
      await stop(demo);
    }

    // The demo admin's own address cannot become the first admin; nothing is changed by trying.
    const taken = startTickets(database, brokers, {
      FIRSTLINE_ADMIN_EMAIL: DEMO_ADMIN,
      FIRSTLINE_ADMIN_PASSWORD: 'a password of my own',
    });
    void taken.started.then(stop, () => undefined);
    expect(await taken.exited).not.toBe(0);
    expect(taken.stderr()).toContain('set FIRSTLINE_ADMIN_EMAIL to another address');

    const alone = await startTickets(database, brokers, {
      FIRSTLINE_ADMIN_EMAIL: 'owner@shop.example',
      FIRSTLINE_ADMIN_PASSWORD: 'a password of my own',
    }).started;
    try {
      expect((await signIn(alone.url, DEMO_ADMIN, 'firstline-demo')).status).toBe(401);
      expect((await signIn(alone.url, 'ann@firstline.example', 'firstline-demo')).status).toBe(401);
      const admin = await signIn(alone.url, 'owner@shop.example', 'a password of my own');
      expect(admin.status).toBe(200);
      // The demo's agents and their tickets stay, for an admin to give new passwords.
      expect((await accounts(admin.api)).map((account) => account.email)).toContain(DEMO_ADMIN);
    } finally {
      await stop(alone);
    }
  }, 180_000);
});
