import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { DataSource } from 'typeorm';
import { readTopic, topicRecord, type Received } from '@firstline/bus';
import type { SendFailure } from '@firstline/channel';
import {
  Channel,
  create,
  DeliveryStatus,
  OutboundMessageSchema,
  TOPICS,
  type OutboundMessage,
} from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import { openDatabase, OutboxRelay, persistenceMigrations } from '@firstline/persistence';
import { createTestDatabase, ensureKafka, uniqueName, type TestDatabase } from '@firstline/testing';
import { outboundDeliveryMigration } from '../src/migrations';
import { OutboundDelivery, type OutboundDeliveryOptions } from '../src/outbound-delivery';
import { collectMessages, isolated, kafkaBus, type Isolated } from './support';

jest.setTimeout(90_000);

const SCHEMA = 'channel_test';

/** What the test's platform is asked to do, and how it answers. */
class Platform {
  readonly calls: Array<{ text: string; at: number }> = [];
  /** Failures still to answer with, in order; after them every call succeeds. */
  failures: Array<SendFailure & { forever?: boolean }> = [];

  async send(text: string): Promise<{ channelMessageId: string }> {
    this.calls.push({ text, at: Date.now() });
    const failure = this.failures[0];
    if (failure) {
      if (!failure.forever) this.failures.shift();
      throw new PlatformError(failure);
    }
    return { channelMessageId: `platform-${this.calls.length}` };
  }

  sent(text: string): number {
    return this.calls.filter((call) => call.text === text).length;
  }
}

class PlatformError extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.reason);
  }
}

function retryable(reason: string, extra: Partial<SendFailure> = {}): SendFailure {
  return { kind: 'retryable', reason, recipientUnreachable: false, ...extra };
}

let database: TestDatabase;
let dataSource: DataSource;
let brokers: string[];
/** What the current test started, stopped after it. */
const running: Array<{ stop(): Promise<void> }> = [];

beforeAll(async () => {
  brokers = await ensureKafka();
  database = await createTestDatabase();
  dataSource = await openDatabase({
    url: database.url,
    schema: SCHEMA,
    migrations: [...persistenceMigrations(SCHEMA), outboundDeliveryMigration(SCHEMA)],
    poolSize: 4,
    logger: pino({ level: 'silent' }),
  });
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((service) => service.stop()));
});

afterAll(async () => {
  await dataSource.destroy();
  await database.drop();
});

/**
 * The channel's outbound side as a service runs it: the template consuming an outbound topic of
 * the test's own, its receipts relayed from the outbox to a receipts topic of the test's own.
 */
async function startChannel(
  topics: { outbound: string; group: string; broker: Isolated },
  platform: Platform,
  options: Partial<OutboundDeliveryOptions<string>> = {},
  retry = { attempts: 5, initialDelayMs: 100, maxDelayMs: 400 },
) {
  const bus = kafkaBus(brokers);
  const relay = new OutboxRelay({
    dataSource,
    bus: topics.broker.wrap(bus),
    logger: pino({ level: 'silent' }),
    pollIntervalMs: 50,
  });
  const service = {
    stop: async () => {
      await bus.stop();
      await relay.stop();
    },
  };
  running.push(service);
  const delivery = new OutboundDelivery<string>({
    channel: Channel.TELEGRAM,
    dataSource,
    relay,
    render: (message) => {
      if (!message.textBody) throw new BadInputError('Telegram cannot send an empty message');
      return message.textBody;
    },
    send: (text) => platform.send(text),
    classifyError: (error) =>
      error instanceof PlatformError ? error.failure : retryable(String(error)),
    ...options,
  });
  await bus.subscribe<Received<OutboundMessage>>({
    group: topics.group,
    topics: [topics.outbound],
    read: readTopic(TOPICS.outboundTelegram),
    handler: (messages) => delivery.handle(messages),
    retry,
  });
  await bus.start();
  relay.start();
  return service;
}

