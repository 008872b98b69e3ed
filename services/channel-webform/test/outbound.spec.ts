import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { topicRecord } from '@firstline/bus';
import {
  Channel,
  create,
  decode,
  DeliveryStatus,
  IdentityKind,
  OutboundMessageSchema,
  timestampFromDate,
  TOPICS,
  type OutboundMessage,
} from '@firstline/contracts';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import type { RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  startGroupsAtTopicEnd,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { channelWebformService } from '../src';
import {
  AddVerificationLinks1768000000000,
  CreateWebformCustomerTexts1769000000000,
  CreateWebformTables1764000000000,
  StreamAttachmentsInParts1765000000000,
} from '../src/migrations';
import { ensureKafka, Observer, startOnBroker } from './support';

const run = uniqueName('wfo').replace(/\./g, '-');
const SCHEMA = 'channel_webform';

/** A page the channel served before the upgrade, with one answer already shown, mailed and reported. */
const before = { statusToken: `page-${run}`, outboundId: `answered-${run}` };

/**
 * What the web form does with messages to customers, on the real broker and database: each is
 * shown on its page and reported once, whatever is redelivered, also across the upgrade to the
 * channel kit's delivery record.
 */
describe('web-form outbound', () => {
  let service: RunningService;
  let database: TestDatabase;
  let observer: Observer;
  const name = `channel-webform-${run}`;

  beforeAll(async () => {
    const brokers = await ensureKafka();
    database = await createTestDatabase();
    await answeredBeforeTheUpgrade(database);
    const observed = `obs-${run}`;
    await startGroupsAtTopicEnd(brokers, [name, observed]);
    service = await startOnBroker(brokers, { ...channelWebformService, name }, database.url, run);
    observer = await Observer.watch(
      brokers,
      observed,
      [TOPICS.deliveryReceipts.name, TOPICS.outboundEmail.name],
      run,
    );
  }, 120_000);

  afterAll(async () => {
    await service?.stop();
    await observer?.stop();
    await database?.drop();
  });

  const submit = async (who: string): Promise<string> => {
    const response = await fetch(`${service.url}/webform/forms/contact/submissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.${who.length}` },
      body: JSON.stringify({
        name: 'Dana Customer',
        email: `${who}-${run}@example.com`,
        topic: 'question',
        message: 'Where is my parcel?',
      }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { statusToken: string }).statusToken;
  };

  const answer = (statusToken: string, extra: Partial<Omit<OutboundMessage, '$typeName'>> = {}) =>
    create(OutboundMessageSchema, {
      outboundId: `reply-${randomUUID()}`,
      ticketId: `ticket-${run}`,
      ticketNumber: '10301',
      channel: Channel.WEBFORM,
      conversationKey: `webform:${statusToken}`,
      subject: 'Re: Contact support [#10301]',
      textBody: 'Your parcel leaves the warehouse today.',
      senderDisplayName: 'Ann from Support',
      createdAt: timestampFromDate(new Date()),
      ...extra,
    });

  const publish = (...messages: OutboundMessage[]) =>
    observer.bus.publish(
      messages.map((message) =>
        topicRecord(TOPICS.outboundWebform, message, { messageId: message.outboundId }),
      ),
    );

  const receiptsOf = (outboundId: string) =>
    observer.records
      .filter((record) => record.topic === TOPICS.deliveryReceipts.name)
      .map((record) => decode(TOPICS.deliveryReceipts.schema, record.value))
      .filter((receipt) => receipt.outboundId === outboundId);

  const pageOf = async (statusToken: string) =>
    (await (await fetch(`${service.url}/webform/status/${statusToken}`)).json()) as {
      messages: Array<{ from: string; text: string }>;
    };

  it('a message delivered twice is shown, mailed and reported once', async () => {
    const token = await submit('twice');
    const message = answer(token);
    await publish(message, message);
    const [receipt] = await waitFor(
      () => receiptsOf(message.outboundId).length > 0 && receiptsOf(message.outboundId),
    );
    expect(receipt).toMatchObject({
      status: DeliveryStatus.SENT,
      channel: Channel.WEBFORM,
      channelMessageId: message.outboundId,
    });
    const copies = () => observer.on(TOPICS.outboundEmail.name, `${message.outboundId}:email`);
    await waitFor(() => copies().length > 0);
    // A later message on the same conversation (same partition) is through: so was the repeat.
    const later = answer(token, { textBody: 'It has arrived at the pick-up point.' });
    await publish(later);
    await waitFor(() => receiptsOf(later.outboundId).length > 0);

    expect(receiptsOf(message.outboundId)).toHaveLength(1);
    expect(copies()).toHaveLength(1);
    expect(decode(OutboundMessageSchema, copies()[0].value)).toMatchObject({
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: `twice-${run}@example.com` },
    });
    const page = await pageOf(token);
    expect(page.messages.filter((shown) => shown.from === 'support').map((m) => m.text)).toEqual([
      'Your parcel leaves the warehouse today.',
      'It has arrived at the pick-up point.',
    ]);
  });

  it('a message for another channel’s conversation is reported failed, not lost in silence', async () => {
    const stray = answer('unused', { conversationKey: `telegram:${run}:42` });
    await publish(stray);
    const [receipt] = await waitFor(
      () => receiptsOf(stray.outboundId).length > 0 && receiptsOf(stray.outboundId),
    );
    expect(receipt).toMatchObject({
      status: DeliveryStatus.FAILED,
      retryable: false,
      reason: expect.stringContaining('is not a web-form conversation'),
    });
  });

  it('a message answered before the upgrade is neither shown, mailed nor reported again', async () => {
    const redelivered = answer(before.statusToken, { outboundId: before.outboundId });
    const next = answer(before.statusToken, { textBody: 'One more thing about your parcel.' });
    await publish(redelivered, next);
    // Same conversation, same partition: once the next one is reported, the old one was handled.
    await waitFor(() => receiptsOf(next.outboundId).length > 0);

    expect(receiptsOf(before.outboundId)).toEqual([]);
    expect(observer.on(TOPICS.outboundEmail.name, `${before.outboundId}:email`)).toEqual([]);
    const page = await pageOf(before.statusToken);
    expect(page.messages.filter((shown) => shown.from === 'support').map((m) => m.text)).toEqual([
      'Shown before the upgrade.',
      'One more thing about your parcel.',
    ]);
  });
});

