import { createHash } from 'node:crypto';
import { topicRecord, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import { PostgresAttachmentStore } from '@firstline/attachments/stores';
import { storeFile } from '@firstline/attachments';
import { conversationKey, visitorOfToken } from '@firstline/chat';
import {
  Channel,
  create,
  decode,
  OutboundMessageSchema,
  TOPICS,
  type InboundMessage,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@firstline/testing';
import { chatServiceOfRun, startChatReplica } from './chat-service';

const SECRET = 'chat-files-test-secret-of-32-characters';
const MB = 1024 * 1024;

/** A 1×1 PNG, the visitor's screenshot. */
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
/** A PDF with bytes of its own per test, larger than one stored part (256 KB). */
function pdf(tag: string, bytes = 600_000): Buffer {
  return Buffer.concat([Buffer.from(`%PDF-1.4\n% ${tag}\n`), Buffer.alloc(bytes, tag)]);
}
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface EntryFile {
  digest: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}
interface Entry {
  seq: number;
  id: string;
  from: 'visitor' | 'agent';
  text: string;
  files: EntryFile[];
}

/**
 * Files in live chat against Kafka and Postgres: the visitor's upload endpoint and the download
 * of the conversation's files both ways, each for the token's own conversation only.
 */
describe('channel-chat files on Kafka and Postgres', () => {
  const inbound: InboundMessage[] = [];
  const visitors = new Set<string>();
  const run = uniqueName('chat-files').replace(/\W/g, '');
  let database: TestDatabase;
  let bus: MessageBus;
  let service: RunningService;

  beforeAll(async () => {
    const name = await chatServiceOfRun(run);
    database = await createTestDatabase();
    process.env.CHAT_TOKEN_SECRET = SECRET;
    ({ service, bus } = await startChatReplica(name, database.url));
    await bus.subscribe({
      group: uniqueName('channel-chat-files-test.observer'),
      topics: [TOPICS.inbound.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          const decoded = decode(TOPICS.inbound.schema, message.value);
          if (visitors.has(decoded.sender?.value ?? '')) inbound.push(decoded);
        }
      },
    });
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
    delete process.env.CHAT_TOKEN_SECRET;
  });

  async function newVisitor(): Promise<{ token: string; visitorId: string }> {
    const response = await fetch(`${service.url}/chat/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'en' }),
    });
    const { token } = (await response.json()) as { token: string };
    const visitorId = visitorOfToken(token, Buffer.from(SECRET))!;
    visitors.add(visitorId);
    return { token, visitorId };
  }

  function upload(token: string | undefined, bytes: Buffer, name: string, type: string) {
    const form = new FormData();
    form.append('file', new Blob([bytes], { type }), name);
    return fetch(`${service.url}/chat/files`, {
      method: 'POST',
      headers: token ? { authorization: `Bearer ${token}` } : {},
      body: form,
    });
  }

  function download(token: string, digest: string) {
    return fetch(`${service.url}/chat/files/${digest}`, {
      headers: { authorization: `Bearer ${token}` },
    });
  }

  async function send(token: string, body: object) {
    const response = await fetch(`${service.url}/chat/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await response.json()) as { status: string; seq?: number; reason?: string };
  }

  async function history(token: string): Promise<Entry[]> {
    const response = await fetch(`${service.url}/chat/messages?after=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return ((await response.json()) as { messages: Entry[] }).messages;
  }

  it('a visitor uploads a picture and a PDF, sends them, and the message carries both to the router', async () => {
    const { token, visitorId } = await newVisitor();
    const invoice = pdf(`${run}-1`);
    const photo = await upload(token, PIXEL, 'screen shot.png', 'image/png');
    expect(photo.status).toBe(201);
    expect(await photo.json()).toEqual({
      digest: sha256(PIXEL),
      fileName: 'screen shot.png',
      contentType: 'image/png',
      sizeBytes: PIXEL.length,
    });
    const document = await upload(token, invoice, 'Счёт.pdf', 'application/pdf');
    expect(document.status).toBe(201);

    expect(
      await send(token, {
        clientMessageId: 'f-1',
        text: 'Here is the screen and the invoice',
        files: [sha256(PIXEL), sha256(invoice)],
      }),
    ).toMatchObject({ status: 'delivered', seq: 1 });
    const published = await waitFor(
      () => inbound.find((m) => m.messageId === `chat:${visitorId}:f-1`),
      30_000,
    );
    expect(published.attachments).toEqual([
      expect.objectContaining({
        storageKey: `sha256/${sha256(PIXEL)}`,
        fileName: 'screen shot.png',
        contentType: 'image/png',
        sizeBytes: PIXEL.length,
      }),
      expect.objectContaining({
        storageKey: `sha256/${sha256(invoice)}`,
        fileName: 'Счёт.pdf',
        contentType: 'application/pdf',
        sizeBytes: invoice.length,
      }),
    ]);

    // A file alone is a message too; the history shows the files of both.
    expect(await send(token, { clientMessageId: 'f-2', files: [sha256(PIXEL)] })).toMatchObject({
      status: 'delivered',
    });
    const [first, second] = await history(token);
    expect(first.files.map((file) => file.fileName)).toEqual(['screen shot.png', 'Счёт.pdf']);
    expect(second).toMatchObject({ text: '', files: [{ digest: sha256(PIXEL) }] });

    // Downloaded byte for byte, typed by what the bytes prove, never sniffed by the browser.
    const picture = await download(token, sha256(PIXEL));
    expect(picture.status).toBe(200);
    expect(picture.headers.get('content-type')).toBe('image/png');
    expect(picture.headers.get('x-content-type-options')).toBe('nosniff');
    expect(picture.headers.get('content-disposition')).toBe(
      `inline; filename="screen shot.png"; filename*=UTF-8''screen%20shot.png`,
    );
    expect(Buffer.from(await picture.arrayBuffer()).equals(PIXEL)).toBe(true);
    const file = await download(token, sha256(invoice));
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="____.pdf"; filename*=UTF-8''%D0%A1%D1%87%D1%91%D1%82.pdf`,
    );
    expect(Buffer.from(await file.arrayBuffer()).equals(invoice)).toBe(true);
  }, 60_000);

  it('someone else’s file is neither downloaded nor sent by another visitor, nor by no one', async () => {
    const owner = await newVisitor();
    const other = await newVisitor();
    const invoice = pdf(`${run}-2`);
    expect((await upload(owner.token, invoice, 'mine.pdf', 'application/pdf')).status).toBe(201);

    expect((await download(other.token, sha256(invoice))).status).toBe(404);
    expect((await download(other.token, 'not-a-digest')).status).toBe(404);
    const named = await send(other.token, { clientMessageId: 'steal', files: [sha256(invoice)] });
    expect(named).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(/not uploaded/),
    });
    expect(await history(other.token)).toEqual([]);

    const anonymous = await upload(undefined, invoice, 'x.pdf', 'application/pdf');
    expect(anonymous.status).toBe(401);
    const forged = await fetch(`${service.url}/chat/files/${sha256(invoice)}`, {
      headers: { authorization: `Bearer ${other.visitorId}.forged` },
    });
    expect(forged.status).toBe(401);
    // Its owner still has it.
    expect((await download(owner.token, sha256(invoice))).status).toBe(200);
  });

  it('refuses a file past live chat’s size with 413 and a type it does not take with 415, keeping none', async () => {
    const { token } = await newVisitor();
    const large = pdf(`${run}-3`, 10 * MB + 1);
    const tooLarge = await upload(token, large, 'scan.pdf', 'application/pdf');
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toBe(
      'scan.pdf is larger than 10 MB, the most Live chat takes for a file.',
    );
    const archive = await upload(token, Buffer.from('PK\x03\x04zip'), 'a.zip', 'application/zip');
    expect(archive.status).toBe(415);
    const disguised = await upload(token, Buffer.from('MZ\x90\x00'), 'cat.png', 'image/png');
    expect(disguised.status).toBe(415);
    expect(((await disguised.json()) as { message: string }).message).toBe(
      'cat.png is not the image/png it says it is',
    );
    const kept = await database
      .pool(1)
      .query(`SELECT count(*)::int AS n FROM channel_chat.upload WHERE storage_key = ANY($1)`, [
        [large, Buffer.from('MZ\x90\x00')].map((bytes) => `sha256/${sha256(bytes)}`),
      ]);
    expect(kept.rows[0].n).toBe(0);
    const stored = await database
      .pool(1)
      .query(`SELECT count(*)::int AS n FROM attachment.file WHERE storage_key = $1`, [
        `sha256/${sha256(large)}`,
      ]);
    expect(stored.rows[0].n).toBe(0);
  }, 60_000);

  it('an agent’s file reaches the visitor’s history and downloads byte for byte, for that visitor only', async () => {
    const { token, visitorId } = await newVisitor();
    const stranger = await newVisitor();
    const invoice = pdf(`${run}-4`);
    // The tickets service keeps the agent's upload in the shared store before the reply names it.
    const pool = database.pool(1);
    const store = new PostgresAttachmentStore({
      query: async <T>(sql: string, parameters?: unknown[]) =>
        (await pool.query(sql, parameters)).rows as T,
    });
    const { storageKey } = await storeFile(store, invoice, 'application/pdf');
    const reply = create(OutboundMessageSchema, {
      outboundId: `${run}-reply`,
      ticketId: `ticket-${run}`,
      channel: Channel.CHAT,
      conversationKey: conversationKey(visitorId),
      textBody: 'Your invoice',
      senderDisplayName: 'Ann from Support',
      attachments: [
        {
          storageKey,
          fileName: 'invoice.pdf',
          contentType: 'application/pdf',
          sizeBytes: invoice.length,
        },
      ],
    });
    await bus.publish([topicRecord(TOPICS.outboundChat, reply, { messageId: reply.outboundId })]);

    const entry = await waitFor(
      async () => (await history(token)).find((e) => e.from === 'agent'),
      30_000,
    );
    expect(entry).toMatchObject({
      text: 'Your invoice',
      files: [{ digest: sha256(invoice), fileName: 'invoice.pdf', contentType: 'application/pdf' }],
    });
    const file = await download(token, sha256(invoice));
    expect(file.status).toBe(200);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="invoice.pdf"/);
    expect(Buffer.from(await file.arrayBuffer()).equals(invoice)).toBe(true);
    expect((await download(stranger.token, sha256(invoice))).status).toBe(404);
  }, 60_000);
});
