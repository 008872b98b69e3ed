import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBus, silentLogger } from '@firstline/bus';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '@firstline/persistence';
import { startService, type RunningService } from '@firstline/runtime';
import { DEMO_PASSWORD, ticketsService } from '../src';

// A cold start of PGlite (initdb in a new data directory) and the migrations take a while.
jest.setTimeout(180_000);

/** The embedded mode's database: PGlite, one session for every connection. */
describe('agent accounts on the embedded database', () => {
  let dataDir: string;
  let database: EmbeddedPostgres;
  let tickets: RunningService;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'firstline-accounts-'));
    database = await startEmbeddedPostgres({ dataDir });
    tickets = await startService(
      ticketsService,
      {
        // As `npm start` runs it, with the demo's accounts.
        mode: 'embedded',
        bus: new InProcessBus({ logger: silentLogger }),
        ownsBus: true,
        databaseUrl: database.url,
        databasePoolSize: 2,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 1,
        replicationFactor: 1,
      },
      0,
    );
  });

  afterAll(async () => {
    await tickets?.stop();
    await database?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, token?: string) =>
    fetch(`${tickets.url}/api/v1${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
      // A hang guard: the first version waited on itself here for good.
      signal: AbortSignal.timeout(30_000),
    });

  it('creates an account the new agent signs in with', async () => {
    const admin = await post('/auth/login', {
      email: 'admin@firstline.example',
      password: DEMO_PASSWORD,
    });
    const { token } = (await admin.json()) as { token: string };
    const created = await post(
      '/accounts',
      {
        agentId: 'nina',
        email: 'nina@firstline.example',
        name: 'Nina New',
        role: 'agent',
        password: 'first password',
        teamIds: ['first-line'],
      },
      token,
    );
    expect(created.status).toBe(201);
    const nina = await post('/auth/login', {
      email: 'nina@firstline.example',
      password: 'first password',
    });
    expect(nina.status).toBe(200);
  });
});
