import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The trace id follows one customer message through every service: it arrives in an HTTP header
 * or a bus record's `trace-id` header, and every log line written while handling it carries it.
 */
const storage = new AsyncLocalStorage<{ traceId: string }>();

export function newTraceId(): string {
  return randomUUID().replace(/-/g, '');
}

export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

export function runWithTrace<T>(traceId: string, work: () => T): T {
  return storage.run({ traceId }, work);
}

/** The trace id of an incoming HTTP request: ours, or the W3C `traceparent` one, or a new one. */
export function traceIdFromHttpHeaders(
  headers: Record<string, string | string[] | undefined>,
): string {
  const own = single(headers['x-trace-id']);
  if (own && /^[A-Za-z0-9-]{8,64}$/.test(own)) return own;
  const traceparent = single(headers['traceparent']);
  const w3c = traceparent?.match(/^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/);
  return w3c ? w3c[1] : newTraceId();
}

type Next = (error?: unknown) => void;

/** Express middleware: runs the rest of the request inside its trace and echoes the id back. */
export function traceMiddleware(
  request: { headers: Record<string, string | string[] | undefined> },
  response: { setHeader(name: string, value: string): unknown },
  next: Next,
): void {
  const traceId = traceIdFromHttpHeaders(request.headers);
  response.setHeader('x-trace-id', traceId);
  runWithTrace(traceId, () => next());
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
