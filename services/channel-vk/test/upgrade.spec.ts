import { topicRecord, type KafkaBus } from '@firstline/bus';
import {
  create,
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
  FakeVk,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { randomIdFor } from '@firstline/vk';
import {
  CreateVkTables1764000000000,
  IndexVkRowAges1766100000000,
  IndexVkSentMessageAge1796200000000,
} from '../src/migrations';
import { observe, startChannelVk } from './support';

// A community of this run only: the outbound and receipt topics are shared with every other run.
const GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const CUSTOMER = 7201;
const outboundId = (name: string) => `vk-upgrade-${GROUP}-${name}`;

describe('upgrading a channel-vk that remembered its sent messages in sent_message', () => {
  const vk = new FakeVk();
  const receipts: DeliveryReceipt[] = [];
  let database: TestDatabase;
  let observer: KafkaBus;
  let running: RunningService;

  beforeAll(async () => {
    await vk.start();
    vk.community(GROUP, 'token-upgrade');
    const [brokers, db] = await Promise.all([ensureKafka(), createTestDatabase()]);
    database = db;
    await asThePreviousVersionLeftIt(database.url);
    Object.assign(process.env, {
      VK_COMMUNITIES: JSON.stringify([
        { groupId: GROUP, token: 'token-upgrade', mode: 'longpoll' },
      ]),
      VK_API_URL: `${vk.url}/method`,
      VK_LONG_POLL_WAIT: '1',
    });
    observer = await observe(
      brokers,
      TOPICS.deliveryReceipts,
      // Other suites' channel-vk services read the same topic in groups of their own and refuse
      // this community as not theirs: only this service's receipts count.
      (receipt) =>
        receipt.outboundId.startsWith(`vk-upgrade-${GROUP}-`) &&
        receipt.reason !== `VK community ${GROUP} is not configured`,
      receipts,
    );
    running = await startChannelVk(uniqueName('channel-vk-upgrade'), brokers, database.url);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
    await observer?.stop();
    await database?.drop();
    await vk.stop();
    delete process.env.VK_COMMUNITIES;
  });

  it('sends and reports again none of the messages it had already reported', async () => {
    // The records of the two old messages come again (a group reading the topic anew), then a new one.
    for (const name of ['sent-before', 'failed-before', 'new']) {
      const message = create(OutboundMessageSchema, {
        outboundId: outboundId(name),
        ticketId: 'ticket-1',
        conversationKey: `vk:${GROUP}:${CUSTOMER}`,
        textBody: `message ${name}`,
      });
      await observer.publish([topicRecord(TOPICS.outboundVk, message, { messageId: name })]);
    }

    // One conversation is one partition: once the new message is reported, the old ones were read.
    await waitFor(() => receipts.length > 0);
    expect(receipts).toMatchObject([
      { outboundId: outboundId('new'), status: DeliveryStatus.SENT },
    ]);
    expect(vk.sendAttempts.map((attempt) => attempt.random_id)).toEqual([
      String(randomIdFor(outboundId('new'))),
    ]);
    // Joining the consumer group alone takes seconds; on a loaded machine, more than 30.
  }, 60_000);

  async function asThePreviousVersionLeftIt(url: string): Promise<void> {
    const dataSource = createDataSource({
      url,
      schema: 'channel_vk',
      migrations: [
        ...persistenceMigrations('channel_vk'),
        CreateVkTables1764000000000,
        IndexVkRowAges1766100000000,
        IndexVkSentMessageAge1796200000000,
      ],
    });
    await dataSource.initialize();
    try {
      await migrateSchema(dataSource);
      await dataSource.query(
        `INSERT INTO channel_vk.sent_message
           (outbound_id, group_id, peer_id, random_id, vk_message_id, failure)
         VALUES ($1, $3, $4, 1, 501, NULL), ($2, $3, $4, 2, NULL, 'the customer blacklisted the community')`,
        [outboundId('sent-before'), outboundId('failed-before'), GROUP, CUSTOMER],
      );
    } finally {
      await dataSource.destroy();
    }
  }
});
