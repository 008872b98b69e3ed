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
  sendCallback,
} from '@firstline/testing';
import { Client } from 'pg';
import { observe, startChannelVk } from './support';

// A community of this run only: the inbound topic is shared with every other run on the broker.
const GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const SECRET = 'housekeeping-secret';
const RETURNING = 7101;
const REGULAR = 7102;
const HOUR_MS = 60 * 60 * 1000;

describe('housekeeping of event ids, names and handled outbound messages', () => {
  const vk = new FakeVk();
  const inbound: InboundMessage[] = [];
  let database: TestDatabase;
  let observer: KafkaBus;
  let running: RunningService;
  let callbackUrl: string;

  beforeAll(async () => {
    await vk.start();
    vk.community(GROUP, 'token-housekeeping');
    vk.users.set(RETURNING, { first_name: 'Ivan', last_name: 'Orlov' });
    vk.users.set(REGULAR, { first_name: 'Nina', last_name: 'Volkova' });
    const [brokers, db] = await Promise.all([ensureKafka(), createTestDatabase()]);
    database = db;
    Object.assign(process.env, {
      VK_COMMUNITIES: JSON.stringify([
        {
          groupId: GROUP,
          token: 'token-housekeeping',
          mode: 'callback',
          confirmationCode: 'c0de',
          secret: SECRET,
        },
      ]),
      VK_API_URL: `${vk.url}/method`,
      VK_SEEN_EVENT_RETENTION_HOURS: '24',
      VK_USER_NAME_TTL_HOURS: '168',
      VK_SENT_MESSAGE_RETENTION_HOURS: '168',
      VK_PURGE_INTERVAL_SECONDS: '1',
    });
    observer = await observe(
      brokers,
      TOPICS.inbound,
      (message) => message.conversationKey.startsWith(`vk:${GROUP}:`),
      inbound,
    );
    running = await startChannelVk(uniqueName('channel-vk-housekeeping'), brokers, database.url);
    callbackUrl = `${running.url}/vk/${GROUP}/callback`;
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await observer?.stop();
    await database?.drop();
    await vk.stop();
  });

  const write = (from: number, cmid: number, text: string) =>
    sendCallback(callbackUrl, {
      type: 'message_new',
      event_id: `housekeeping-${from}-${cmid}`,
      v: '5.199',
      group_id: GROUP,
      secret: SECRET,
      object: {
        message: {
          id: 900 + cmid,
          date: Math.floor(Date.now() / 1000),
          peer_id: from,
          from_id: from,
          text,
          conversation_message_id: cmid,
          attachments: [],
        },
      },
    });

  it('forgets event ids past their retention and names past their age, keeping the recent ones', async () => {
    await write(RETURNING, 1, 'first visit');
    await write(REGULAR, 1, 'hello');
    await waitFor(() => inbound.length === 2);
    expect(await rows('SELECT event_id FROM channel_vk.seen_event ORDER BY event_id')).toEqual([
      { event_id: `housekeeping-${RETURNING}-1` },
      { event_id: `housekeeping-${REGULAR}-1` },
    ]);

    // A day and a week pass for one customer's event and name, not for the other's.
    await rows(
      `UPDATE channel_vk.seen_event SET seen_at = now() - $1 * interval '1 millisecond'
        WHERE event_id = $2`,
      [25 * HOUR_MS, `housekeeping-${RETURNING}-1`],
    );
    await rows(
      `UPDATE channel_vk.vk_user SET fetched_at = now() - $1 * interval '1 millisecond'
        WHERE user_id = $2`,
      [8 * 24 * HOUR_MS, RETURNING],
    );
    await waitFor(
      async () => (await rows('SELECT 1 FROM channel_vk.vk_user')).length === 1,
      10_000,
    );
    expect(await rows('SELECT event_id FROM channel_vk.seen_event')).toEqual([
      { event_id: `housekeeping-${REGULAR}-1` },
    ]);
    expect(await rows('SELECT user_id FROM channel_vk.vk_user')).toEqual([
      { user_id: String(REGULAR) },
    ]);

    // The customer changed their name meanwhile: their next message asks VK again.
    vk.users.set(RETURNING, { first_name: 'Ivan', last_name: 'Orlov-Petrov' });
    const lookupsBefore = vk.callsOf('users.get').length;
    await write(RETURNING, 2, 'back again');
    await write(REGULAR, 2, 'still here');
    await waitFor(() => inbound.length === 4);
    expect(inbound.find((m) => m.textBody === 'back again')!.sender!.displayName).toBe(
      'Ivan Orlov-Petrov',
    );
    expect(inbound.find((m) => m.textBody === 'still here')!.sender!.displayName).toBe(
      'Nina Volkova',
    );
    expect(vk.callsOf('users.get').slice(lookupsBefore)).toMatchObject([
      { params: { user_ids: String(RETURNING) } },
    ]);
  }, 60_000);

  it('forgets handled outbound messages a week old, keeping the recent ones', async () => {
    const handled = (outboundId: string, ageMs: number) =>
      rows(
        `INSERT INTO channel_vk.outbound_delivery (outbound_id, status, channel_message_id, updated_at)
         VALUES ($1, 'sent', '1', now() - $2 * interval '1 millisecond')`,
        [outboundId, ageMs],
      );
    await handled('outbound-last-week', 8 * 24 * HOUR_MS);
    await handled('outbound-today', HOUR_MS);

    // Only these two: the service also handles what other runs left on the outbound topic.
    const remembered = () =>
      rows(
        `SELECT outbound_id FROM channel_vk.outbound_delivery
          WHERE outbound_id IN ('outbound-last-week', 'outbound-today')`,
      );
    await waitFor(async () => (await remembered()).length === 1, 10_000);
    expect(await remembered()).toEqual([{ outbound_id: 'outbound-today' }]);
  }, 30_000);

  async function rows<T = Record<string, unknown>>(
    sql: string,
    params: unknown[] = [],
  ): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
});
