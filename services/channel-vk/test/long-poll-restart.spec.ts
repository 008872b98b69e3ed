import type { KafkaBus } from '@firstline/bus';
import { TOPICS, type InboundMessage } from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  uniqueName,
  waitFor,
  type TestDatabase,
  FakeVk,
} from '@firstline/testing';
import { Client } from 'pg';
import { observe, startChannelVk } from './support';

// A community of this run only: the inbound topic is shared with every other run on the broker.
const GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const CUSTOMER = 7002;
/** One consumer group for both lives of the service, as a restarted deployment keeps its name. */
const SERVICE_NAME = uniqueName('channel-vk-restart');

describe('Bots Long Poll across a restart', () => {
  const vk = new FakeVk();
  const inbound: InboundMessage[] = [];
  let brokers: string[];
  let database: TestDatabase;
  let observer: KafkaBus;
  let running: RunningService | undefined;

  const start = async () => {
    running = await startChannelVk(SERVICE_NAME, brokers, database.url);
  };

  beforeAll(async () => {
    await vk.start();
    vk.community(GROUP, 'token-restart');
    [brokers, database] = await Promise.all([ensureKafka(), createTestDatabase()]);
    Object.assign(process.env, {
      VK_COMMUNITIES: JSON.stringify([
        { groupId: GROUP, token: 'token-restart', mode: 'longpoll' },
      ]),
      VK_API_URL: `${vk.url}/method`,
      VK_LONG_POLL_WAIT: '1',
    });
    observer = await observe(
      brokers,
      TOPICS.inbound,
      (message) => message.conversationKey === `vk:${GROUP}:${CUSTOMER}`,
      inbound,
    );
    await start();
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await observer?.stop();
    await database?.drop();
    await vk.stop();
  });

  const event = (cmid: number, text: string) => ({
    type: 'message_new',
    event_id: `restart-${GROUP}-${cmid}`,
    v: '5.199',
    group_id: GROUP,
    object: {
      message: {
        id: 800 + cmid,
        date: Math.floor(Date.now() / 1000),
        peer_id: CUSTOMER,
        from_id: CUSTOMER,
        text,
        conversation_message_id: cmid,
        attachments: [],
      },
    },
  });

  it('resumes from the stored ts: what arrived while it was down is published, nothing twice', async () => {
    // A first start begins at VK's current ts: the event must come after the first poll.
    await waitFor(() => vk.polls.length > 0);
    vk.pushLongPollEvent(GROUP, event(1, 'before the restart'));
    await waitFor(() => inbound.some((m) => m.textBody === 'before the restart'));
    await waitFor(async () => (await storedTs()) === vk.currentTs(GROUP));

    await running!.stop();
    running = undefined;
    const stored = await storedTs();
    vk.pushLongPollEvent(GROUP, event(2, 'while it was down'));
    vk.pushLongPollEvent(GROUP, event(3, 'also while it was down'));
    const pollsBefore = vk.polls.length;
    await start();

    await waitFor(() => inbound.some((m) => m.textBody === 'also while it was down'));
    // Not the ts groups.getLongPollServer now offers (which is past both events): the stored one.
    expect(vk.polls[pollsBefore]).toMatchObject({ group: GROUP, ts: stored });
    await waitFor(async () => (await storedTs()) === vk.currentTs(GROUP));
    expect(inbound.map((m) => m.textBody)).toEqual([
      'before the restart',
      'while it was down',
      'also while it was down',
    ]);
  }, 60_000);

  async function storedTs(): Promise<string | undefined> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ ts: string }>(
        'SELECT ts FROM channel_vk.long_poll_cursor WHERE group_id = $1',
        [GROUP],
      );
      return rows[0]?.ts;
    } finally {
      await client.end();
    }
  }
});
