import { classifyErrorsWith, type ErrorKind } from '@firstline/errors';

/**
 * SQLSTATEs of a server that is going away, starting up or full: the statement was fine, the
 * server could not take it (PostgreSQL, Appendix A "Error Codes").
 */
const UNAVAILABLE_STATES = new Set([
  '57P01', // admin_shutdown: a fast or smart shutdown ended the session
  '57P02', // crash_shutdown: another backend crashed and the server restarts
  '57P03', // cannot_connect_now: starting up, or in recovery
  '53300', // too_many_connections
]);

/** Socket failures on the way to the server (Node's error codes). */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/**
 * node-postgres reports a lost or never-made connection in messages, not codes: "Connection
 * terminated" (unexpectedly, or due to connection timeout), a client "not queryable" after it, and
 * the pool's "timeout exceeded when trying to connect" when every connection stays busy.
 */
const UNAVAILABLE_MESSAGE =
  /^Connection terminated|not queryable|timeout exceeded when trying to connect/;

/**
 * Whether the database, rather than the statement, failed: the server is down, restarting or
 * refusing connections, the connection broke, or the pool had none to give in time. TypeORM's
 * QueryFailedError carries the driver's error as `driverError` (and copies its code); TypeORM
 * releases a query runner whose connection broke, so the transaction's next query meets that.
 */
export function databaseUnavailable(error: unknown): boolean {
  // Duck-typed: Node's own errors come from another realm under jest and fail `instanceof Error`.
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message, errors, driverError } = error as {
    name?: unknown;
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    driverError?: unknown;
  };
  if (typeof code === 'string') {
    if (UNAVAILABLE_STATES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code)) {
      return true;
    }
  }
  if (typeof message === 'string' && UNAVAILABLE_MESSAGE.test(message)) return true;
  if (name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  // A refused connection to a host with several addresses arrives as an AggregateError.
  if (Array.isArray(errors) && errors.some(databaseUnavailable)) return true;
  return driverError !== undefined && driverError !== error && databaseUnavailable(driverError);
}

function databaseErrorKind(error: unknown): ErrorKind | undefined {
  return databaseUnavailable(error) ? 'unavailable' : undefined;
}

// Handlers meet the driver's raw errors; every process that talks to the database loads this
// library, so whoever asks `errorKind` (the bus, an HTTP filter, a consumer counting its attempts)
// hears the same verdict. Socket errors that reach it unclassified are the database's: the other
// clients' (SMTP, the platforms' APIs) are classified by their adapters first.
classifyErrorsWith(databaseErrorKind);
