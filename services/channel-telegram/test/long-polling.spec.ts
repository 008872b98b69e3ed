import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { MessageBus, OutgoingMessage } from '@firstline/bus';
import { Bots } from '../src/bots';
import { parseTelegramConfig, type TelegramConfig } from '../src/config';
import { LongPolling } from '../src/inbound/long-polling';
import { TelegramInbound } from '../src/inbound/telegram-inbound';
import { WebhookRegistration } from '../src/inbound/webhook-registration';
import { createLogger } from '@firstline/observability';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import { createTestDatabase, FakeBotApi, waitFor, type TestDatabase } from '@firstline/testing';
import { telegramMigrations } from '../src/migrations';

const TOKEN = '2001:POLL';

/** Where the bot's offset stands in the database. */
async function savedOffset(dataSource: DataSource, bot: string): Promise<number | undefined> {
  const rows: Array<{ next_update_id: string }> = await dataSource.query(
    'SELECT next_update_id FROM channel_telegram.polling_offset WHERE bot = $1',
    [bot],
  );
  return rows[0] && Number(rows[0].next_update_id);
}

/** A bus whose sources hand what they publish to `published`, failing the first `failures` publishes. */
function sourcesInto(published: OutgoingMessage[], failures = 0): Pick<MessageBus, 'openSource'> {
  return {
    openSource: async (name) => ({
      name,
      checkpoint: undefined,
      publish: async (records) => {
        if (failures-- > 0) throw new Error('broker unavailable');
        published.push(...records);
      },
      close: async () => undefined,
    }),
  };
}

describe('long polling', () => {
  const fake = new FakeBotApi();
  let config: TelegramConfig;
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    database = await createTestDatabase();
    dataSource = await openDatabase({
      url: database.url,
      schema: 'channel_telegram',
      migrations: [...persistenceMigrations('channel_telegram'), ...telegramMigrations],
      poolSize: 2,
      logger: createLogger({ service: 'long-polling-test', level: 'silent' }),
    });
    await fake.start();
    config = parseTelegramConfig({
      TELEGRAM_BOTS: JSON.stringify([
        { name: 'support', token: TOKEN, mode: 'polling' },
        { name: 'sales', token: '2002:HOOK', mode: 'webhook', secret: 'wH7kQ2pLx9vR4tZb' },
      ]),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_PUBLIC_URL: 'https://support.example.com',
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
  });

  afterAll(async () => {
    await fake.stop();
    await dataSource.destroy();
    await database.drop();
  });

  beforeEach(() => dataSource.query('TRUNCATE channel_telegram.polling_offset'));

  it('moves the offset past a batch only with the batch, asking again for it after a failed publish', async () => {
    const published: OutgoingMessage[] = [];
    const inbound = new TelegramInbound({ publish: async () => undefined });
    const polling = new LongPolling(
      new Bots(config),
      inbound,
      dataSource,
      sourcesInto(published, 1),
      'channel_telegram',
      config,
    );
    const updateId = fake.customerWrites(TOKEN, 701, { text: 'hello' });

    const offsets = () =>
      fake
        .bot(TOKEN)
        .calls.filter((call) => call.method === 'getUpdates')
        .map((call) => call.params.offset);

    polling.onApplicationBootstrap();
    await waitFor(() => offsets().length >= 3);
    await polling.beforeApplicationShutdown();

    // First poll: no offset yet. The failed batch is asked for again with the same (no) offset;
    // the next poll, after the publish, confirms it.
    expect(offsets().slice(0, 3)).toEqual([undefined, undefined, updateId + 1]);
    expect(await savedOffset(dataSource, 'support')).toBe(updateId + 1);
    expect(published).toHaveLength(1);
  });

  it('moves past an update it cannot read, dead-lettering it, and goes on with the next', async () => {
    const published: OutgoingMessage[] = [];
    const inbound = new TelegramInbound({ publish: async () => undefined });
    const polling = new LongPolling(
      new Bots(config),
      inbound,
      dataSource,
      sourcesInto(published),
      'channel_telegram',
      config,
    );
    // A contact card without the phone number the Bot API requires, then an ordinary message.
    fake.customerWrites(TOKEN, 702, { contact: { first_name: 'Ann', user_id: 702 } });
    const last = fake.customerWrites(TOKEN, 702, { text: 'did you get my number?' });

    polling.onApplicationBootstrap();
    await waitFor(async () => (await savedOffset(dataSource, 'support')) === last + 1);
    await polling.beforeApplicationShutdown();

    expect(published.map((record) => record.topic)).toEqual([
      'support.dlq.v1',
      'support.inbound.v1',
    ]);
  });

  it('registers each webhook bot at its public URL with its secret', async () => {
    await new WebhookRegistration(new Bots(config), config).onApplicationBootstrap();
    expect(fake.bot('2002:HOOK').webhook).toEqual({
      url: 'https://support.example.com/telegram/sales/webhook',
      secret: 'wH7kQ2pLx9vR4tZb',
    });
  });
});
