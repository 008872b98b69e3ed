import {
  DEAD_LETTER_TOPIC,
  DEFAULT_RETRY,
  InProcessBus,
  silentLogger,
  type DeliveredMessage,
} from '@firstline/bus';
import {
  Channel,
  DeliveryStatus,
  IdentityKind,
  OutboundMessageSchema,
  TOPICS,
  create,
  decode,
  encode,
  messageType,
  type DeliveryReceipt,
} from '@firstline/contracts';
import { DEFAULT_OUTBOUND_ATTEMPTS } from '@firstline/channel-kit';
import { createLogger } from '@firstline/observability';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import { startService, type RunningService } from '@firstline/runtime';
import { createTestDatabase, uniqueName, type TestDatabase, waitFor } from '@firstline/testing';
import { channelEmailService } from '../src';
import { CreateEmailChannelTables1763900000000 } from '../src/migrations';
import { startSmtpStub, type SmtpStub } from './smtp-stub';

const run = uniqueName('f').replace('.', '-');
const rejected = `gone-${run}@example.com`;
const busy = `busy-${run}@example.com`;
const saturated = `saturated-${run}@example.com`;
const answered = `answered-${run}@example.com`;

/** The database as the release before the channel kit left it, with one mail sent and reported. */
async function databaseBeforeTheKit(): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const schema = channelEmailService.schema;
  const dataSource = await openDatabase({
    url: database.url,
    schema,
    migrations: [...persistenceMigrations(schema), CreateEmailChannelTables1763900000000],
    logger: createLogger({ service: 'channel-email-test', level: 'silent' }),
  });
  await dataSource.query(
    `INSERT INTO channel_email.sent_message (outbound_id, message_id, ticket_id) VALUES ($1, $2, $3)`,
    [`out-${answered}`, `fl.7.earlier@firstline.test`, `ticket-${answered}`],
  );
  await dataSource.destroy();
  return database;
}

/**
 * SMTP refusals end to end: nodemailer against a stub server that answers RCPT with 5xx or 4xx.
 * The bus is the in-process one (the embedded mode's, with Kafka's retry semantics): on the shared
 * Kafka topic any other channel-email under test would send these records through GreenMail.
 */
