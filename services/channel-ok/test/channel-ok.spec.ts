import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DEAD_LETTER_HEADER,
  KafkaBus,
  silentLogger,
  topicRecord,
  type DeliveredMessage,
} from '@firstline/bus';
import {
  AttachmentSchema,
  create,
  decode,
  DeliveryStatus,
  OutboundMessageSchema,
  TOPICS,
  type Attachment,
  type DeliveryReceipt,
  type InboundMessage,
} from '@firstline/contracts';
import { conversationKey, MAX_TEXT_LENGTH } from '@firstline/ok';
import type { AttachmentFile } from '@firstline/channel-kit';
import { PermanentError } from '@firstline/errors';
import { startService, type RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  FakeOk,
  freePort,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { channelOkService } from '../src';
import { ChannelOkModule } from '../src/ok.module';

// Group and user ids of this run only: the topics are shared with every other run on the broker.
const GROUP = String(57_000_000_000_000 + Math.floor(Math.random() * 900_000_000_000));
const TOKEN = 'tkn-channel-ok-test';
const SECRET = 'ok-webhook-s3cret-path';
const CUSTOMER = { userId: String(500_000_000 + Math.floor(Math.random() * 400_000_000)) };

describe('channel-ok against a fake OK API, on Kafka and Postgres', () => {
  const ok = new FakeOk();
  /** The attachment store the service reads outbound files from. */
  const stored = new Map<string, AttachmentFile>();
  const readAttachment = async (storageKey: string) => {
    const file = stored.get(storageKey);
    if (!file) throw new PermanentError(`no attachment ${storageKey}`);
    return file;
  };
  const inbound: InboundMessage[] = [];
  const receipts: DeliveryReceipt[] = [];
  const deadLetters: DeliveredMessage[] = [];
  let files: Server;
  let filesUrl: string;
  let database: TestDatabase;
  let bus: KafkaBus;
  let service: RunningService;
  let webhookUrl: string;
  let chatId: string;
  let outboundCount = 0;

  beforeAll(async () => {
    await ok.start();
    ok.group(GROUP, TOKEN);
    files = createServer((request, response) => {
      if (request.url === '/receipt.png') response.writeHead(200).end(Buffer.from('png bytes'));
      else response.writeHead(404).end();
    });
    filesUrl = await listen(files);
    database = await createTestDatabase();
    bus = new KafkaBus({
      brokers: await ensureKafka(),
      clientId: 'channel-ok-test',
      logger: silentLogger,
    });
    // OK must be told the webhook URL, so the service's port is chosen before it starts.
    const port = await freePort();
    Object.assign(process.env, {
      OK_GROUPS: JSON.stringify([{ token: TOKEN, secret: SECRET }]),
      OK_API_URL: ok.url,
      OK_PUBLIC_URL: `http://127.0.0.1:${port}`,
      OK_UPLOAD_PROCESSING_MS: '0',
    });
    service = await startService(
      { ...channelOkService, module: ChannelOkModule.readingAttachments(readAttachment) },
      {
        bus,
        ownsBus: true,
        databaseUrl: database.url,
        databasePoolSize: 3,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      port,
    );
    webhookUrl = `${service.url}/ok/webhook/${SECRET}`;
    await bus.subscribe({
      group: uniqueName('channel-ok-test.observer'),
      topics: [TOPICS.inbound.name, TOPICS.deliveryReceipts.name, TOPICS.dlq.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          if (message.topic === TOPICS.dlq.name) {
            if (message.key === `ok:${GROUP}`) deadLetters.push(message);
          } else if (message.topic === TOPICS.inbound.name) {
            const decoded = decode(TOPICS.inbound.schema, message.value);
            if (decoded.conversationKey.startsWith(`ok:${GROUP}:`)) inbound.push(decoded);
          } else {
            const decoded = decode(TOPICS.deliveryReceipts.schema, message.value);
            if (decoded.outboundId.startsWith(`ok-test-${GROUP}`)) receipts.push(decoded);
          }
        }
      },
    });
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
    await ok.stop();
    await new Promise((resolve) => files?.close(resolve));
    for (const name of ['OK_GROUPS', 'OK_API_URL', 'OK_PUBLIC_URL', 'OK_UPLOAD_PROCESSING_MS']) {
      delete process.env[name];
    }
  });

  const post = async (url: string, body: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json;charset=utf-8' },
      body,
    });
    return { status: response.status, text: await response.text() };
  };

  const sendOutbound = async (changes: { textBody: string; attachments?: Attachment[] }) => {
    const message = create(OutboundMessageSchema, {
      outboundId: `ok-test-${GROUP}-${++outboundCount}`,
      ticketId: `ticket-${outboundCount}`,
      conversationKey: conversationKey(GROUP, chatId),
      ...changes,
    });
    await bus.publish([topicRecord(TOPICS.outboundOk, message, { messageId: message.outboundId })]);
    return message.outboundId;
  };

  const receiptOf = (outboundId: string) =>
    waitFor(() => receipts.find((receipt) => receipt.outboundId === outboundId), 30_000);

  it('subscribes the group’s webhook at its secret path when it starts', () => {
    expect(ok.subscriptionsOf(GROUP)).toEqual([webhookUrl]);
  });

  it('publishes what a customer writes, and answers OK 200 once it is on the bus', async () => {
    const { body, statuses } = await ok.customerWrites(
      GROUP,
      { ...CUSTOMER, name: 'Irina Volkova' },
      { text: 'Where is my parcel?' },
    );
    expect(statuses).toEqual([200]);
    chatId = (body.recipient as { chat_id: string }).chat_id;
    const message = await waitFor(() => inbound.find((m) => m.textBody === 'Where is my parcel?'));
    expect(message).toMatchObject({
      conversationKey: conversationKey(GROUP, chatId),
      sender: { value: CUSTOMER.userId, displayName: 'Irina Volkova' },
    });
  });

  it('refuses a webhook at a wrong secret with 403 and publishes nothing', async () => {
    const body = JSON.stringify({
      sender: { user_id: `user:${CUSTOMER.userId}` },
      recipient: { chat_id: 'chat:C1' },
      message: { text: 'forged', mid: 'mid:forged.1' },
    });
    const answer = await post(`${service.url}/ok/webhook/not-the-s3cret-path`, body);
    expect(answer.status).toBe(403);
    // The same body at the right path goes through, so nothing but the secret made the difference.
    expect((await post(webhookUrl, body)).status).toBe(200);
    await waitFor(() => inbound.some((m) => m.textBody === 'forged'));
    expect(inbound.filter((m) => m.textBody === 'forged')).toHaveLength(1);
  });

  it('answers 200 to a body it cannot read and dead-letters it with the reason', async () => {
    const answer = await post(webhookUrl, '{"message": {"text": "cut off');
    expect(answer.status).toBe(200);
    const deadLetter = await waitFor(() => deadLetters[0]);
    expect(deadLetter.value.toString()).toBe('{"message": {"text": "cut off');
    expect(deadLetter.extraHeaders).toMatchObject({
      [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
      [DEAD_LETTER_HEADER.error]: expect.stringContaining('must be a JSON object'),
    });
  });

  it('tries a reply again after OK error 1 and delivers it once', async () => {
    ok.failNextSends({ code: 1, text: 'Retried once.' });
    const outboundId = await sendOutbound({ textBody: 'Retried once.' });
    const receipt = await receiptOf(outboundId);
    expect(receipt.status).toBe(DeliveryStatus.SENT);
    expect(
      ok.sendAttempts.filter((a) => JSON.stringify(a.body).includes('Retried once.')),
    ).toHaveLength(2);
    const delivered = ok.delivered.filter((m) => m.text === 'Retried once.');
    expect(delivered).toHaveLength(1);
    expect(receipt.channelMessageId).toBe(delivered[0].mid);
    expect(receipt.sentMessageId).toBe(
      `${conversationKey(GROUP, chatId)}:${delivered[0].mid.slice(4)}`,
    );
  });

  it('sends only the parts of a long reply that OK has not taken yet when it retries', async () => {
    const first = `${'a'.repeat(MAX_TEXT_LENGTH - 20)} end-of-one`;
    const textBody = `${first}\nthe-second-part`;
    ok.failNextSends({ code: 2, text: 'the-second-part' });
    // The first part goes out, the second fails with OK error 2; the retry sends the second alone.
    const receipt = await receiptOf(await sendOutbound({ textBody }));
    expect(receipt.status).toBe(DeliveryStatus.SENT);
    expect(ok.delivered.filter((m) => m.text === first)).toHaveLength(1);
    expect(ok.delivered.filter((m) => m.text === 'the-second-part')).toHaveLength(1);
  });

  it('uploads a reply’s image and attaches it by the token the upload returned', async () => {
    const attachment = create(AttachmentSchema, {
      url: `${filesUrl}/receipt.png`,
      fileName: 'receipt.png',
      contentType: 'image/png',
    });
    const receipt = await receiptOf(
      await sendOutbound({ textBody: 'Your receipt.', attachments: [attachment] }),
    );
    expect(receipt.status).toBe(DeliveryStatus.SENT);
    const upload = ok.uploads.find((u) => u.bytes.toString() === 'png bytes');
    expect(upload).toMatchObject({ type: 'IMAGE', contentType: 'image/png' });
    expect(ok.delivered.find((m) => m.text === 'Your receipt.')?.attachments).toEqual([
      { type: 'IMAGE', payload: { token: upload!.token } },
    ]);
  });

  it('uploads an image and a PDF from the attachment store, named, and attaches both by token', async () => {
    const png = Buffer.concat([
      Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
      Buffer.alloc(30_000, 5),
    ]);
    const pdf = Buffer.from('%PDF-1.7\n' + 'row\n'.repeat(8_000));
    stored.set(`${GROUP}/png`, { fileName: 'screen.png', contentType: 'image/png', bytes: png });
    stored.set(`${GROUP}/pdf`, {
      fileName: 'Счёт 12.pdf',
      contentType: 'application/pdf',
      bytes: pdf,
    });
    const attachments = [
      create(AttachmentSchema, {
        storageKey: `${GROUP}/png`,
        fileName: 'screen.png',
        contentType: 'image/png',
        sizeBytes: png.length,
      }),
      create(AttachmentSchema, {
        storageKey: `${GROUP}/pdf`,
        fileName: 'Счёт 12.pdf',
        contentType: 'application/pdf',
        sizeBytes: pdf.length,
      }),
    ];
    const receipt = await receiptOf(
      await sendOutbound({ textBody: 'Screen and invoice', attachments }),
    );
    expect(receipt.status).toBe(DeliveryStatus.SENT);

    const image = ok.uploads.find((u) => u.bytes.equals(png));
    const document = ok.uploads.find((u) => u.bytes.equals(pdf));
    expect(image).toMatchObject({
      type: 'IMAGE',
      fileName: 'screen.png',
      contentType: 'image/png',
    });
    expect(document).toMatchObject({
      type: 'FILE',
      fileName: 'Счёт 12.pdf',
      contentType: 'application/pdf',
    });
    expect(ok.delivered.find((m) => m.text === 'Screen and invoice')?.attachments).toEqual([
      { type: 'IMAGE', payload: { token: image!.token } },
      { type: 'FILE', payload: { token: document!.token } },
    ]);
  });

  it('fails a reply whose file is not in the attachment store for good, sending nothing', async () => {
    const attachments = [
      create(AttachmentSchema, {
        storageKey: `${GROUP}/missing`,
        fileName: 'lost.pdf',
        contentType: 'application/pdf',
        sizeBytes: 10,
      }),
    ];
    const receipt = await receiptOf(await sendOutbound({ textBody: 'The lost file', attachments }));
    expect(receipt).toMatchObject({ status: DeliveryStatus.FAILED, retryable: false });
    expect(receipt.reason).toMatch(/no attachment/);
    expect(ok.delivered.some((m) => m.text === 'The lost file')).toBe(false);
  });

  it('reports a customer who closed the chat as unreachable, without retrying (OK error 10)', async () => {
    ok.closeChat(chatId);
    const receipt = await receiptOf(await sendOutbound({ textBody: 'Anyone there?' }));
    expect(receipt).toMatchObject({
      status: DeliveryStatus.FAILED,
      recipientUnreachable: true,
      retryable: false,
    });
    expect(receipt.reason).toContain('OK error 10');
    expect(
      ok.sendAttempts.filter((a) => JSON.stringify(a.body).includes('Anyone there?')),
    ).toHaveLength(1);
  });

  it('publishes a survey button press as a score and answers the press', async () => {
    await ok.customerPresses(GROUP, { userId: '77' }, 'csat:5:ticket-42');
    const answer = await waitFor(() => inbound.find((m) => m.csatAnswer));
    expect(answer.csatAnswer).toMatchObject({ ticketId: 'ticket-42', score: 5 });
    await waitFor(() => ok.callbackAnswers.length === 1);
    expect(ok.callbackAnswers[0].body).toMatchObject({ message: { text: expect.any(String) } });
  });
});

function listen(server: Server): Promise<string> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}
