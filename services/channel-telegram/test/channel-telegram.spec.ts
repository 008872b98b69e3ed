import { DataSource } from 'typeorm';
import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  type DeliveredMessage,
  type MessageBus,
} from '@firstline/bus';
import {
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  encode,
  InboundMessageSchema,
  messageType,
  OutboundMessageSchema,
  TOPICS,
  type DeliveryReceipt,
  type InboundMessage,
} from '@firstline/contracts';
import { READ_ATTACHMENT, type AttachmentFile } from '@firstline/channel-kit';
import { PermanentError } from '@firstline/errors';
import type { RunningService } from '@firstline/runtime';
import { fileLink, fileLinkKey } from '@firstline/telegram';
import {
  createTestDatabase,
  ensureKafka,
  uniqueName,
  type TestDatabase,
  waitFor,
  FakeBotApi,
  type UploadedFile,
} from '@firstline/testing';
import { observe, startTelegram } from './support';

const run = uniqueName('t').replace(/\W/g, '').slice(-10);
const polling = { name: `poll-${run}`, token: '1001:POLLING', mode: 'polling' };
const webhook = {
  name: `hook-${run}`,
  token: '1002:WEBHOOK',
  mode: 'webhook',
  secret: 'wH7kQ2pLx9vR4tZb',
};
const service = uniqueName('channel-telegram');