function outbound(
  text: string,
  outboundId = uniqueName('outbound'),
  conversationKey = 'telegram:support_bot:1001',
): OutboundMessage {
  return create(OutboundMessageSchema, {
    outboundId,
    ticketId: 'ticket-1',
    conversationKey,
    channel: Channel.TELEGRAM,
    textBody: text,
  });
}

/** Topics of this test's own, and a reader of the receipts the channel publishes. */
async function scenario() {
  const reader = kafkaBus(brokers);
  running.push(reader);
  const broker = isolated([TOPICS.deliveryReceipts.name]);
  const outboundTopic = uniqueName('kit.outbound');
  await reader.ensureTopics([...broker.specs, { topic: outboundTopic, partitions: 1 }]);
  const receipts = await collectMessages(
    reader,
    broker.nameOf(TOPICS.deliveryReceipts.name),
    TOPICS.deliveryReceipts,
  );
  await reader.start();
  const publish = (...messages: OutboundMessage[]) =>
    reader.publish(
      messages.map((message) => ({
        ...topicRecord(TOPICS.outboundTelegram, message, { messageId: message.outboundId }),
        topic: outboundTopic,
      })),
    );
  return {
    topics: { outbound: outboundTopic, group: uniqueName('kit.channel'), broker },
    receipts,
    publish,
  };
}

async function attemptsOf(outboundId: string): Promise<number> {
  const rows: Array<{ attempts: number }> = await dataSource.query(
    `SELECT attempts FROM ${SCHEMA}.outbound_delivery WHERE outbound_id = $1`,
    [outboundId],
  );
  return rows[0]?.attempts ?? 0;
}

