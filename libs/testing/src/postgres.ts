import { Client } from 'pg';
import { uniqueName } from './kafka';

export interface TestDatabase {
  url: string;
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
  return {
    url: url.toString(),
    drop: () =>
      withClient(server, (client) =>
        client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
      ).then(() => undefined),
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