describe('the Telegram channel on Kafka and Postgres, against a fake Bot API', () => {
  const fake = new FakeBotApi();
  let database: TestDatabase;
  let brokers: string[];
  let running: RunningService;
  let observer: MessageBus;
  const inbound: InboundMessage[] = [];
  const receipts: DeliveryReceipt[] = [];
  const deadLetters: DeliveredMessage[] = [];

  /** The attachment store the service reads outbound files from. */
  const stored = new Map<string, AttachmentFile>();
  const readAttachment = async (storageKey: string) => {
    const file = stored.get(storageKey);
    if (!file) throw new PermanentError(`no attachment ${storageKey}`);
    return file;
  };
  // Given as a Nest provider, the way a store that is a provider of its own is wired.
  const start = () =>
    startTelegram(service, database, brokers, run, [
      { provide: READ_ATTACHMENT, useFactory: () => readAttachment },
    ]);

  beforeAll(async () => {
    [database, brokers] = await Promise.all([
      createTestDatabase(),
      ensureKafka(),
      fake.start(),
    ]).then(([db, kafka]) => [db, kafka] as const);
    Object.assign(process.env, {
      TELEGRAM_BOTS: JSON.stringify([polling, webhook]),
      TELEGRAM_API_ROOT: fake.apiRoot,
      TELEGRAM_POLL_TIMEOUT_SECONDS: '1',
    });
    running = await start();
    observer = await observe(
      brokers,
      run,
      [TOPICS.inbound.name, TOPICS.deliveryReceipts.name, DEAD_LETTER_TOPIC],
      (record) => {
        if (record.topic === DEAD_LETTER_TOPIC) deadLetters.push(record);
        else if (record.topic === TOPICS.inbound.name) {
          inbound.push(decode(InboundMessageSchema, record.value));
        } else receipts.push(decode(DeliveryReceiptSchema, record.value));
      },
    );
  }, 120_000);

  afterAll(async () => {
    await observer?.stop();
    await running?.stop();
    await fake.stop();
    await database?.drop();
  });

  it('publishes polled updates, keeps the offset in Postgres and continues after a restart without duplicates', async () => {
    fake.customerWrites(polling.token, 501, { text: 'My parcel is late' });
    const first = await waitFor(() => inbound.find((m) => m.textBody === 'My parcel is late'));
    expect(first.conversationKey).toBe(`telegram:${polling.name}:501`);

    await running.stop();
    const offsets = new DataSource({ type: 'postgres', url: database.url });
    await offsets.initialize();
    const [{ next_update_id }] = await offsets.query(
      `SELECT next_update_id FROM "channel_telegram".polling_offset WHERE bot = $1`,
      [polling.name],
    );
    await offsets.destroy();
    fake.customerWrites(polling.token, 501, { text: 'Any news?' });
    const callsBeforeRestart = fake.bot(polling.token).calls.length;
    running = await start();

    await waitFor(() => inbound.find((m) => m.textBody === 'Any news?'));
    const firstPoll = fake
      .bot(polling.token)
      .calls.slice(callsBeforeRestart)
      .find((c) => c.method === 'getUpdates');
    expect(firstPoll?.params.offset).toBe(Number(next_update_id));
    expect(inbound.filter((m) => m.messageId === first.messageId)).toHaveLength(1);
  }, 60_000);

  it('accepts a webhook post only with the secret header, answering once it is published', async () => {
    const post = (update: object, secret?: string) =>
      fetch(`${running.url}/telegram/${webhook.name}/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
        },
        body: JSON.stringify(update),
      });
    const update = (updateId: number, text: string) => ({
      update_id: updateId,
      message: {
        message_id: updateId,
        date: 1_790_000_000,
        chat: { id: 601, type: 'private' },
        from: { id: 601, is_bot: false, first_name: 'Ann' },
        text,
      },
    });

    expect((await post(update(1, 'no secret'))).status).toBe(401);
    expect((await post(update(2, 'wrong secret'), 'guess')).status).toBe(401);
    expect((await post(update(3, 'right secret'), 'wH7kQ2pLx9vR4tZb')).status).toBe(200);
    // Already on the bus when the 200 came; the rejected ones, same partition and earlier, never were.
    await waitFor(() => inbound.find((m) => m.textBody === 'right secret'));
    expect(
      inbound.filter((m) => m.conversationKey === `telegram:${webhook.name}:601`),
    ).toHaveLength(1);
  }, 30_000);

  it('answers a webhook post it cannot read with success and dead-letters it, so Telegram does not send it again', async () => {
    // A button press without the sender the Bot API always gives.
    const answer = await fetch(`${running.url}/telegram/${webhook.name}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-telegram-bot-api-secret-token': 'wH7kQ2pLx9vR4tZb',
      },
      body: JSON.stringify({
        update_id: 50,
        callback_query: { id: 'cb50', chat_instance: 'c', data: 'csat:T-1:3' },
      }),
    });
    expect(answer.status).toBe(200);
    const dead = await waitFor(() =>
      deadLetters.find((record) => record.key === `telegram:${webhook.name}`),
    );
    expect(dead.extraHeaders[DEAD_LETTER_HEADER.error]).toMatch(/without its id or sender/);
  }, 30_000);

  it('links a received document with a signed, expiring link; the adapter streams it through getFile as a download', async () => {
    const page = Buffer.from('<html><script>alert(document.cookie)</script></html>'.repeat(2_000));
    const fileId = fake.addFile(polling.token, page, 'html');
    fake.customerWrites(polling.token, 502, {
      document: {
        file_id: fileId,
        file_unique_id: 'u1',
        file_name: 'invoice.html',
        mime_type: 'text/html',
      },
    });
    const message = await waitFor(() => inbound.find((m) => m.conversationKey.endsWith(':502')));
    const link = new URL(message.attachments[0].url);
    expect(link.pathname).toBe(`/telegram/${polling.name}/files/${fileId}`);
    const at = (url: URL) => `${running.url}${url.pathname}${url.search}`;

    // The upstream file server sends half the file and waits: the answer is already under way.
    const release = fake.holdFile(polling.token, fileId, 50_000);
    const download = await fetch(at(link));
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/octet-stream');
    expect(download.headers.get('x-content-type-options')).toBe('nosniff');
    expect(download.headers.get('content-disposition')).toBe(
      `attachment; filename="invoice.html"; filename*=UTF-8''invoice.html`,
    );
    const reader = download.body!.getReader();
    const first = await reader.read();
    expect(first.value!.length).toBeGreaterThan(0);
    release();
    const chunks = [Buffer.from(first.value!)];
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      chunks.push(Buffer.from(next.value));
    }
    expect(Buffer.concat(chunks).equals(page)).toBe(true);

    // Without the signature, with another file id or name, or past its expiry: no file.
    const changed = (edit: (url: URL) => void) => {
      const url = new URL(link);
      edit(url);
      return fetch(at(url)).then((answer) => answer.status);
    };
    expect(await changed((url) => (url.search = ''))).toBe(403);
    expect(await changed((url) => url.searchParams.set('name', 'invoice.pdf'))).toBe(403);
    const other = fake.addFile(polling.token, Buffer.from('%PDF-1.7 other'), 'pdf');
    expect(await changed((url) => (url.pathname = url.pathname.replace(fileId, other)))).toBe(403);
    const expires = Number(link.searchParams.get('expires'));
    expect(expires * 1000 - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000); // 30 days by default
    const expired = fileLink(
      running.url,
      {
        bot: polling.name,
        fileId,
        fileName: 'invoice.html',
        expires: Math.floor(Date.now() / 1000) - 1,
      },
      fileLinkKey(polling.token),
    );
    expect((await fetch(expired)).status).toBe(410);
  }, 30_000);

  it('sends a CSAT survey once, even when redelivered, and publishes the button press as a CSAT answer', async () => {
    const outbound = outboundMessage(503, { textBody: 'How did we do?', csatSurvey: true });
    await publishOutbound(outbound);
    await publishOutbound(outbound);
    const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
    expect(sent.status).toBe(DeliveryStatus.SENT);

    const survey = fake.bot(polling.token).sent.filter((m) => m.chat_id === '503');
    expect(survey).toHaveLength(1);
    const fourStars = survey[0].reply_markup!.inline_keyboard[0][3].callback_data;
    const callbackId = fake.customerPresses(polling.token, survey[0], fourStars);

    const answer = await waitFor(() =>
      inbound.find((m) => m.csatAnswer?.ticketId === outbound.ticketId),
    );
    expect(answer.csatAnswer?.score).toBe(4);
    await waitFor(
      () => fake.bot(polling.token).answeredCallbacks.includes(callbackId) || undefined,
    );
    expect(receipts.filter((r) => r.outboundId === outbound.outboundId)).toHaveLength(1);
  }, 30_000);

  it('waits out a 429 for its retry_after and then sends', async () => {
    fake.failNext(polling.token, 'sendMessage', FakeBotApi.tooManyRequests(1));
    const outbound = outboundMessage(504, { textBody: 'Thanks for waiting' });
    await publishOutbound(outbound);
    const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
    expect(sent.status).toBe(DeliveryStatus.SENT);
    const attempts = fake
      .bot(polling.token)
      .calls.filter((c) => c.method === 'sendMessage' && c.params.chat_id === '504');
    expect(attempts).toHaveLength(2);
    expect(attempts[1].at - attempts[0].at).toBeGreaterThanOrEqual(1_000);
  }, 30_000);

  it('reports a blocked bot as a failed receipt with the customer unreachable', async () => {
    fake.bot(polling.token).blockedChats.add('505');
    const outbound = outboundMessage(505, { textBody: 'Hello?' });
    await publishOutbound(outbound);
    const failed = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
    expect(failed).toMatchObject({
      status: DeliveryStatus.FAILED,
      reason: 'bot was blocked by the user',
      retryable: false,
      recipientUnreachable: true,
    });
  }, 30_000);

  it('splits a reply above 4,096 characters into messages the Bot API accepts', async () => {
    const outbound = outboundMessage(506, {
      htmlBody: `<p><b>${'All good here. '.repeat(400)}</b></p>`,
    });
    await publishOutbound(outbound);
    const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
    expect(sent.status).toBe(DeliveryStatus.SENT);
    const parts = fake.bot(polling.token).sent.filter((m) => m.chat_id === '506');
    expect(parts).toHaveLength(2);
    // The receipt names the first part as the customer's replies to it will name it.
    expect(sent.channelMessageId).toBe(String(parts[0].message_id));
    expect(sent.sentMessageId).toBe(`telegram:${polling.name}:506:${parts[0].message_id}`);
  }, 30_000);

  describe('files in replies', () => {
    const photo = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(70_000, 7)]);
    const pdf = Buffer.from('%PDF-1.7\n' + 'receipt line\n'.repeat(5_000));
    const attachment = (key: string, fileName: string, contentType: string, bytes: Buffer) => {
      stored.set(key, { fileName, contentType, bytes });
      return { storageKey: key, fileName, contentType, sizeBytes: bytes.length };
    };

    it('uploads a photo and a PDF from the attachment store, the text as the photo caption', async () => {
      const outbound = outboundMessage(507, {
        textBody: 'Here is the damage and your receipt',
        attachments: [
          attachment(`${run}-photo`, 'damage.jpg', 'image/jpeg', photo),
          attachment(`${run}-pdf`, 'Receipt №7.pdf', 'application/pdf', pdf),
        ],
      });
      await publishOutbound(outbound);
      const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
      expect(sent.status).toBe(DeliveryStatus.SENT);

      const messages = fake.bot(polling.token).sent.filter((m) => m.chat_id === '507');
      expect(messages.map((m) => [m.caption, (m.photo ?? m.document) as UploadedFile])).toEqual([
        [
          'Here is the damage and your receipt',
          expect.objectContaining({ method: 'sendPhoto', fileName: 'damage.jpg', bytes: photo }),
        ],
        [
          undefined,
          expect.objectContaining({
            method: 'sendDocument',
            fileName: 'Receipt №7.pdf',
            bytes: pdf,
          }),
        ],
      ]);
      expect(sent.channelMessageId).toBe(String(messages[0].message_id));
    }, 30_000);

    it('sends several documents as one album', async () => {
      const outbound = outboundMessage(508, {
        textBody: 'Both contracts',
        attachments: [
          attachment(`${run}-a`, 'a.pdf', 'application/pdf', pdf.subarray(0, 1_000)),
          attachment(`${run}-b`, 'b.pdf', 'application/pdf', pdf.subarray(0, 2_000)),
        ],
      });
      await publishOutbound(outbound);
      const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
      expect(sent.status).toBe(DeliveryStatus.SENT);
      const album = fake.bot(polling.token).sent.filter((m) => m.chat_id === '508');
      expect(album).toHaveLength(2);
      expect(new Set(album.map((m) => m.media_group_id)).size).toBe(1);
      expect(album.map((m) => (m.document as UploadedFile).bytes.length)).toEqual([1_000, 2_000]);
      expect(album.map((m) => m.caption)).toEqual(['Both contracts', undefined]);
    }, 30_000);

    it('retries a failed upload without sending the text before it again', async () => {
      fake.failNext(polling.token, 'sendDocument', FakeBotApi.badGateway());
      const text = 'A long explanation. '.repeat(80);
      const outbound = outboundMessage(509, {
        textBody: text,
        attachments: [attachment(`${run}-retry`, 'steps.pdf', 'application/pdf', pdf)],
      });
      await publishOutbound(outbound);
      const sent = await waitFor(() => receipts.find((r) => r.outboundId === outbound.outboundId));
      expect(sent.status).toBe(DeliveryStatus.SENT);
      const messages = fake.bot(polling.token).sent.filter((m) => m.chat_id === '509');
      expect(messages.map((m) => (m.text ? 'text' : 'document'))).toEqual(['text', 'document']);
      expect(
        fake
          .bot(polling.token)
          .calls.filter((c) => c.method === 'sendDocument' && c.params.chat_id === '509'),
      ).toHaveLength(2);
    }, 60_000);

    it('fails a file above 50 MB for good, naming it, before uploading anything', async () => {
      const outbound = outboundMessage(510, {
        textBody: 'The recording',
        attachments: [
          {
            storageKey: `${run}-huge`,
            fileName: 'call.wav',
            contentType: 'audio/wav',
            sizeBytes: 60 * 1024 * 1024,
          },
        ],
      });
      await publishOutbound(outbound);
      const failed = await waitFor(() =>
        receipts.find((r) => r.outboundId === outbound.outboundId),
      );
      expect(failed).toMatchObject({ status: DeliveryStatus.FAILED, retryable: false });
      expect(failed.reason).toMatch(
        /"call.wav" is 60 MB; Telegram bots send files of at most 50 MB/,
      );
      expect(fake.bot(polling.token).sent.filter((m) => m.chat_id === '510')).toHaveLength(0);
    }, 30_000);
  });

  function outboundMessage(
    chatId: number,
    fields: {
      textBody?: string;
      htmlBody?: string;
      csatSurvey?: boolean;
      attachments?: Array<{
        storageKey: string;
        fileName: string;
        contentType: string;
        sizeBytes: number;
      }>;
    },
  ) {
    return create(OutboundMessageSchema, {
      outboundId: uniqueName(`out-${run}`),
      ticketId: `T-${run}-${chatId}`,
      conversationKey: `telegram:${polling.name}:${chatId}`,
      ...fields,
    });
  }

  async function publishOutbound(message: ReturnType<typeof outboundMessage>): Promise<void> {
    await observer.publish([
      {
        topic: TOPICS.outboundTelegram.name,
        key: message.conversationKey,
        value: encode(OutboundMessageSchema, message),
        headers: { messageId: message.outboundId, type: messageType(OutboundMessageSchema) },
      },
    ]);
  }
});