describe('SMTP refusals become delivery receipts', () => {
  let database: TestDatabase;
  let smtp: SmtpStub;
  let bus: InProcessBus;
  let service: RunningService | undefined;
  const receipts: DeliveryReceipt[] = [];
  const deadLetters: DeliveredMessage[] = [];

  beforeAll(async () => {
    [database, smtp] = await Promise.all([
      databaseBeforeTheKit(),
      startSmtpStub((address, earlier) => {
        if (address === rejected) return '550 5.1.1 mailbox unavailable';
        if (address === busy && earlier < 2) return '451 4.7.1 try later';
        if (address === saturated) return '451 4.7.1 try later';
        return '250 2.1.5 ok';
      }),
    ]);
    Object.assign(process.env, {
      EMAIL_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      EMAIL_FROM: `support-${run}@firstline.test`,
    });
    bus = new InProcessBus({ logger: silentLogger });
    service = await startService(
      channelEmailService,
      {
        bus,
        ownsBus: true,
        databaseUrl: database.url,
        databasePoolSize: 2,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );
    await bus.subscribe({
      group: 'observer',
      topics: [TOPICS.deliveryReceipts.name, DEAD_LETTER_TOPIC],
      handler: async (records) => {
        for (const record of records) {
          if (record.topic === DEAD_LETTER_TOPIC) deadLetters.push(record);
          else receipts.push(decode(TOPICS.deliveryReceipts.schema, record.value));
        }
      },
    });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await smtp?.close();
    await database?.drop();
    delete process.env.EMAIL_SMTP_URL;
    delete process.env.EMAIL_FROM;
  });

  const outboundRecord = (recipient: string, conversationKey = `email:question-${recipient}`) => {
    const outbound = create(OutboundMessageSchema, {
      outboundId: `out-${recipient}`,
      ticketId: `ticket-${recipient}`,
      ticketNumber: '7',
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: recipient },
      conversationKey,
      subject: 'Re: Where is my order?',
      textBody: 'It left the warehouse today.',
    });
    return {
      topic: TOPICS.outboundEmail.name,
      key: outbound.conversationKey,
      value: encode(OutboundMessageSchema, outbound),
      headers: { messageId: outbound.outboundId, type: messageType(OutboundMessageSchema) },
    };
  };
  const send = async (recipient: string) => {
    await bus.publish([outboundRecord(recipient)]);
    return `out-${recipient}`;
  };
  const receiptsOf = (outboundId: string) =>
    receipts.filter((receipt) => receipt.outboundId === outboundId);

  it('a 5xx is not retried: a FAILED receipt, not retryable, with the server’s reason', async () => {
    const outboundId = await send(rejected);
    await waitFor(() => receiptsOf(outboundId).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiptsOf(outboundId)).toEqual([
      expect.objectContaining({
        status: DeliveryStatus.FAILED,
        retryable: false,
        ticketId: `ticket-${rejected}`,
        reason: expect.stringContaining('550 5.1.1 mailbox unavailable'),
      }),
    ]);
    expect(smtp.attempts.get(rejected)).toHaveLength(1);
    expect(smtp.delivered).not.toContain(rejected);
  });

  it('a 4xx is retried with backoff, then one SENT receipt', async () => {
    const outboundId = await send(busy);
    await waitFor(() => receiptsOf(outboundId).length > 0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiptsOf(outboundId)).toEqual([
      expect.objectContaining({ status: DeliveryStatus.SENT, ticketId: `ticket-${busy}` }),
    ]);
    expect(receiptsOf(outboundId)[0].channelMessageId).toMatch(/^fl\.7\./);
    expect(smtp.delivered.filter((address) => address === busy)).toHaveLength(1);
    const times = smtp.attempts.get(busy)!;
    expect(times).toHaveLength(3);
    // The bus waits 0.2 s, then 0.4 s.
    const [firstWait, secondWait] = [times[1] - times[0], times[2] - times[1]];
    expect(firstWait).toBeGreaterThanOrEqual(DEFAULT_RETRY.initialDelayMs);
    expect(secondWait).toBeGreaterThanOrEqual(2 * DEFAULT_RETRY.initialDelayMs);
  });

  it('a 4xx that outlasts the retries ends in a FAILED receipt, retryable, instead of a dead letter', async () => {
    const outboundId = await send(saturated);
    await waitFor(() => receiptsOf(outboundId).length > 0, 15_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiptsOf(outboundId)).toEqual([
      expect.objectContaining({
        status: DeliveryStatus.FAILED,
        retryable: true,
        reason: expect.stringContaining('451 4.7.1 try later'),
      }),
    ]);
    expect(receiptsOf(outboundId)[0].reason).toContain(
      `not sent after ${DEFAULT_OUTBOUND_ATTEMPTS} attempts`,
    );
    expect(smtp.attempts.get(saturated)).toHaveLength(DEFAULT_OUTBOUND_ATTEMPTS);
    expect(deadLetters).toEqual([]);
  });

  it('a mail sent and reported before the upgrade is not sent again when its record comes again', async () => {
    const conversationKey = `email:question-${answered}`;
    // Same key, so the same partition: the second is handled only after the first.
    await bus.publish([
      outboundRecord(answered, conversationKey),
      outboundRecord(busy.replace('busy', 'later'), conversationKey),
    ]);
    const later = `out-${busy.replace('busy', 'later')}`;
    await waitFor(() => receiptsOf(later).length > 0);
    expect(receiptsOf(later)).toEqual([expect.objectContaining({ status: DeliveryStatus.SENT })]);
    expect(smtp.attempts.get(answered)).toBeUndefined();
    expect(receiptsOf(`out-${answered}`)).toEqual([]);
  });
});
