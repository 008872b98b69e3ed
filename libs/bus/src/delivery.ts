import { BadInputError, errorKind } from '@firstline/errors';
import { deadLetterRecord, describeError } from './dead-letter';
import type { BusLogger } from './logger';
import {
  type DeliveredMessage,
  type HandledInfo,
  type OutgoingMessage,
  type RetryPolicy,
  type Subscription,
} from './port';

export type HandledListener = (info: HandledInfo) => void;

/** Options both buses share. */
export interface BusOptions {
  /** Default: warnings and errors as JSON lines on stderr. */
  logger?: BusLogger;
  /** Called after every handled batch of every subscription. */
  onHandled?: HandledListener;
  /** For subscriptions that set no policy of their own; see `DEFAULT_RETRY`. */
  retry?: Partial<RetryPolicy>;
  /** For subscriptions that set no bound of their own (default 500). */
  maxBatchSize?: number;
  /** Where records that keep failing go (default `support.dlq.v1`). */
  deadLetterTopic?: string;
  /** Partitions of the dead-letter topic when the bus has to create it (default 1). */
  deadLetterPartitions?: number;
}

/** Waits 0.2, 0.4, 0.8, 1.6 s between five attempts: long enough to ride out a failover or a lock. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, initialDelayMs: 200, maxDelayMs: 10_000 };
export const DEFAULT_MAX_BATCH_SIZE = 500;

/** How one consumer group handles one topic: a subscription with the bus defaults filled in. */
export interface Route {
  group: string;
  topic: string;
  /** Reads records for the handler; the handler's item type stays inside the closures. */
  read: (records: DeliveredMessage[]) => ReadBatch;
  retry: RetryPolicy;
  maxBatchSize: number;
  gatherPartitions: boolean;
  onHandled: HandledListener[];
}

/** Records read for a handler: those it can take, and those to dead-letter unhandled. */
export interface ReadBatch {
  readable: DeliveredMessage[];
  unreadable: Array<{ message: DeliveredMessage; error: unknown }>;
  /** Hands some of the readable records, in the order given, to the handler. */
  handle(messages: DeliveredMessage[]): Promise<void>;
}

export function routesOf<Item>(subscription: Subscription<Item>, options: BusOptions): Route[] {
  if (!subscription.group) throw new Error('A subscription needs a consumer group');
  if (subscription.topics.length === 0) {
    throw new Error(`The subscription of group "${subscription.group}" names no topic`);
  }
  const retry = { ...DEFAULT_RETRY, ...options.retry, ...subscription.retry };
  if (!(retry.attempts >= 1)) {
    throw new Error(`Group "${subscription.group}": retry.attempts must be at least 1`);
  }
  const maxBatchSize = subscription.maxBatchSize ?? options.maxBatchSize ?? DEFAULT_MAX_BATCH_SIZE;
  if (!(maxBatchSize >= 1)) {
    throw new Error(`Group "${subscription.group}": maxBatchSize must be at least 1`);
  }
  const onHandled = [options.onHandled, subscription.onHandled].filter((listener) => !!listener);
  return subscription.topics.map((topic) => ({
    group: subscription.group,
    topic,
    read: reader(subscription),
    retry,
    maxBatchSize,
    gatherPartitions: subscription.gatherPartitions ?? false,
    onHandled,
  }));
}

function reader<Item>(subscription: Subscription<Item>): Route['read'] {
  const { read, handler } = subscription;
  if (!read) {
    // Without `read` the handler takes the records themselves (Item is DeliveredMessage).
    const handleRecords = handler as unknown as (messages: DeliveredMessage[]) => Promise<void>;
    return (records) => ({ readable: records, unreadable: [], handle: handleRecords });
  }
  return (records) => {
    const items = new Map<DeliveredMessage, Item>();
    const unreadable: ReadBatch['unreadable'] = [];
    for (const message of records) {
      try {
        items.set(message, read(message));
      } catch (error) {
        unreadable.push({ message, error: asBadInput(error) });
      }
    }
    return {
      readable: [...items.keys()],
      unreadable,
      handle: (messages) => handler(messages.map((message) => items.get(message)!)),
    };
  };
}

