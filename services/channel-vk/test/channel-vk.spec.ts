import type { MessageInitShape } from '@bufbuild/protobuf';
import { KafkaBus, silentLogger, type DeliveredMessage } from '@firstline/bus';
import {
  create,
  decode,
  DeliveryStatus,
  encode,
  messageType,
  OutboundMessageSchema,
  TOPICS,
  type DeliveryReceipt,
  type InboundMessage,
  type OutboundMessage,
} from '@firstline/contracts';
import type { AttachmentFile } from '@firstline/channel-kit';
import { PermanentError } from '@firstline/errors';
import { startService, type RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  uniqueName,
  type TestDatabase,
  waitFor,
  FakeVk,
  sendCallback,
} from '@firstline/testing';
import { randomIdFor } from '@firstline/vk';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { channelVkService } from '../src';
import { ChannelVkModule } from '../src/channel-vk.module';

// The VK payloads of other projects' suites, beside the repository or its folder of worktrees;
// the test that posts them reports itself skipped where they are absent.
const corpus = [
  resolve(__dirname, '../../../../shared'),
  resolve(__dirname, '../../../../../shared'),
]
  .map((root) => join(root, 'corpus/messenger/vk'))
  .find(existsSync);

// Group ids of this run only: the topics are shared with every other run on the broker.
const CALLBACK_GROUP = 100_000_000 + Math.floor(Math.random() * 800_000_000);
const LONG_POLL_GROUP = CALLBACK_GROUP + 1;
const SECRET = 'vk-callback-s3cret-key';
const CUSTOMER = 7001;

