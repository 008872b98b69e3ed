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
  keepTurnsUntilSync(server);
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

/** pglite-socket's queue of wire messages, which it runs one at a time on the single session. */
interface WireMessageQueue {
  queue: Array<{
    handlerId: number;
    message: Uint8Array;
    onData(data: Uint8Array): void;
    resolve(bytes: number): void;
    reject(error: unknown): void;
  }>;
  processing: boolean;
  lastHandlerId: number | null;
  db: PGlite;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

/** Parse, Bind, Describe, Execute, Close, Flush: the messages of an exchange that Sync ends. */
const EXTENDED_QUERY_MESSAGES = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]);

/**
 * pglite-socket runs the connections' wire messages one at a time and keeps one connection's turn
 * only while it has a transaction open. Outside one, the extended-protocol messages of two
 * connections (Parse, Bind, Execute … Sync) interleave, and one's unnamed statement or portal
 * replaces the other's ("portal does not exist"). This keeps a connection's turn from its first
 * extended-protocol message to its Sync as well. Replaces the queue's processing loop, which is
 * not public: checked by libs/persistence/test/embedded-postgres.spec.ts on every upgrade.
 */
function keepTurnsUntilSync(server: PGLiteSocketServer): void {
  const wire = (server as unknown as { queryQueue: WireMessageQueue }).queryQueue;
  // The last connection served is between its first extended-protocol message and its Sync.
  let midExchange = false;
  const clearQueueForHandler = wire.clearQueueForHandler.bind(wire);
  wire.clearQueueForHandler = (handlerId) => {
    // A connection that went away mid-exchange gives its turn up.
    if (wire.lastHandlerId === handlerId) midExchange = false;
    clearQueueForHandler(handlerId);
  };
  wire.processQueue = async () => {
    if (wire.processing) return;
    wire.processing = true;
    try {
      while (wire.queue.length > 0) {
        const holder = midExchange || wire.db.isInTransaction() ? wire.lastHandlerId : null;
        const next =
          holder === null ? 0 : wire.queue.findIndex((item) => item.handlerId === holder);
        // The holder's next message has not arrived yet; its arrival starts this loop again.
        if (next === -1) break;
        const [item] = wire.queue.splice(next, 1);
        let bytes = 0;
        try {
          await wire.db.runExclusive(() =>
            wire.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }),
          );
        } catch (error) {
          item.reject(error);
          continue;
        }
        wire.lastHandlerId = item.handlerId;
        midExchange = EXTENDED_QUERY_MESSAGES.has(item.message[0]);
        item.resolve(bytes);
      }
    } finally {
      wire.processing = false;
    }
  };
}