/** Whatever `read` threw, the record is bad input: it will not read better on a later attempt. */
function asBadInput(error: unknown): BadInputError {
  return error instanceof BadInputError
    ? error
    : new BadInputError(describeError(error), { cause: error });
}

export function backoffDelay(policy: RetryPolicy, failedAttempt: number): number {
  return Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (failedAttempt - 1));
}

/** What a delivery needs from the bus running it. */
export interface DeliveryContext {
  logger: BusLogger;
  deadLetterTopic: string;
  /** Resolves once the dead-letter records are durably stored. */
  publish(messages: OutgoingMessage[]): Promise<void>;
  /** Aborted when the consumer stops: waits between attempts end and the batch is given up. */
  signal: AbortSignal;
}

/**
 * 'abandoned': the consumer stopped before the batch was done; nothing may be committed and the
 * records will be delivered again.
 */
export type DeliveryOutcome = HandledInfo['outcome'] | 'abandoned';

/**
 * Hands records to the route's handler: one partition's, or several partitions' gathered by
 * `deliveryFor`. A failing batch is retried with exponential backoff; if it still fails, its
 * records are handled one by one, so only the poison ones go to the dead-letter topic and the
 * rest of the partition keeps flowing. Bad input and permanent errors are not retried. Once this resolves with anything but 'abandoned', every record
 * is handled or dead-lettered and the caller may commit past the batch.
 */
export async function deliver(
  route: Route,
  messages: DeliveredMessage[],
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const startedAt = performance.now();
  const outcome = await deliverBatch(route, messages, context);
  if (outcome !== 'abandoned') {
    const info: HandledInfo = {
      group: route.group,
      topic: route.topic,
      partitions: partitionsOf(messages),
      count: messages.length,
      durationMs: performance.now() - startedAt,
      outcome,
    };
    for (const listener of route.onHandled) {
      try {
        listener(info);
      } catch (error) {
        context.logger.error('onHandled listener failed', { ...info, error: describeError(error) });
      }
    }
  }
  return outcome;
}

/** Hands one partition's slice of records to a route, resolving once they are handled. */
export type Delivery = (messages: DeliveredMessage[]) => Promise<DeliveryOutcome>;

/**
 * How a bus hands one partition's slice of records to the route: `deliver` at once, or, for a
 * route that gathers partitions, together with the slices of other partitions that arrive before
 * the event loop's next turn (a fetch's worth), up to the route's `maxBatchSize`. Every slice
 * learns the outcome of the delivery it was part of. A partition never has two slices in one
 * delivery: its bus offers the next only after the previous one's outcome.
 */
export function deliveryFor(route: Route, context: DeliveryContext): Delivery {
  if (!route.gatherPartitions) return (messages) => deliver(route, messages, context);
  let open: Gathering | undefined;
  const startGathering = (): Gathering => {
    const messages: DeliveredMessage[] = [];
    let release!: () => void;
    const gathering: Gathering = {
      messages,
      outcome: new Promise<void>((resolve) => (release = resolve)).then(() =>
        deliver(route, messages, context),
      ),
      send: () => {
        clearImmediate(timer);
        if (open === gathering) open = undefined;
        release();
      },
    };
    const timer = setImmediate(gathering.send);
    return gathering;
  };
  return (messages) => {
    if (open && open.messages.length + messages.length > route.maxBatchSize) open.send();
    const gathering = (open ??= startGathering());
    gathering.messages.push(...messages);
    return gathering.outcome;
  };
}

/** Slices of several partitions on their way to one delivery. */
interface Gathering {
  messages: DeliveredMessage[];
  outcome: Promise<DeliveryOutcome>;
  /** Closes the gathering and delivers it. */
  send(): void;
}

/**
 * Unreadable records are dead-lettered after the readable ones were handled: a batch given up
 * when the consumer stops is delivered again whole, and its unreadable records with it.
 */
