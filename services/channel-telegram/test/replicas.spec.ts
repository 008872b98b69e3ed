import type { KafkaBus } from '@firstline/bus';
import {
  buildDist,
  createTestDatabase,
  ensureKafka,
  FakeBotApi,
  Replica,
  leaseHolders,
  observeInbound,
  uniqueName,
  settled,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import type { Pool } from 'pg';

const run = uniqueName('tg-scale').replace('.', '-');
const BOTS = [
  { name: 'support', token: '3001:SUPPORT' },
  { name: 'sales', token: '3002:SALES' },
  { name: 'billing', token: '3003:BILLING' },
];
const MESSAGES_PER_BOT = 150;

describe('two Telegram polling replicas serving three bots', () => {
  const fake = new FakeBotApi();
  let database: TestDatabase;
  let brokers: string[];
  let observer: KafkaBus;
  let pool: Pool;
  const replicas: Replica[] = [];
  /** The texts of the InboundMessages published, in order, repeats included. */
  const published: string[] = [];

  beforeAll(async () => {
    buildDist();
    [database, brokers] = await Promise.all([createTestDatabase(), ensureKafka(), fake.start()]);
    pool = database.pool();
    observer = await observeInbound(brokers, run, 'channel-telegram', (message) =>
      published.push(message.textBody),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await observer?.stop();
    await fake.stop();
    await database?.drop();
  });

  it('polls each bot from one replica at a time and publishes every message once; a replica killed with -9 has its bots resumed by the other within 30 s, with no loss and no duplicate', async () => {
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      TELEGRAM_BOTS: JSON.stringify(BOTS.map((bot) => ({ ...bot, mode: 'polling' }))),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '2',
    };
    replicas.push(
      ...['telegram-1', 'telegram-2'].map((id) => new Replica(id, 'channel-telegram', run, env)),
    );
    await Promise.all(replicas.map((replica) => replica.listening()));
    await waitFor(
      async () => {
        const held = await leaseHolders(pool, 'channel_telegram');
        return held.size === BOTS.length && new Set(held.values()).size === 2;
      },
      30_000,
      'three bots leased to two replicas',
    );

    // Customers keep writing to every bot while the replicas poll.
    let writing = true;
    const writer = (async () => {
      for (let n = 0; n < MESSAGES_PER_BOT; n++) {
        for (const [index, bot] of BOTS.entries())
          fake.customerWrites(bot.token, 1000 + index, { text: `${bot.name} ${n}` });
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      writing = false;
    })();

    await waitFor(() => published.length >= 90, 60_000, '90 messages published');
    const held = await leaseHolders(pool, 'channel_telegram');
    // The replica polling more bots dies.
    const victim = replicas.find(
      (replica) => [...held.values()].filter((holder) => holder === replica.id).length >= 2,
    )!;
    const orphaned = [...held].filter(([, holder]) => holder === victim.id).map(([bot]) => bot);
    await victim.kill();
    const killedAt = Date.now();
    const beforeKill = published.length;
    expect(writing).toBe(true); // the kill comes mid-run
    expect(new Set(published.slice(0, beforeKill)).size).toBe(beforeKill);

    await waitFor(
      async () => {
        const now = await leaseHolders(pool, 'channel_telegram');
        return orphaned.every((bot) => now.has(bot) && now.get(bot) !== victim.id);
      },
      30_000,
      "the killed replica's bots taken over",
    );
    expect(Date.now() - killedAt).toBeLessThan(30_000);

    await writer;
    const expected = BOTS.length * MESSAGES_PER_BOT;
    await waitFor(() => new Set(published).size >= expected, 60_000, 'every message published');
    const seen = new Set(published);
    expect(seen).toEqual(
      new Set(
        BOTS.flatMap((bot) =>
          Array.from({ length: MESSAGES_PER_BOT }, (_, n) => `${bot.name} ${n}`),
        ),
      ),
    );
    // No duplicate either: the killed replica's batch in flight was never committed, and the
    // other resumed each bot from the offset committed with the last batch that was.
    await settled(() => published.length);
    const copies = new Map<string, number>();
    for (const text of published) copies.set(text, (copies.get(text) ?? 0) + 1);
    expect([...copies].filter(([, count]) => count !== 1)).toEqual([]);
    expect(published).toHaveLength(expected);
    // Never two pollers of one bot: Telegram would have ended one's getUpdates with 409.
    expect(BOTS.map((bot) => fake.bot(bot.token).conflicts)).toEqual([0, 0, 0]);
  }, 180_000);
});
