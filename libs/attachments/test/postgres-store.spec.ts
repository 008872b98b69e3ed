import { randomBytes } from 'node:crypto';
import type { QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import {
  CreateAttachmentStore1797200000000,
  DATABASE_PART_BYTES,
  PostgresAttachmentStore,
  type SqlClient,
} from '../src/stores';
import { attachmentStoreContract } from './store-contract';

async function openStore(database: TestDatabase): Promise<SqlClient> {
  const pool = database.pool(4);
  const client: SqlClient = {
    query: async <T>(sql: string, parameters?: unknown[]) =>
      (await pool.query(sql, parameters)).rows as T,
  };
  // Run twice, as it is by every service that stores files.
  const migration = new CreateAttachmentStore1797200000000();
  await migration.up(client as unknown as QueryRunner);
  await migration.up(client as unknown as QueryRunner);
  return client;
}

attachmentStoreContract('Postgres (schema attachment)', async () => {
  const database = await createTestDatabase();
  return {
    store: new PostgresAttachmentStore(await openStore(database)),
    partBytes: DATABASE_PART_BYTES,
    close: () => database.drop(),
  };
});

describe('the Postgres attachment store', () => {
  let database: TestDatabase;
  let client: SqlClient;
  beforeAll(async () => {
    database = await createTestDatabase();
    client = await openStore(database);
  });
  afterAll(() => database.drop());

  it('sweeps the parts of an upload a client abandoned, once they are older than the grace time', async () => {
    const store = new PostgresAttachmentStore(client);
    const abandoned = store.stage();
    await abandoned.write(randomBytes(DATABASE_PART_BYTES * 2));
    expect(await store.sweepAbandoned(new Date(Date.now() - 60_000))).toBe(0);
    expect(await store.sweepAbandoned(new Date(Date.now() + 60_000))).toBe(1);
    const [{ count }] = await client.query<Array<{ count: string }>>(
      `SELECT count(*) FROM attachment.part`,
    );
    expect(Number(count)).toBe(0);
  });
});
