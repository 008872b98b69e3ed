import { topicRecord, type MessageBus } from '@firstline/bus';
import {
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  OutboundMessageSchema,
  TOPICS,
  type DeliveryReceipt,
} from '@firstline/contracts';
import { createDataSource, migrateSchema, persistenceMigrations } from '@firstline/persistence';
import type { RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  FakeBotApi,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { telegramMigrations } from '../src/migrations';
import { observe, startTelegram } from './support';

const run = uniqueName('u').replace(/\W/g, '').slice(-10);
const bot = { name: `upgrade-${run}`, token: '1003:UPGRADE', mode: 'polling' };
/** The schema as the release before OutboundDelivery left it: the polling offset, nothing more. */
const migrationsBeforeUpgrade = [
  ...persistenceMigrations('channel_telegram'),
  ...telegramMigrations.slice(0, 1),
];

/**
 * Before OutboundDelivery the service claimed each outbound message it reported in
 * processed_message. A record redelivered after the upgrade (a rebalance, a consumer group
 * reading the topic again) must not reach the customer a second time.
 */
describe('upgrading a database of the release before OutboundDelivery', () => {
  const fake = new FakeBotApi();
  let database: TestDatabase;
  let running: RunningService;
  let observer: MessageBus;
  const receipts: DeliveryReceipt[] = [];

  beforeAll(async () => {
    await fake.start();
    database = await createTestDatabase();
    const old = createDataSource({
      url: database.url,
      schema: 'channel_telegram',
      migrations: migrationsBeforeUpgrade,
      poolSize: 1,
    });
    await old.initialize();
    await migrateSchema(old);
    await old.query(
      `INSERT INTO channel_telegram.processed_message (consumer, message_id) VALUES ('telegram-outbound', $1)`,
      [`reported-${run}`],
    );
    await old.destroy();

    const brokers = await ensureKafka();
    Object.assign(process.env, {
      TELEGRAM_BOTS: JSON.stringify([bot]),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
    running = await startTelegram(uniqueName('channel-telegram-upgrade'), database, brokers, run);
    observer = await observe(brokers, run, [TOPICS.deliveryReceipts.name], (record) =>
      receipts.push(decode(DeliveryReceiptSchema, record.value)),
    );
  }, 120_000);

  afterAll(async () => {
    await observer?.stop();
    await running?.stop();
    await fake.stop();
    await database?.drop();
  });

  it('does not send again a message reported before the upgrade', async () => {
    const outbound = (outboundId: string, text: string) =>
      create(OutboundMessageSchema, {
        outboundId,
        ticketId: `T-${run}`,
        conversationKey: `telegram:${bot.name}:801`,
        textBody: text,
      });
    // One conversation, one partition: the new message is handled after the old one.
    await observer.publish(
      [
        outbound(`reported-${run}`, 'Your parcel left the warehouse'),
        outbound(`new-${run}`, 'It arrives tomorrow'),
      ].map((message) =>
        topicRecord(TOPICS.outboundTelegram, message, { messageId: message.outboundId }),
      ),
    );

    const sent = await waitFor(() => receipts.find((r) => r.outboundId === `new-${run}`));
    expect(sent.status).toBe(DeliveryStatus.SENT);
    expect(fake.bot(bot.token).sent.map((message) => message.text)).toEqual([
      'It arrives tomorrow',
    ]);
    expect(receipts.map((receipt) => receipt.outboundId)).toEqual([`new-${run}`]);
  }, 60_000);
});
