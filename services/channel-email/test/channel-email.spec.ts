import { KafkaBus, type DeliveredMessage, type MessageBus } from '@firstline/bus';
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
  type InboundMessage,
} from '@firstline/contracts';
import { startService, type RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  ensureMailServer,
  uniqueName,
  type MailServer,
  type TestDatabase,
  waitFor,
  lastMailIn,
  PIPELINE_RUN_HEADER,
  sealedToRun,
  startGroupsAtTopicEnd,
} from '@firstline/testing';
import { simpleParser } from 'mailparser';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';
import { channelEmailService } from '../src';

const domain = 'firstline.test';
const run = uniqueName('t').replace('.', '-');
const support = `support-${run}@${domain}`;
const customer = `ann-${run}@example.com`;

describe('the email channel against GreenMail, Kafka and Postgres', () => {
  let database: TestDatabase;
  let brokers: string[];
  let mail: MailServer;
  let observer: KafkaBus;
  let service: RunningService | undefined;
  const inbound: InboundMessage[] = [];
  const receipts: DeliveryReceipt[] = [];

  const start = async (
    bus: MessageBus = new KafkaBus({ brokers, clientId: 'channel-email-test' }),
  ) => {
    service = await startService(
      // A consumer group of its own, so that no other process claims this test's outbound records.
      { ...channelEmailService, name: `channel-email-${run}` },
      {
        // Sealed to this run: other suites' outbound mail on the shared topic is not its to send.
        bus: sealedToRun(bus, run),
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
  };
  const stop = async () => {
    await service?.stop();
    service = undefined;
  };
  const smtp = () => createTransport({ host: mail.host, port: mail.smtpPort, secure: false });
  const fromCustomer = (subject: string, headers: Record<string, string> = {}) =>
    smtp().sendMail({
      from: `Ann <${customer}>`,
      to: support,
      subject,
      text: `${subject}\n`,
      headers,
    });
  const ours = () => inbound.filter((message) => message.sender?.value === customer);

  beforeAll(async () => {
    [database, brokers, mail] = await Promise.all([
      createTestDatabase(),
      ensureKafka(),
      ensureMailServer(),
    ]);
    Object.assign(process.env, {
      EMAIL_MAILBOXES: `imap://${encodeURIComponent(support)}:any@${mail.host}:${mail.imapPort}/INBOX`,
      EMAIL_SMTP_URL: `smtp://${mail.host}:${mail.smtpPort}`,
      EMAIL_FROM: support,
      EMAIL_MESSAGE_ID_DOMAIN: domain,
      EMAIL_POLL_INTERVAL_MS: '300',
      EMAIL_BATCH_SIZE: '3',
    });
    const observerGroup = uniqueName('email-observer');
    await startGroupsAtTopicEnd(brokers, [observerGroup, `channel-email-${run}`]);
    observer = new KafkaBus({ brokers, clientId: 'channel-email-observer' });
    await sealedToRun(observer, run).subscribe({
      group: observerGroup,
      topics: [TOPICS.inbound.name, TOPICS.deliveryReceipts.name],
      handler: async (records: DeliveredMessage[]) => {
        for (const record of records) {
          if (record.topic === TOPICS.inbound.name)
            inbound.push(decode(TOPICS.inbound.schema, record.value));
          else receipts.push(decode(TOPICS.deliveryReceipts.schema, record.value));
        }
      },
    });
    await observer.start();
    await start();
  }, 120_000);

  afterAll(async () => {
    await stop();
    await observer?.stop();
    await database?.drop();
    for (const name of [
      'EMAIL_MAILBOXES',
      'EMAIL_SMTP_URL',
      'EMAIL_FROM',
      'EMAIL_MESSAGE_ID_DOMAIN',
    ]) {
      delete process.env[name];
    }
  });

  it('mail delivered into the mailbox becomes InboundMessages', async () => {
    await fromCustomer('Printer jams on page two');
    await waitFor(() => ours().length >= 1);
    expect(ours()[0]).toMatchObject({
      channel: Channel.EMAIL,
      sender: { kind: IdentityKind.EMAIL, value: customer, displayName: 'Ann' },
      subject: 'Printer jams on page two',
      replyText: 'Printer jams on page two',
      autoResponse: false,
    });
    expect(ours()[0].conversationKey).toBe(`email:${ours()[0].messageId.slice('email:'.length)}`);
  }, 30_000);

  it('a restart half-way through the mailbox loses and duplicates nothing', async () => {
    await stop();
    const subjects = Array.from({ length: 7 }, (_, index) => `Batch mail ${index + 1}`);
    for (const subject of subjects) await fromCustomer(subject);

    // The bus commits the first batch of three, then fails: the process is stopped there.
    const flaky = new KafkaBus({ brokers, clientId: 'channel-email-test' });
    let inboundPublishes = 0;
    const openSource = flaky.openSource.bind(flaky);
    flaky.openSource = async (name) => {
      const mailbox = await openSource(name);
      return {
        name,
        get checkpoint() {
          return mailbox.checkpoint;
        },
        publish: async (records, checkpoint) => {
          if (++inboundPublishes > 1) throw new Error('broker unreachable');
          return mailbox.publish(records, checkpoint);
        },
        close: () => mailbox.close(),
      };
    };
    await start(flaky);
    await waitFor(() => inboundPublishes > 1);
    await stop();

    await start();
    const batch = () => ours().filter((message) => message.subject.startsWith('Batch mail'));
    await waitFor(() => batch().length >= 7);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(
      batch()
        .map((message) => message.subject)
        .sort(),
    ).toEqual(subjects);
  }, 40_000);

  it("an agent's reply reaches the customer threaded, and the customer's answer lands on the same ticket", async () => {
    const question = ours()[0];
    const outbound = create(OutboundMessageSchema, {
      outboundId: `out-${run}`,
      ticketId: `ticket-${run}`,
      ticketNumber: '42',
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: customer, displayName: 'Ann' },
      conversationKey: question.conversationKey,
      subject: `Re: ${question.subject}`,
      textBody: 'Please try another paper tray.',
      threadRefs: { in_reply_to: question.messageId.slice('email:'.length) },
      senderDisplayName: 'Sam from Support',
    });
    await observer.publish([
      {
        topic: TOPICS.outboundEmail.name,
        key: outbound.conversationKey,
        value: encode(OutboundMessageSchema, outbound),
        headers: { messageId: outbound.outboundId, type: messageType(OutboundMessageSchema) },
        extraHeaders: { [PIPELINE_RUN_HEADER]: run },
      },
    ]);
    await waitFor(() => receipts.some((receipt) => receipt.outboundId === outbound.outboundId));
    const receipt = receipts.find((candidate) => candidate.outboundId === outbound.outboundId)!;
    expect(receipt).toMatchObject({ status: DeliveryStatus.SENT, ticketId: outbound.ticketId });
    // The router learns our mail under the id the customer's answer will name.
    expect(receipt.sentMessageId).toBe(`email:${receipt.channelMessageId}`);

    const delivered = await simpleParser(await lastMailIn(mail, customer));
    const questionId = `<${question.messageId.slice('email:'.length)}>`;
    expect(delivered.messageId).toBe(`<${receipt.channelMessageId}>`);
    expect(delivered.inReplyTo).toBe(questionId);
    expect(delivered.references).toBe(questionId);
    expect(delivered.subject).toBe(`Re: Printer jams on page two [#42]`);
    expect(delivered.text?.trim()).toBe('Please try another paper tray.');

    await fromCustomer(`Re: ${delivered.subject}`, {
      'In-Reply-To': `<${receipt.channelMessageId}>`,
      References: `${questionId} <${receipt.channelMessageId}>`,
    });
    await waitFor(() => ours().some((message) => message.subject.startsWith('Re: Re:')));
    const answer = ours().find((message) => message.subject.startsWith('Re: Re:'))!;
    expect(answer.conversationKey).toBe(question.conversationKey);
    expect(answer.inReplyToTicketNumber).toBe('42');
    expect(answer.repliedMessageIds).toEqual([receipt.sentMessageId, question.messageId]);
  }, 40_000);

  it('a bounce of our reply becomes a failed receipt for it', async () => {
    const sent = receipts.find((receipt) => receipt.outboundId === `out-${run}`)!;
    const dsn = [
      'From: Mail Delivery System <MAILER-DAEMON@mx.example.net>',
      `To: ${support}`,
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <bounce-${run}@mx.example.net>`,
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      `Final-Recipient: rfc822; ${customer}`,
      'Action: failed',
      'Status: 5.2.2',
      'Diagnostic-Code: smtp; 552 5.2.2 Mailbox full',
      '',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: <${sent.channelMessageId}>`,
      '',
      '--b--',
      '',
    ].join('\r\n');
    await smtp().sendMail({
      envelope: { from: 'mailer-daemon@mx.example.net', to: support },
      raw: dsn,
    });
    const failed = () =>
      receipts.find(
        (receipt) =>
          receipt.outboundId === `out-${run}` && receipt.status === DeliveryStatus.FAILED,
      );
    await waitFor(() => failed() !== undefined);
    expect(failed()).toMatchObject({
      ticketId: `ticket-${run}`,
      reason: `${customer}: 552 5.2.2 Mailbox full`,
    });
  }, 30_000);

  it('a UIDVALIDITY change rescans the mailbox under the same message ids', async () => {
    await stop();
    const before = new Set(ours().map((message) => message.messageId));
    const client = new Client({ connectionString: database.url });
    await client.connect();
    // The checkpoint as if read under another UIDVALIDITY: the one the bus keeps with the mails,
    // where the reader resumes, and its copy in the database.
    const {
      rows: [{ mailbox }],
    } = await client.query<{ mailbox: string }>(
      `SELECT mailbox FROM channel_email.mailbox_checkpoint`,
    );
    const bus = new KafkaBus({ brokers, clientId: 'channel-email-test' });
    const source = await bus.openSource(`email:${mailbox}`);
    await source.publish([], `1:${source.checkpoint!.split(':')[1]}`);
    await source.close();
    await bus.stop();
    await client.query(`UPDATE channel_email.mailbox_checkpoint SET uid_validity = 1`);
    const count = ours().length;
    await start();
    await waitFor(() => ours().length >= count + before.size);
    const { rows } = await client.query(
      `SELECT uid_validity FROM channel_email.mailbox_checkpoint`,
    );
    await client.end();
    expect(new Set(ours().map((message) => message.messageId))).toEqual(before);
    expect(rows).toEqual([{ uid_validity: expect.not.stringMatching(/^1$/) }]);
  }, 30_000);
});
