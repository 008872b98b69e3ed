import { Client, Pool } from 'pg';
import { uniqueName } from './kafka';

export interface TestDatabase {
  url: string;
  /** A pool for the test's own queries on this database; `drop()` closes it. */
  pool(max?: number): Pool;
  /** Closes the test's pools and drops the database, ending whatever is still connected. */
  drop(): Promise<void>;
}

/** The server tests run against: `DATABASE_URL` when set, otherwise the machine's local Postgres. */
export function testServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** A fresh, empty database on the test server, so every run starts from nothing. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = testServerUrl();
  const name = uniqueName('firstline_test').replace(/\./g, '_');
  await withClient(server, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(server);
  url.pathname = `/${name}`;
  const pools: Pool[] = [];
  return {
    url: url.toString(),
    pool(max = 2) {
      const pool = new Pool({ connectionString: url.toString(), max });
      // pool.end() can resolve while a connection is still closing; the drop then terminates it,
      // which is expected and must not surface as an unhandled error.
      pool.on('error', () => undefined);
      pools.push(pool);
      return pool;
    },
    async drop() {
      await Promise.all(pools.splice(0).map((pool) => pool.end()));
      await withClient(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      );
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
