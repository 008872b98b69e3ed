import { randomBytes } from 'node:crypto';
import { chmod, mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import {
  SCRAM_MECHANISM,
  scramSecret,
  scramServerFinal,
  scramServerFirst,
  type ScramExchange,
  type ScramSecret,
} from './scram';

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
  /** A DATABASE_URL for the services, with the password of this run. */
  url: string;
  stop(): Promise<void>;
}

/**
 * PGlite (Postgres compiled to WebAssembly) served over the wire protocol, for the single-process
 * mode. PGlite is one session: the socket server multiplexes the clients' queries onto it and,
 * while one connection has a transaction open, holds every other connection's queries until it
 * ends. Session state (search_path, session advisory locks) is therefore shared by all clients.
 *
 * Every other user and process of the machine can reach a loopback port, so a connection must
 * sign in with a password drawn at each start (SCRAM-SHA-256, as Postgres does by default), and
 * the data directory is the owner's alone (0700), as Postgres itself insists.
 */
export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<EmbeddedPostgres> {
  const host = options.host ?? '127.0.0.1';
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  // A directory made by an earlier version, or under a permissive umask, is tightened too.
  await chmod(options.dataDir, 0o700);
  const password = randomBytes(24).toString('base64url');
  const db = await PGlite.create(options.dataDir);
  const server = new PGLiteSocketServer({
    db,
    host,
    port: options.port ?? 0,
    maxConnections: options.maxConnections ?? 100,
  });
  keepTurnsUntilSync(server);
  requirePassword(server, scramSecret(password));
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
    url: `postgres://postgres:${password}@${server.getServerConn()}/postgres`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

/** pglite-socket's queue of wire messages, which it runs one at a time on the single session. */
interface WireMessageQueue {
  enqueue(
    handlerId: number,
    message: Uint8Array,
    onData: (data: Uint8Array) => void,
  ): Promise<number>;
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
  const wire = wireQueue(server);
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

function wireQueue(server: PGLiteSocketServer): WireMessageQueue {
  return (server as unknown as { queryQueue: WireMessageQueue }).queryQueue;
}

/** A connection between its StartupMessage and the end of its SCRAM exchange. */
interface SignIn {
  startup: Uint8Array;
  exchange?: ScramExchange;
  refused?: boolean;
}

const PASSWORD_MESSAGE = 0x70; // 'p': SASLInitialResponse and SASLResponse
const PROTOCOL_3 = 196_608;

/**
 * PGlite answers a StartupMessage with AuthenticationOk, whoever asks. This holds each
 * connection's StartupMessage back until the connection has proven the password over SCRAM, and
 * only then lets PGlite answer it; nothing else a connection sends reaches PGlite before that.
 * Like `keepTurnsUntilSync`, it wraps the socket server's queue (checked by its test).
 */
function requirePassword(server: PGLiteSocketServer, secret: ScramSecret): void {
  const wire = wireQueue(server);
  const signingIn = new Map<number, SignIn>();
  const signedIn = new Set<number>();
  const enqueue = wire.enqueue.bind(wire);
  const clearQueueForHandler = wire.clearQueueForHandler.bind(wire);
  wire.clearQueueForHandler = (handlerId) => {
    signingIn.delete(handlerId);
    signedIn.delete(handlerId);
    clearQueueForHandler(handlerId);
  };
  wire.enqueue = async (handlerId, message, onData) => {
    if (signedIn.has(handlerId)) return enqueue(handlerId, message, onData);
    const reply = (bytes: Buffer) => {
      onData(bytes);
      return bytes.length;
    };
    const refuse = (reason: string) => {
      signingIn.set(handlerId, { startup: new Uint8Array(), refused: true });
      return reply(fatalError(reason));
    };
    const state = signingIn.get(handlerId);
    if (!state) {
      if (!isStartupMessage(message)) return refuse('expected a StartupMessage');
      signingIn.set(handlerId, { startup: message });
      return reply(authenticationMessage(10, Buffer.from(`${SCRAM_MECHANISM}\0\0`)));
    }
    if (state.refused) return refuse('password authentication failed');
    if (message[0] !== PASSWORD_MESSAGE) return refuse('expected a SASL response');
    const body = Buffer.from(message.subarray(5));
    if (!state.exchange) {
      const mechanismEnd = body.indexOf(0);
      if (body.toString('utf8', 0, mechanismEnd) !== SCRAM_MECHANISM) {
        return refuse(`only ${SCRAM_MECHANISM} is offered`);
      }
      const first = scramServerFirst(secret, body.toString('utf8', mechanismEnd + 5));
      if (!first.ok) return refuse(first.reason);
      state.exchange = first.value;
      return reply(authenticationMessage(11, Buffer.from(first.value.serverFirst)));
    }
    const final = scramServerFinal(secret, state.exchange, body.toString('utf8'));
    if (!final.ok) return refuse('password authentication failed');
    signingIn.delete(handlerId);
    signedIn.add(handlerId);
    const sent = reply(authenticationMessage(12, Buffer.from(final.value)));
    return sent + (await enqueue(handlerId, state.startup, onData));
  };
}

function isStartupMessage(message: Uint8Array): boolean {
  const view = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  return (
    view.length >= 8 && view.readInt32BE(0) === view.length && view.readInt32BE(4) === PROTOCOL_3
  );
}

/** An Authentication message ('R') of the given kind: 10 SASL, 11 SASLContinue, 12 SASLFinal. */
function authenticationMessage(kind: number, data: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.write('R', 0);
  head.writeInt32BE(8 + data.length, 1);
  head.writeInt32BE(kind, 5);
  return Buffer.concat([head, data]);
}

/** A FATAL ErrorResponse with SQLSTATE 28P01 (invalid_password); clients close the connection. */
function fatalError(message: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C28P01\0M${message}\0\0`);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}
