import type { KafkaBus } from '@firstline/bus';
import {
  buildDist,
  createTestDatabase,
  ensureKafka,
  FakeVk,
  Replica,
  leaseHolders,
  observeInbound,
  settled,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import type { Pool } from 'pg';

const run = uniqueName('vk-scale').replace('.', '-');
// Communities of this run only: the inbound topic is shared with every other run on the broker.
const FIRST_GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const COMMUNITIES = [0, 1, 2].map((index) => ({
  groupId: FIRST_GROUP + index,
  token: `token-${run}-${index}`,
}));
const EVENTS_PER_COMMUNITY = 150;
const CUSTOMER = 7003;

const message = (groupId: number, n: number) => ({
  type: 'message_new',
  event_id: `${run}-${groupId}-${n}`,
  v: '5.199',
  group_id: groupId,
  object: {
    message: {
      id: 1000 + n,
      date: Math.floor(Date.now() / 1000),
      peer_id: CUSTOMER,
      from_id: CUSTOMER,
      text: `${groupId} ${n}`,
      conversation_message_id: n + 1,
      attachments: [],
    },
  },
});

describe('two VK long-poll replicas serving three communities', () => {
  const vk = new FakeVk();
  let database: TestDatabase;
  let brokers: string[];
  let observer: KafkaBus;
  let pool: Pool;
  const replicas: Replica[] = [];
  /** The texts of the InboundMessages published, in order, repeats included. */
  const published: string[] = [];

  beforeAll(async () => {
    buildDist();
    await vk.start();
    for (const { groupId, token } of COMMUNITIES) vk.community(groupId, token);
    [database, brokers] = await Promise.all([createTestDatabase(), ensureKafka()]);
    pool = database.pool();
    observer = await observeInbound(brokers, run, 'channel-vk', (inbound) =>
      published.push(inbound.textBody),
    );
  }, 180_000);

  afterAll(async () => {
    await Promise.all(replicas.map((replica) => replica.stop()));
    await observer?.stop();
    await vk.stop();
    await database?.drop();
  });

  it('polls each community from one replica at a time and publishes every event once; a replica killed with -9 has its communities resumed by the other within 30 s, with no loss and no duplicate', async () => {
    const env = {
      DATABASE_URL: database.url,
      KAFKA_BROKERS: brokers.join(','),
      VK_COMMUNITIES: JSON.stringify(COMMUNITIES.map((one) => ({ ...one, mode: 'longpoll' }))),
      VK_API_URL: `${vk.url}/method`,
      VK_LONG_POLL_WAIT: '1',
    };
    replicas.push(...['vk-1', 'vk-2'].map((id) => new Replica(id, 'channel-vk', run, env)));
    await Promise.all(replicas.map((replica) => replica.listening()));
    await waitFor(
      async () => {
        const held = await leaseHolders(pool, 'channel_vk');
        return held.size === COMMUNITIES.length && new Set(held.values()).size === 2;
      },
      30_000,
      'three communities leased to two replicas',
    );
    // A first poll starts at VK's current ts: the events must come after every community's first.
    await waitFor(
      () => COMMUNITIES.every(({ groupId }) => vk.polls.some((poll) => poll.group === groupId)),
      30_000,
      'every community polled',
    );

    // Customers keep writing to every community while the replicas poll.
    let writing = true;
    const writer = (async () => {
      for (let n = 0; n < EVENTS_PER_COMMUNITY; n++) {
        for (const { groupId } of COMMUNITIES) vk.pushLongPollEvent(groupId, message(groupId, n));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      writing = false;
    })();

    await waitFor(() => published.length >= 90, 60_000, '90 messages published');
    const held = await leaseHolders(pool, 'channel_vk');
    // The replica polling more communities dies.
    const victim = replicas.find(
      (replica) => [...held.values()].filter((holder) => holder === replica.id).length >= 2,
    )!;
    const orphaned = [...held].filter(([, holder]) => holder === victim.id).map(([group]) => group);
    await victim.kill();
    const killedAt = Date.now();
    expect(writing).toBe(true); // the kill comes mid-run

    await waitFor(
      async () => {
        const now = await leaseHolders(pool, 'channel_vk');
        return orphaned.every((group) => now.has(group) && now.get(group) !== victim.id);
      },
      30_000,
      "the killed replica's communities taken over",
    );
    expect(Date.now() - killedAt).toBeLessThan(30_000);

    await writer;
    const expected = COMMUNITIES.length * EVENTS_PER_COMMUNITY;
    await waitFor(() => new Set(published).size >= expected, 60_000, 'every message published');
    expect(new Set(published)).toEqual(
      new Set(
        COMMUNITIES.flatMap(({ groupId }) =>
          Array.from({ length: EVENTS_PER_COMMUNITY }, (_, n) => `${groupId} ${n}`),
        ),
      ),
    );
    // No duplicate either: the killed replica's batch in flight was never committed, and the
    // other resumed each community from the ts committed with the last batch that was.
    await settled(() => published.length);
    const copies = new Map<string, number>();
    for (const text of published) copies.set(text, (copies.get(text) ?? 0) + 1);
    expect([...copies].filter(([, count]) => count !== 1)).toEqual([]);
    expect(published).toHaveLength(expected);
  }, 180_000);
});