describe('OutboundDelivery', () => {
  it('sends a message once and reports it once, however often it is delivered', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    await startChannel(topics, platform);
    const reply = outbound('Your parcel left the warehouse today');

    await publish(reply, reply);
    await receipts.until(1);
    await publish(reply);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(platform.sent('Your parcel left the warehouse today')).toBe(1);
    expect(receipts.messages()).toEqual([
      expect.objectContaining({
        receiptId: `${reply.outboundId}:SENT`,
        outboundId: reply.outboundId,
        ticketId: 'ticket-1',
        channel: Channel.TELEGRAM,
        status: DeliveryStatus.SENT,
        channelMessageId: 'platform-1',
      }),
    ]);
  });

  it('with a platform that keeps messages by outbound id, hands it a repeat but reports once', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    await startChannel(topics, platform, { sendIsIdempotent: true });
    const reply = outbound('We have refunded your order');

    await publish(reply);
    await receipts.until(1);
    await publish(reply);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Such a platform (the chat's conversation) takes the second call as the same message.
    expect(platform.sent('We have refunded your order')).toBe(2);
    expect(receipts.messages().map((receipt) => receipt.receiptId)).toEqual([
      `${reply.outboundId}:SENT`,
    ]);
  });

  it('in a batch that repeats a sent message, sends and reports only the new ones, once each', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    await startChannel(topics, platform);
    const sent = outbound('Your order is on its way');
    await publish(sent);
    await receipts.until(1);
    const fresh = outbound('It arrives on Tuesday');
    const later = outbound('Anything else we can do?');

    await publish(sent, fresh, later, fresh);
    await receipts.until(3);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    expect(platform.calls.map((call) => call.text)).toEqual([
      'Your order is on its way',
      'It arrives on Tuesday',
      'Anything else we can do?',
    ]);
    // Keyed by outbound id, receipts of different messages may come in any order.
    expect(
      receipts
        .messages()
        .map((receipt) => receipt.receiptId)
        .sort(),
    ).toEqual([sent, fresh, later].map((message) => `${message.outboundId}:SENT`).sort());
  });

  it('sends to the conversations of a batch side by side, each conversation in order', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    const busyChat = 'telegram:support_bot:1001';
    await startChannel(topics, platform, {
      // The platform paces each chat (Telegram: about a message a second); this one is busy.
      send: async (text, message) => {
        if (message.conversationKey === busyChat) await sleep(400);
        return platform.send(text);
      },
    });
    const burst = ['First', 'Second', 'Third'].map((n) => outbound(`${n} answer in the busy chat`));
    const others = ['1002', '1003'].map((chat) =>
      outbound(`Answer in chat ${chat}`, undefined, `telegram:support_bot:${chat}`),
    );

    await publish(...burst, ...others);
    await receipts.until(5);

    const texts = platform.calls.map((call) => call.text);
    expect(texts.filter((text) => text.includes('busy chat'))).toEqual([
      'First answer in the busy chat',
      'Second answer in the busy chat',
      'Third answer in the busy chat',
    ]);
    // The other chats' answers did not wait behind the busy chat's.
    for (const chat of ['1002', '1003']) {
      expect(texts.indexOf(`Answer in chat ${chat}`)).toBeLessThan(
        texts.indexOf('First answer in the busy chat'),
      );
    }
  });

  it('reports a message it cannot render or the platform refuses for good, without retrying', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    platform.failures = [
      { kind: 'permanent', reason: 'the bot was blocked by the user', recipientUnreachable: true },
    ];
    await startChannel(topics, platform);
    const blocked = outbound('Are you still there?');
    const empty = outbound('');

    await publish(blocked, empty);
    await receipts.until(2);

    expect(platform.calls).toHaveLength(1);
    const byId = new Map(receipts.messages().map((receipt) => [receipt.outboundId, receipt]));
    expect(byId.get(blocked.outboundId)).toMatchObject({
      status: DeliveryStatus.FAILED,
      reason: 'the bot was blocked by the user',
      retryable: false,
      recipientUnreachable: true,
    });
    expect(byId.get(empty.outboundId)).toMatchObject({
      status: DeliveryStatus.FAILED,
      reason: 'Telegram cannot send an empty message',
      retryable: false,
    });
  });

  it('retries a retryable failure, waiting as long as the rate limit asks, then sends', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    platform.failures = [retryable('Too Many Requests: retry after 2', { retryAfterMs: 2_000 })];
    await startChannel(topics, platform);
    const reply = outbound('We refunded the order');

    await publish(reply);
    await receipts.until(1);

    expect(platform.calls).toHaveLength(2);
    expect(platform.calls[1].at - platform.calls[0].at).toBeGreaterThanOrEqual(2_000);
    expect(receipts.messages()[0]).toMatchObject({ status: DeliveryStatus.SENT });
  });

  it('counts attempts across a restart and reports a retryable failure when they run out', async () => {
    const { topics, receipts, publish } = await scenario();
    const platform = new Platform();
    platform.failures = [{ ...retryable('Bad Gateway'), forever: true }];
    // Slow retries: the service stops while the bus waits to make the third attempt.
    const first = await startChannel(
      topics,
      platform,
      { maxAttempts: 4 },
      { attempts: 5, initialDelayMs: 1_000, maxDelayMs: 2_000 },
    );
    const reply = outbound('Thank you for waiting');

    await publish(reply);
    await waitForAttempts(reply.outboundId, 2);
    // The service stops between two attempts; the record was not committed, so it comes again.
    running.splice(running.indexOf(first), 1);
    await first.stop();
    const attemptsBeforeRestart = await attemptsOf(reply.outboundId);
    await startChannel(topics, platform, { maxAttempts: 4 });
    await receipts.until(1);

    expect(platform.sent('Thank you for waiting')).toBe(4);
    expect(attemptsBeforeRestart).toBe(2);
    expect(receipts.messages()).toEqual([
      expect.objectContaining({
        receiptId: `${reply.outboundId}:FAILED:1`,
        status: DeliveryStatus.FAILED,
        reason: 'not sent after 4 attempts: Bad Gateway',
        retryable: true,
      }),
    ]);
  });
});

async function waitForAttempts(outboundId: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await attemptsOf(outboundId)) < count) {
    if (Date.now() > deadline) throw new Error(`${outboundId} never failed ${count} times`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