async function deliverBatch(
  route: Route,
  messages: DeliveredMessage[],
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const batch = route.read(messages);
  const outcome = batch.readable.length > 0 ? await deliverReadable(route, batch, context) : 'ok';
  if (outcome === 'abandoned' || batch.unreadable.length === 0) return outcome;
  await deadLetter(
    route,
    batch.unreadable.map(({ message, error }) => ({ message, error, attempts: 1 })),
    context,
  );
  return 'dead-lettered';
}

async function deliverReadable(
  route: Route,
  read: ReadBatch,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const messages = read.readable;
  const batch = await attempt(route, read, messages, context);
  if (batch.status === 'handled') return batch.attempts === 1 ? 'ok' : 'retried';
  if (batch.status === 'abandoned') return 'abandoned';

  if (messages.length === 1) {
    await deadLetter(route, [{ message: messages[0], ...batch }], context);
    return 'dead-lettered';
  }
  context.logger.warn('Batch kept failing; handling its records one by one to isolate the poison', {
    ...position(route, messages),
    attempts: batch.attempts,
    error: describeError(batch.error),
  });
  const poison: DeadLetter[] = [];
  for (const message of messages) {
    const single = await attempt(route, read, [message], context);
    if (single.status === 'abandoned') return 'abandoned';
    if (single.status === 'failed') {
      poison.push({ message, error: single.error, attempts: batch.attempts + single.attempts });
    }
  }
  if (poison.length === 0) return 'retried';
  await deadLetter(route, poison, context);
  return 'dead-lettered';
}

type Attempt =
  | { status: 'handled'; attempts: number }
  | { status: 'failed'; attempts: number; error: unknown }
  | { status: 'abandoned' };

async function attempt(
  route: Route,
  read: ReadBatch,
  messages: DeliveredMessage[],
  context: DeliveryContext,
): Promise<Attempt> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      await read.handle(messages);
      return { status: 'handled', attempts };
    } catch (error) {
      if (errorKind(error) !== 'retryable' || attempts >= route.retry.attempts) {
        return { status: 'failed', attempts, error };
      }
      const delayMs = backoffDelay(route.retry, attempts);
      context.logger.warn('Handler failed; retrying', {
        ...position(route, messages),
        attempt: attempts,
        delayMs,
        error: describeError(error),
      });
      if (!(await pause(delayMs, context.signal))) return { status: 'abandoned' };
    }
  }
}

interface DeadLetter {
  message: DeliveredMessage;
  error: unknown;
  attempts: number;
}

async function deadLetter(
  route: Route,
  deadLetters: DeadLetter[],
  context: DeliveryContext,
): Promise<void> {
  await context.publish(
    deadLetters.map(({ message, error, attempts }) =>
      deadLetterRecord(
        {
          key: message.key,
          value: message.value,
          headers: message.headers,
          extraHeaders: message.extraHeaders,
          source: message.topic,
          position: { partition: message.partition, offset: message.offset, group: route.group },
          error,
          attempts,
        },
        context.deadLetterTopic,
      ),
    ),
  );
  for (const { message, error, attempts } of deadLetters) {
    const kind = errorKind(error);
    // Bad input is the sender's mistake, expected now and then; anything else needs a look.
    context.logger[kind === 'bad-input' ? 'warn' : 'error']('Record dead-lettered', {
      group: route.group,
      topic: message.topic,
      partition: message.partition,
      offset: message.offset,
      messageId: message.headers.messageId,
      type: message.headers.type,
      deadLetterTopic: context.deadLetterTopic,
      errorKind: kind,
      attempts,
      error: describeError(error),
    });
  }
}

function position(route: Route, messages: DeliveredMessage[]): Record<string, unknown> {
  const firstOffsets = new Map<number, string>();
  for (const { partition, offset } of messages) {
    if (!firstOffsets.has(partition)) firstOffsets.set(partition, offset);
  }
  return {
    group: route.group,
    topic: route.topic,
    // partition@offset of each partition's first record
    from: [...firstOffsets].map(([partition, offset]) => `${partition}@${offset}`).join(', '),
    count: messages.length,
  };
}

function partitionsOf(messages: DeliveredMessage[]): number[] {
  return [...new Set(messages.map((message) => message.partition))].sort((a, b) => a - b);
}

export { describeError };

/** Resolves true after `ms`, or false as soon as the signal aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