/**
 * The schema as the channel left it before the kit: its answer stored for the page and its id
 * claimed by the outbound consumer, in the transaction that published its receipt and copy.
 */
async function answeredBeforeTheUpgrade(database: TestDatabase): Promise<void> {
  const dataSource = await openDatabase({
    url: database.url,
    schema: SCHEMA,
    migrations: [
      ...persistenceMigrations(SCHEMA),
      CreateWebformTables1764000000000,
      StreamAttachmentsInParts1765000000000,
      AddVerificationLinks1768000000000,
      CreateWebformCustomerTexts1769000000000,
    ],
    poolSize: 1,
    logger: pino({ level: 'silent' }),
  });
  try {
    await dataSource.query(
      `INSERT INTO channel_webform.conversation (status_token, form_id, customer_name, email, locale, subject)
       VALUES ($1, 'contact', 'Eve Customer', $2, 'en', 'Contact support')`,
      [before.statusToken, `eve-${run}@example.com`],
    );
    await dataSource.query(
      `INSERT INTO channel_webform.reply
         (outbound_id, status_token, ticket_id, text_body, sender_display_name, automatic, created_at)
       VALUES ($1, $2, $3, 'Shown before the upgrade.', 'Ann from Support', false, now() - interval '1 hour')`,
      [before.outboundId, before.statusToken, `ticket-${run}`],
    );
    await dataSource.query(
      `INSERT INTO channel_webform.processed_message (consumer, message_id) VALUES ('webform-outbound', $1)`,
      [before.outboundId],
    );
  } finally {
    await dataSource.destroy();
  }
}
