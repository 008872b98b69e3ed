import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgresOptions {
  /** Where the database files live; reused, with its data, on the next start. */
  dataDir: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Client connections served at once; every service's pool counts (default 100). */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** A DATABASE_URL for the services. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WebAssembly) served over the wire protocol, for the single-process
 * mode. PGlite is one session: the socket server multiplexes the clients' queries onto it and,
 * while one connection has a transaction open, holds every other connection's queries until it
 * ends. Session state (search_path, session advisory locks) is therefore shared by all clients.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true });
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw new Error(
      `Cannot serve the embedded Postgres on ${host}:${options.port ?? 0}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
