import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { claimMessage, OutboxRelay, startEmbeddedPostgres } from '@firstline/persistence';
import {
  commitOutbox,
  FakeBus,
  openSchema,
  recordingLogger,
  ticketEvent,
  ticketEventIds,
  waitFor,
} from './support';

// A cold start (initdb in a new data directory) takes seconds.
jest.setTimeout(120_000);

let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'firstline-pglite-'));
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('serves every service its own schema, outbox and inbox, and keeps the data across a restart', async () => {
    const first = await startEmbeddedPostgres({ dataDir });
    // Services start together, each with its own small pool; two replicas of tickets race to migrate.
    const [tickets, ticketsReplica, routing] = await Promise.all([
      openSchema(first.url, 'tickets'),
      openSchema(first.url, 'tickets'),
      openSchema(first.url, 'routing'),
    ]);
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2)]);
    await commitOutbox(routing, [ticketEvent(3)]);
    const claimed = await tickets.transaction((manager) =>
      claimMessage(manager, 'tickets', 'routing-decision-1'),
    );
    // PGlite serves all connections from one session and ignores per-connection search_path:
    // nothing may depend on it, so nothing must land in the shared public schema.
    const publicTables = await routing.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const bus = new FakeBus();
    const relay = new OutboxRelay({
      dataSource: tickets,
      bus,
      logger: recordingLogger().logger,
      pollIntervalMs: 20,
    });
    relay.start();
    await waitFor(async () => (await relay.backlog()) === 0);
    await relay.stop();
    await Promise.all([tickets.destroy(), ticketsReplica.destroy(), routing.destroy()]);
    await first.stop();

    expect(publicTables).toEqual([]);
    expect(claimed).toBe(true);
    expect(bus.messageIds()).toEqual(ticketEventIds(1, 2));

    const second = await startEmbeddedPostgres({ dataDir });
    const { logger, lines } = recordingLogger();
    const reopened = await openSchema(second.url, 'tickets', { logger });
    try {
      expect(lines.map((line) => line.msg)).toEqual(['Schema tickets is up to date']);
      expect(
        await reopened.query(
          'SELECT id, published_at IS NOT NULL AS published FROM tickets.outbox ORDER BY id',
        ),
      ).toEqual([
        { id: '1', published: true },
        { id: '2', published: true },
      ]);
      const claimedAgain = await reopened.transaction((manager) =>
        claimMessage(manager, 'tickets', 'routing-decision-1'),
      );
      expect(claimedAgain).toBe(false);
    } finally {
      await reopened.destroy();
      await second.stop();
    }
  });

  it("never mixes one connection's statements with another's, in transactions or not", async () => {
    const postgres = await startEmbeddedPostgres({ dataDir });
    // Two services' pools, as in `npm start`: transactions and plain queries at the same time.
    const pools = [
      new Pool({ connectionString: postgres.url, max: 4 }),
      new Pool({ connectionString: postgres.url, max: 4 }),
    ];
    const transaction = async (pool: Pool, n: number) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const { rows } = await client.query('SELECT $1::int + 1 AS next', [n]);
        await client.query('SELECT $1::text, $2::text', ['a', 'b']);
        await client.query('COMMIT');
        return rows[0].next as number;
      } finally {
        client.release();
      }
    };
    const query = async (pool: Pool, n: number) =>
      (await pool.query('SELECT $1::int + 1 AS next, $2::text AS label', [n, `n${n}`])).rows[0]
        .next as number;
    try {
      const answers = await Promise.all(
        Array.from({ length: 300 }, (_, n) => (n % 3 === 0 ? transaction : query)(pools[n % 2], n)),
      );
      expect(answers).toEqual(Array.from({ length: 300 }, (_, n) => n + 1));
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await postgres.stop();
    }
  });

  it("is its owner's alone: a connection needs this run's password, and the data is 0700", async () => {
    // A data directory left readable by an earlier version is tightened at start.
    await chmod(dataDir, 0o755);
    const postgres = await startEmbeddedPostgres({ dataDir });
    const signIn = async (url: string) => {
      const client = new Client({ connectionString: url });
      try {
        await client.connect();
        return (await client.query<{ answer: number }>('SELECT 41 + 1 AS answer')).rows[0].answer;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    const url = new URL(postgres.url);
    const withPassword = (password: string) => {
      const other = new URL(url);
      other.password = password;
      return other.toString();
    };
    try {
      expect(url.password).toMatch(/^[\w-]{32}$/);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      await expect(signIn(withPassword(''))).rejects.toThrow(/password/);
      await expect(signIn(withPassword('postgres'))).rejects.toThrow(
        'password authentication failed',
      );
      expect(await signIn(postgres.url)).toBe(42);
    } finally {
      await postgres.stop();
    }
  });
});