describe('channel-vk against a fake VK API, on Kafka and Postgres', () => {
  const vk = new FakeVk();
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
  let database: TestDatabase;
  let bus: KafkaBus;
  let service: RunningService;
  let callbackUrl: string;

  beforeAll(async () => {
    await vk.start();
    vk.community(CALLBACK_GROUP, 'token-callback');
    vk.community(LONG_POLL_GROUP, 'token-longpoll');
    vk.users.set(CUSTOMER, { first_name: 'Anna', last_name: 'Petrova' });
    vk.files.set('terms.txt', 'the terms');
    database = await createTestDatabase();
    bus = new KafkaBus({
      brokers: await ensureKafka(),
      clientId: 'channel-vk-test',
      logger: silentLogger,
    });
    Object.assign(process.env, {
      VK_COMMUNITIES: JSON.stringify([
        {
          groupId: CALLBACK_GROUP,
          token: 'token-callback',
          mode: 'callback',
          confirmationCode: 'c0ffee12',
          secret: SECRET,
        },
        { groupId: LONG_POLL_GROUP, token: 'token-longpoll', mode: 'longpoll' },
      ]),
      VK_API_URL: `${vk.url}/method`,
      VK_LONG_POLL_WAIT: '1',
    });
    service = await startService(
      { ...channelVkService, module: ChannelVkModule.readingAttachments(readAttachment) },
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
      0,
    );
    callbackUrl = `${service.url}/vk/${CALLBACK_GROUP}/callback`;
    const ours = (key: string) =>
      key.startsWith(`vk:${CALLBACK_GROUP}:`) || key.startsWith(`vk:${LONG_POLL_GROUP}:`);
    await bus.subscribe({
      group: uniqueName('channel-vk-test.observer'),
      topics: [TOPICS.inbound.name, TOPICS.deliveryReceipts.name, TOPICS.dlq.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          if (message.topic === TOPICS.dlq.name) {
            if (message.key === `vk:${CALLBACK_GROUP}`) deadLetters.push(message);
          } else if (message.topic === TOPICS.inbound.name) {
            const decoded = decode(TOPICS.inbound.schema, message.value);
            if (ours(decoded.conversationKey)) inbound.push(decoded);
          } else {
            const decoded = decode(TOPICS.deliveryReceipts.schema, message.value);
            // Other suites' channel-vk services read the same topic in groups of their own and
            // refuse this community as not theirs: only this service's receipts count.
            if (
              decoded.outboundId.startsWith(`vk-test-${CALLBACK_GROUP}`) &&
              decoded.reason !== `VK community ${CALLBACK_GROUP} is not configured`
            ) {
              receipts.push(decoded);
            }
          }
        }
      },
    });
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
    await vk.stop();
    delete process.env.VK_COMMUNITIES;
  });

  const messageNew = (eventId: string, cmid: number, text: string, extra: object = {}) => ({
    type: 'message_new',
    event_id: eventId,
    v: '5.199',
    group_id: CALLBACK_GROUP,
    secret: SECRET,
    object: {
      message: {
        id: 500 + cmid,
        date: 1_763_892_000,
        peer_id: CUSTOMER,
        from_id: CUSTOMER,
        text,
        conversation_message_id: cmid,
        attachments: [],
        ...extra,
      },
      client_info: { keyboard: true, inline_keyboard: true },
    },
  });

  describe('Callback API', () => {
    it('answers the confirmation request with the configured code', async () => {
      expect(
        await sendCallback(callbackUrl, { type: 'confirmation', group_id: CALLBACK_GROUP }),
      ).toEqual({ status: 200, text: 'c0ffee12' });
    });

    it('refuses an event with a wrong secret and publishes nothing for it', async () => {
      const forged = { ...messageNew('forged-1', 1, 'forged'), secret: 'guess' };
      const answer = await sendCallback(callbackUrl, forged);
      expect(answer.status).toBe(403);
      expect(answer.text).not.toBe('ok');
      expect(await publishedCount()).toBe(0);
    });

    it('publishes an event delivered twice once, with the sender named by users.get', async () => {
      const event = messageNew('event-1', 1, 'Where is my order?');
      expect(await sendCallback(callbackUrl, event)).toEqual({ status: 200, text: 'ok' });
      expect(await sendCallback(callbackUrl, event)).toEqual({ status: 200, text: 'ok' });
      await sendCallback(callbackUrl, messageNew('event-2', 2, 'Order 77'));

      await waitFor(() => inbound.some((m) => m.textBody === 'Order 77'));
      const first = inbound.filter((m) => m.messageId === `vk:${CALLBACK_GROUP}:${CUSTOMER}:1`);
      expect(first).toHaveLength(1);
      expect(first[0]).toMatchObject({
        conversationKey: `vk:${CALLBACK_GROUP}:${CUSTOMER}`,
        textBody: 'Where is my order?',
        sender: { value: String(CUSTOMER), displayName: 'Anna Petrova' },
      });
      expect(inbound.some((m) => m.textBody === 'forged')).toBe(false);
      expect(vk.callsOf('users.get')).toHaveLength(1); // the second message found the name cached
    });

    it('accepts callbacks that arrive together as one batch, each event once', async () => {
      const usersGetBefore = vk.callsOf('users.get').length;
      const events = Array.from({ length: 30 }, (_, n) =>
        messageNew(`together-${n}`, 100 + n, `Together ${n}`, {
          from_id: CUSTOMER + 1 + n,
          peer_id: CUSTOMER + 1 + n,
        }),
      );
      // Every third event is repeated while the first copy may still be waiting in its batch.
      const answers = await Promise.all(
        [...events, ...events.filter((_, n) => n % 3 === 0)].map((event) =>
          sendCallback(callbackUrl, event),
        ),
      );
      expect(answers.every((answer) => answer.status === 200 && answer.text === 'ok')).toBe(true);

      await waitFor(
        () => inbound.filter((m) => m.textBody.startsWith('Together ')).length >= events.length,
      );
      const published = inbound.filter((m) => m.textBody.startsWith('Together '));
      expect(published).toHaveLength(events.length);
      expect(new Set(published.map((m) => m.messageId)).size).toBe(events.length);
      // Thirty new customers named in fewer users.get calls than callbacks.
      expect(vk.callsOf('users.get').length - usersGetBefore).toBeLessThan(events.length);
    });

    it('turns a press of a CSAT button into a CSAT answer and stops the button spinning', async () => {
      await sendCallback(callbackUrl, {
        type: 'message_event',
        event_id: 'event-csat',
        group_id: CALLBACK_GROUP,
        secret: SECRET,
        object: {
          user_id: CUSTOMER,
          peer_id: CUSTOMER,
          event_id: 'press-1',
          payload: { csat: 5, ticket: 'ticket-1' },
        },
      });
      await waitFor(() => inbound.some((m) => m.csatAnswer));
      expect(inbound.find((m) => m.csatAnswer)!.csatAnswer).toMatchObject({
        ticketId: 'ticket-1',
        score: 5,
      });
      await waitFor(() => vk.callsOf('messages.sendMessageEventAnswer').length === 1);
      expect(vk.callsOf('messages.sendMessageEventAnswer')[0].params).toMatchObject({
        event_id: 'press-1',
      });
    });

    it('answers "ok" to an event it cannot read and dead-letters it with the reason', async () => {
      const broken = {
        type: 'message_new',
        event_id: 'broken-1',
        group_id: CALLBACK_GROUP,
        secret: SECRET,
        object: {},
      };
      expect(await sendCallback(callbackUrl, broken)).toEqual({ status: 200, text: 'ok' });
      await waitFor(() => deadLetters.length === 1);
      expect(deadLetters[0].extraHeaders).toMatchObject({
        'dlq-error-kind': 'bad-input',
        'dlq-error': expect.stringContaining('has no message'),
      });
      expect(JSON.parse(deadLetters[0].value.toString())).toMatchObject({ event_id: 'broken-1' });
    });
    it('accepts a callback of a hundred forwarded messages with ten photos each', async () => {
      const photo = (message: number, index: number) => ({
        type: 'photo',
        photo: {
          id: 457_000_000 + message * 10 + index,
          album_id: -3,
          owner_id: CUSTOMER,
          date: 1_763_891_000,
          access_key: 'a1b2c3d4e5f6a7b8c9',
          // The sizes VK lists for a photo, each a signed URL on its CDN.
          sizes: ['s', 'm', 'x', 'o', 'p', 'q', 'r', 'y', 'z', 'w'].map((type, size) => ({
            type,
            width: 75 * (size + 1),
            height: 50 * (size + 1),
            url: `https://sun9-${size}.userapi.com/impg/c${message}${index}/${type}.jpg?size=${75 * (size + 1)}x${50 * (size + 1)}&quality=96&sign=0123456789abcdef0123456789abcdef&type=album`,
          })),
        },
      });
      const forwards = Array.from({ length: 100 }, (_, message) => ({
        date: 1_763_891_000 + message,
        from_id: CUSTOMER,
        text: `photo set ${message}`,
        attachments: Array.from({ length: 10 }, (_, index) => photo(message, index)),
        conversation_message_id: 1_000 + message,
        peer_id: CUSTOMER,
        id: 9_000 + message,
      }));
      const event = messageNew('event-big', 60, 'all the receipts', { fwd_messages: forwards });
      expect(JSON.stringify(event).length).toBeGreaterThan(1_500_000);

      expect(await sendCallback(callbackUrl, event)).toEqual({ status: 200, text: 'ok' });
      await waitFor(() => inbound.some((m) => m.replyText === 'all the receipts'));
      const published = inbound.find((m) => m.replyText === 'all the receipts')!;
      expect(published.attachments).toHaveLength(1_000);
      expect(published.textBody).toContain('> photo set 99');
    });

    it('refuses a body over the bound with 413 and publishes nothing for it', async () => {
      const event = messageNew('event-huge', 61, 'x'.repeat(6 * 1024 * 1024));
      expect((await sendCallback(callbackUrl, event)).status).toBe(413);
      expect(await seen('event-huge')).toBe(false);
    });

    (corpus ? it : it.skip)(
      'answers every payload of the corpus with "ok" (or the code), publishing no group chat',
      async () => {
        const files = readdirSync(corpus!).filter((file) => file.endsWith('.json'));
        for (const file of files) {
          const payload = JSON.parse(readFileSync(join(corpus!, file), 'utf8'));
          // As this community's own event, so that it passes verify and reaches the adapter.
          const event = { ...payload, group_id: CALLBACK_GROUP, secret: SECRET };
          if (payload.type && payload.type !== 'confirmation') event.event_id = `corpus-${file}`;
          const expected = payload.type === 'confirmation' ? 'c0ffee12' : 'ok';
          expect([file, await sendCallback(callbackUrl, event)]).toEqual([
            file,
            { status: 200, text: expected },
          ]);
        }
        await waitFor(() =>
          inbound.some((m) => m.textBody.endsWith('> Возврат оформлен, деньги придут за 10 дней')),
        );
        const chats = inbound.filter((m) => Number(m.channelMetadata.peer_id) >= 2_000_000_000);
        expect(chats).toEqual([]);
      },
    );
  });

  describe('Bots Long Poll', () => {
    const longPollEvent = (eventId: string, cmid: number, text: string) => ({
      ...messageNew(eventId, cmid, text),
      group_id: LONG_POLL_GROUP,
      secret: undefined,
    });

    it('recovers from failed 1, 2 and 3 as documented and stores ts after publishing', async () => {
      vk.pushLongPollEvent(LONG_POLL_GROUP, longPollEvent('lp-1', 1, 'long poll one'));
      await waitFor(() => inbound.some((m) => m.textBody === 'long poll one'));

      const serversBefore = vk.callsOf('groups.getLongPollServer').length;
      const pollsBefore = vk.polls.length;
      vk.failNextPolls(LONG_POLL_GROUP, 1, 2, 3);
      await waitFor(() => vk.polls.length >= pollsBefore + 4);
      vk.pushLongPollEvent(LONG_POLL_GROUP, longPollEvent('lp-2', 2, 'long poll two'));
      await waitFor(() => inbound.some((m) => m.textBody === 'long poll two'));

      const [failed1, afterFailed1, afterFailed2, afterFailed3] = vk.polls.slice(pollsBefore);
      const next = (ts: string) => String(Number(ts) + 1);
      // 1: go on from the newer ts VK answered with, same key
      expect(afterFailed1).toMatchObject({ ts: next(failed1.ts), key: failed1.key });
      // 2: a new key from groups.getLongPollServer, the same ts
      expect(afterFailed2.key).not.toBe(afterFailed1.key);
      expect(afterFailed2.ts).toBe(afterFailed1.ts);
      // 3: a new key and a new ts, both from groups.getLongPollServer
      expect(afterFailed3.key).not.toBe(afterFailed2.key);
      expect(afterFailed3.ts).toBe(next(afterFailed2.ts));
      expect(vk.callsOf('groups.getLongPollServer').length - serversBefore).toBe(2);
      await waitFor(async () => (await storedTs()) === vk.currentTs(LONG_POLL_GROUP));
      expect(inbound.filter((m) => m.textBody === 'long poll one')).toHaveLength(1);
    });
  });

  describe('outbound', () => {
    let sequence = 0;
    const outbound = (fields: MessageInitShape<typeof OutboundMessageSchema> = {}) =>
      create(OutboundMessageSchema, {
        outboundId: `vk-test-${CALLBACK_GROUP}-${++sequence}`,
        ticketId: 'ticket-1',
        conversationKey: `vk:${CALLBACK_GROUP}:${CUSTOMER}`,
        textBody: 'Your order ships today.',
        ...fields,
      });
    const publish = (message: OutboundMessage) =>
      bus.publish([
        {
          topic: TOPICS.outboundVk.name,
          key: message.conversationKey,
          value: encode(OutboundMessageSchema, message),
          headers: { messageId: message.outboundId, type: messageType(OutboundMessageSchema) },
        },
      ]);
    const receiptOf = async (outboundId: string) => {
      await waitFor(() => receipts.some((r) => r.outboundId === outboundId));
      return receipts.filter((r) => r.outboundId === outboundId);
    };
    const attemptsOf = (message: OutboundMessage) =>
      vk.sendAttempts.filter((a) => a.random_id === String(randomIdFor(message.outboundId)));

    it('sends once even when the record is delivered twice, and reports it sent', async () => {
      const message = outbound();
      await publish(message);
      await publish(message);
      const [receipt] = await receiptOf(message.outboundId);
      expect(receipt).toMatchObject({ status: DeliveryStatus.SENT });
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(await receiptOf(message.outboundId)).toHaveLength(1);
      expect(attemptsOf(message)).toHaveLength(1);
      const delivered = vk.delivered.find((m) => m.random_id === randomIdFor(message.outboundId))!;
      expect(receipt.channelMessageId).toBe(String(delivered.id));
      expect(delivered.params).toMatchObject({
        peer_id: String(CUSTOMER),
        message: 'Your order ships today.',
        v: '5.199',
      });
    });

    it('waits out a rate limit and retries with the same random_id', async () => {
      vk.failNextSends({ code: 6 }, { code: 9 });
      const message = outbound();
      await publish(message);
      expect(await receiptOf(message.outboundId)).toMatchObject([{ status: DeliveryStatus.SENT }]);
      expect(attemptsOf(message)).toHaveLength(3);
      expect(
        vk.delivered.filter((m) => m.random_id === randomIdFor(message.outboundId)),
      ).toHaveLength(1);
    });

    it('retries a send whose answer was lost with the same random_id, and the customer gets it once', async () => {
      vk.failNextSends({ code: 10, afterDelivering: true });
      const message = outbound();
      await publish(message);
      expect(await receiptOf(message.outboundId)).toMatchObject([{ status: DeliveryStatus.SENT }]);
      expect(attemptsOf(message)).toHaveLength(2);
      expect(
        vk.delivered.filter((m) => m.random_id === randomIdFor(message.outboundId)),
      ).toHaveLength(1);
    });

    it('reports 901 as a failed receipt with the customer unreachable', async () => {
      vk.failNextSends({ code: 901 });
      const message = outbound();
      await publish(message);
      expect(await receiptOf(message.outboundId)).toMatchObject([
        {
          status: DeliveryStatus.FAILED,
          retryable: false,
          recipientUnreachable: true,
          receiptId: `${message.outboundId}:FAILED:1`,
        },
      ]);
      expect(attemptsOf(message)).toHaveLength(1);
    });

    it('sends the CSAT survey with callback buttons and files through the upload flow', async () => {
      const message = outbound({
        csatSurvey: true,
        attachments: [
          { url: `${vk.url}/files/terms.txt`, fileName: 'terms.txt', contentType: 'text/plain' },
        ],
      });
      await publish(message);
      await receiptOf(message.outboundId);
      const [sent] = attemptsOf(message);
      expect(JSON.parse(sent.keyboard).buttons[0]).toHaveLength(5);
      expect(sent.attachment).toMatch(new RegExp(`^doc-${CALLBACK_GROUP}_\\d+$`));
      expect(vk.uploads.at(-1)).toMatchObject({
        fileName: 'terms.txt',
        bytes: Buffer.from('the terms'),
      });
    });

    const storedAttachment = (
      key: string,
      fileName: string,
      contentType: string,
      bytes: Buffer,
    ) => {
      stored.set(key, { fileName, contentType, bytes });
      return { storageKey: key, fileName, contentType, sizeBytes: bytes.length };
    };

    it('uploads a photo and a document from the attachment store and names both in one message', async () => {
      const photo = Buffer.concat([
        Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'),
        Buffer.alloc(40_000, 3),
      ]);
      const pdf = Buffer.from('%PDF-1.7\n' + 'line\n'.repeat(10_000));
      const message = outbound({
        textBody: 'The photo and the act',
        attachments: [
          storedAttachment(`${CALLBACK_GROUP}/photo`, 'scratch.png', 'image/png', photo),
          storedAttachment(`${CALLBACK_GROUP}/act`, 'Акт сверки.pdf', 'application/pdf', pdf),
        ],
      });
      await publish(message);
      expect(await receiptOf(message.outboundId)).toMatchObject([{ status: DeliveryStatus.SENT }]);

      const [sent] = attemptsOf(message);
      const references = sent.attachment.split(',');
      expect(references).toEqual([
        expect.stringMatching(new RegExp(`^photo-${CALLBACK_GROUP}_\\d+_\\w+$`)),
        expect.stringMatching(new RegExp(`^doc-${CALLBACK_GROUP}_\\d+$`)),
      ]);
      expect(references.map((reference) => vk.saved.get(reference))).toEqual([
        expect.objectContaining({
          kind: 'photo',
          fileName: 'scratch.png',
          contentType: 'image/png',
          bytes: photo,
        }),
        expect.objectContaining({
          kind: 'doc',
          fileName: 'Акт сверки.pdf',
          contentType: 'application/pdf',
          bytes: pdf,
        }),
      ]);
      expect(vk.callsOf('photos.getMessagesUploadServer').at(-1)?.params.peer_id).toBe(
        String(CUSTOMER),
      );
      expect(vk.callsOf('docs.getMessagesUploadServer').at(-1)?.params).toMatchObject({
        type: 'doc',
        peer_id: String(CUSTOMER),
      });
      expect(sent.message).toBe('The photo and the act');
    });

    it.each([
      [
        'an MP3, which VK refuses as a document',
        { storageKey: 'k/song', fileName: 'song.mp3', contentType: 'audio/mpeg', sizeBytes: 4_000 },
        /VK does not take "song.mp3"/,
      ],
      [
        'a file missing from the attachment store',
        {
          storageKey: `${CALLBACK_GROUP}/gone`,
          fileName: 'gone.pdf',
          contentType: 'application/pdf',
          sizeBytes: 10,
        },
        /no attachment/,
      ],
    ])('fails %s for good, sending nothing', async (_, attachment, reason) => {
      const uploads = vk.uploads.length;
      const message = outbound({ attachments: [attachment] });
      await publish(message);
      const [receipt] = await receiptOf(message.outboundId);
      expect(receipt).toMatchObject({ status: DeliveryStatus.FAILED, retryable: false });
      expect(receipt.reason).toMatch(reason);
      expect(attemptsOf(message)).toHaveLength(0);
      expect(vk.uploads).toHaveLength(uploads);
    });
  });

  async function publishedCount(): Promise<number> {
    return query<{ count: string }>('SELECT count(*) FROM channel_vk.seen_event').then((rows) =>
      Number(rows[0].count),
    );
  }

  async function seen(eventId: string): Promise<boolean> {
    const rows = await query('SELECT 1 FROM channel_vk.seen_event WHERE event_id = $1', [eventId]);
    return rows.length > 0;
  }

  async function storedTs(): Promise<string | undefined> {
    const rows = await query<{ ts: string }>(
      'SELECT ts FROM channel_vk.long_poll_cursor WHERE group_id = $1',
      [LONG_POLL_GROUP],
    );
    return rows[0]?.ts;
  }

  async function query<T>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
});
