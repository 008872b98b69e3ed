import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { errorKind } from '@firstline/errors';
import { createDataSource, databaseUnavailable } from '@firstline/persistence';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { openSchema, waitFor } from './support';

let database: TestDatabase;
const opened: DataSource[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(
    opened.splice(0).map((dataSource) => dataSource.isInitialized && dataSource.destroy()),
  );
});

async function sessionsOf(admin: Pool, applicationName: string, state: string): Promise<number> {
  const { rows } = await admin.query<{ count: string }>(
    `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND state = $2`,
    [applicationName, state],
  );
  return Number(rows[0].count);
}

afterAll(async () => {
  await database.drop();
});

async function open(applicationName: string): Promise<DataSource> {
  const dataSource = await openSchema(database.url, 'errors_test', { applicationName });
  opened.push(dataSource);
  return dataSource;
}

async function failureOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected the database work to fail');
}

describe('a database that cannot serve is unavailable, not the record at fault', () => {
  it('a session the server ends (a restart) is unavailable', async () => {
    const dataSource = await open('errors-terminated');
    const admin = database.pool();
    const error = await failureOf(() =>
      dataSource.transaction(async (manager) => {
        const sleeping = manager.query('SELECT pg_sleep(10)');
        await waitFor(async () => (await sessionsOf(admin, 'errors-terminated', 'active')) > 0);
        await admin.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`,
          ['errors-terminated'],
        );
        await sleeping;
      }),
    );
    expect(errorKind(error)).toBe('unavailable');
  });

  it('a refused connection is unavailable', async () => {
    const url = new URL(database.url);
    url.port = '1'; // nothing listens there
    const dataSource = createDataSource({
      url: url.toString(),
      schema: 'errors_test',
      migrations: [],
    });
    const error = await failureOf(() => dataSource.initialize());
    expect(errorKind(error)).toBe('unavailable');
  });

  it('a pool with no connection to give in time is unavailable', async () => {
    const dataSource = await open('errors-pool');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // The pool has two connections: both stay busy past the connection timeout.
    let holding = 0;
    const holders = [1, 2].map(() =>
      dataSource.transaction(async (manager) => {
        await manager.query('SELECT 1');
        holding += 1;
        await held;
      }),
    );
    await waitFor(() => holding === 2);
    const error = await failureOf(() => dataSource.query('SELECT 1'));
    release();
    await Promise.all(holders);
    expect(String(error)).toContain('timeout exceeded when trying to connect');
    expect(errorKind(error)).toBe('unavailable');
  }, 20_000);

  it("a statement's own failure is not", async () => {
    const dataSource = await open('errors-statement');
    const duplicate = await failureOf(() =>
      dataSource.query(
        `INSERT INTO errors_test.processed_message (consumer, message_id)
         VALUES ('c', 'm'), ('c', 'm')`,
      ),
    );
    const syntax = await failureOf(() => dataSource.query('SELEKT 1'));
    for (const error of [duplicate, syntax]) {
      expect(databaseUnavailable(error)).toBe(false);
      expect(errorKind(error)).toBe('retryable');
    }
  });
});
