import { WebSocket } from 'ws';
import { topicRecord, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import { conversationKey, visitorOfToken } from '@firstline/chat';
import {
  Channel,
  create,
  decode,
  DeliveryStatus,
  OutboundMessageSchema,
  TOPICS,
  type DeliveryReceipt,
  type InboundMessage,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@firstline/testing';
import { chatServiceOfRun, startChatReplica } from './chat-service';

const SECRET = 'chat-test-secret-of-at-least-32-characters';

interface Entry {
  seq: number;
  id: string;
  from: 'visitor' | 'agent';
  text: string;
  author: string;
  delivered: boolean;
}

/** A widget's socket as a test drives it: what the server said, in order. */
class Visitor {
  readonly received: Array<{ type: string; [key: string]: unknown }> = [];
  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.received.push(JSON.parse(data.toString())));
  }

  /** `answersPings` false: a peer gone silent, as a phone that lost its network. */
  static async connect(
    url: string,
    token: string,
    after = 0,
    answersPings = true,
  ): Promise<Visitor> {
    const visitor = new Visitor(
      new WebSocket(`${url.replace('http', 'ws')}/chat/ws?token=${token}&after=${after}`, {
        autoPong: answersPings,
      }),
    );
    await waitFor(() => visitor.received.some((m) => m.type === 'ready'));
    return visitor;
  }

  send(clientMessageId: string, text: string): void {
    this.socket.send(JSON.stringify({ event: 'send', data: { clientMessageId, text } }));
  }

  entries(): Entry[] {
    return this.received.flatMap((m) => (m.type === 'messages' ? (m.messages as Entry[]) : []));
  }

  answerTo(clientMessageId: string) {
    return waitFor(() =>
      this.received.find((m) => m.type === 'answer' && m.clientMessageId === clientMessageId),
    );
  }

  close(): void {
    this.socket.close();
  }
}

/** Opens a socket as the visitor: 'ready' once served (then closes it), else its close code. */
function opening(url: string, token: string): Promise<'ready' | number> {
  const socket = new WebSocket(`${url.replace('http', 'ws')}/chat/ws?token=${token}`);
  return new Promise((resolve) => {
    socket.on('message', (data: Buffer) => {
      if ((JSON.parse(data.toString()) as { type: string }).type !== 'ready') return;
      socket.close();
      resolve('ready');
    });
    socket.on('close', (code: number) => resolve(code));
  });
}

describe('channel-chat on Kafka and Postgres', () => {
  const inbound: InboundMessage[] = [];
  const receipts: DeliveryReceipt[] = [];
  let database: TestDatabase;
  let bus: MessageBus;
  let service: RunningService;
  const visitors = new Set<string>();
  let outboundCount = 0;
  const run = uniqueName('chat').replace(/\W/g, '');

  let name: string;

  beforeAll(async () => {
    name = await chatServiceOfRun(run);
    database = await createTestDatabase();
    process.env.CHAT_TOKEN_SECRET = SECRET;
    process.env.CHAT_LONG_POLL_SECONDS = '2';
    process.env.CHAT_PING_SECONDS = '1';
    process.env.CHAT_MESSAGES_PER_MINUTE = '5';
    ({ service, bus } = await startChatReplica(name, database.url));
    await bus.subscribe({
      group: uniqueName('channel-chat-test.observer'),
      topics: [TOPICS.inbound.name, TOPICS.deliveryReceipts.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          if (message.topic === TOPICS.inbound.name) {
            const decoded = decode(TOPICS.inbound.schema, message.value);
            if (visitors.has(decoded.sender?.value ?? '')) inbound.push(decoded);
          } else {
            const decoded = decode(TOPICS.deliveryReceipts.schema, message.value);
            if (decoded.outboundId.startsWith(run)) receipts.push(decoded);
          }
        }
      },
    });
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
    delete process.env.CHAT_TOKEN_SECRET;
    delete process.env.CHAT_LONG_POLL_SECONDS;
    delete process.env.CHAT_PING_SECONDS;
    delete process.env.CHAT_MESSAGES_PER_MINUTE;
  });

  async function newVisitor(): Promise<{ token: string; visitorId: string }> {
    const response = await fetch(`${service.url}/chat/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'en' }),
    });
    expect(response.status).toBe(201);
    const { token } = (await response.json()) as { token: string };
    const visitorId = visitorOfToken(token, Buffer.from(SECRET))!;
    visitors.add(visitorId);
    return { token, visitorId };
  }

  async function reply(visitorId: string, text: string): Promise<string> {
    const message = create(OutboundMessageSchema, {
      outboundId: `${run}-${++outboundCount}`,
      ticketId: `ticket-${run}`,
      channel: Channel.CHAT,
      conversationKey: conversationKey(visitorId),
      textBody: text,
      senderDisplayName: 'Ann from Support',
      agentId: 'ann',
    });
    await bus.publish([
      topicRecord(TOPICS.outboundChat, message, { messageId: message.outboundId }),
    ]);
    return message.outboundId;
  }

  it('says delivered once the message is on the bus, and a resend after reconnecting publishes the same message', async () => {
    const { token, visitorId } = await newVisitor();
    const first = await Visitor.connect(service.url, token);
    first.send('c-1', 'Where is order 1187?');
    expect(await first.answerTo('c-1')).toMatchObject({ status: 'delivered', seq: 1 });
    const published = await waitFor(() =>
      inbound.find((m) => m.textBody === 'Where is order 1187?'),
    );
    expect(published).toMatchObject({
      messageId: `chat:${visitorId}:c-1`,
      conversationKey: `chat:${visitorId}`,
      channel: Channel.CHAT,
    });
    first.close();

    // The widget did not hear the answer before the connection dropped: it sends again.
    const again = await Visitor.connect(service.url, token, 1);
    again.send('c-1', 'Where is order 1187?');
    expect(await again.answerTo('c-1')).toMatchObject({ status: 'delivered', seq: 1 });
    const { rows } = await database
      .pool(1)
      .query(`SELECT count(*)::int AS n FROM channel_chat.message WHERE visitor_id = $1`, [
        visitorId,
      ]);
    expect(rows[0].n).toBe(1);
    again.close();
  });

  it('stores a message sent twice at the same moment once', async () => {
    const { token, visitorId } = await newVisitor();
    const send = () =>
      fetch(`${service.url}/chat/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ clientMessageId: 'twice', text: 'Hello?' }),
      }).then((response) => response.json() as Promise<{ status: string; seq: number }>);
    const answers = await Promise.all([send(), send(), send()]);
    expect(answers.map((answer) => answer.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(new Set(answers.map((answer) => answer.seq)).size).toBe(1);
    const { rows } = await database
      .pool(1)
      .query(`SELECT local_id FROM channel_chat.message WHERE visitor_id = $1`, [visitorId]);
    expect(rows).toEqual([{ local_id: 'twice' }]);
  });

  it('pushes an agent’s reply to the open socket, and keeps it for a visitor who was away', async () => {
    const { token, visitorId } = await newVisitor();
    const online = await Visitor.connect(service.url, token);
    const outboundId = await reply(visitorId, 'We are on it.');
    const pushed = await waitFor(() => online.entries().find((e) => e.id === outboundId));
    expect(pushed).toMatchObject({
      from: 'agent',
      text: 'We are on it.',
      author: 'Ann from Support',
    });
    const receipt = await waitFor(() => receipts.find((r) => r.outboundId === outboundId), 30_000);
    expect(receipt.status).toBe(DeliveryStatus.SENT);
    online.close();

    // Away: the next reply waits in the conversation; reconnecting after seq 1 brings only it.
    const later = await reply(visitorId, 'It ships tomorrow.');
    await waitFor(() => receipts.find((r) => r.outboundId === later), 30_000);
    const back = await Visitor.connect(service.url, token, pushed.seq);
    const missed = await waitFor(() => (back.entries().length > 0 ? back.entries() : undefined));
    expect(missed.map((e) => e.text)).toEqual(['It ships tomorrow.']);
    back.close();
  });

  it('sends each message of a busy conversation to the socket once and in order, as it is stored', async () => {
    const { token, visitorId } = await newVisitor();
    const online = await Visitor.connect(service.url, token);
    const replies: string[] = [];
    for (let n = 1; n <= 5; n++) {
      online.send(`busy-${n}`, `Question ${n}`);
      replies.push(await reply(visitorId, `Answer ${n}`));
    }
    await waitFor(() => replies.every((id) => online.entries().some((e) => e.id === id)), 30_000);
    const seqs = online.entries().map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
    expect(
      online
        .entries()
        .map((e) => e.text)
        .sort(),
    ).toEqual([1, 2, 3, 4, 5].flatMap((n) => [`Answer ${n}`, `Question ${n}`]).sort());
    online.close();
  });

  it('without WebSockets: a long poll answers when the reply is stored, and a POST sends', async () => {
    const { token, visitorId } = await newVisitor();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const sent = await fetch(`${service.url}/chat/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ clientMessageId: 'p-1', text: 'My socket is blocked' }),
    });
    expect(await sent.json()).toMatchObject({ status: 'delivered', seq: 1 });
    await waitFor(() => inbound.find((m) => m.messageId === `chat:${visitorId}:p-1`));

    const waiting = fetch(`${service.url}/chat/messages?after=1`, { headers }).then(
      (response) => response.json() as Promise<{ messages: Entry[] }>,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reply(visitorId, 'Polled answer');
    const { messages } = await waiting;
    expect(messages.map((m) => m.text)).toEqual(['Polled answer']);
  });

  it('pings every socket: one that answers stays open and keeps getting messages, a silent one is closed', async () => {
    const { token, visitorId } = await newVisitor();
    const open = await Visitor.connect(service.url, token);
    const silent = await Visitor.connect(service.url, token, 0, false);
    const pinged = new Promise<void>((resolve) => silent.socket.once('ping', () => resolve()));
    const closed = new Promise<void>((resolve) => silent.socket.once('close', () => resolve()));

    await pinged;
    await closed;
    // Pinged more than once since: the answering socket is still there and still served.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    expect(open.socket.readyState).toBe(WebSocket.OPEN);
    await reply(visitorId, 'Still here?');
    await waitFor(() => open.entries().some((entry) => entry.text === 'Still here?'));
    open.close();
  });

  it('a second replica on the same database: each pushes what the other stored, by socket and long poll', async () => {
    const { service: other } = await startChatReplica(name, database.url, 'b');
    try {
      const { token, visitorId } = await newVisitor();
      // One tab on each replica.
      const onA = await Visitor.connect(service.url, token);
      const onB = await Visitor.connect(other.url, token);
      onA.send('x-1', 'Sent through replica A');
      await onA.answerTo('x-1');
      expect(await waitFor(() => onB.entries().find((e) => e.id === 'x-1'))).toMatchObject({
        from: 'visitor',
        text: 'Sent through replica A',
      });

      // A reply is stored by whichever replica's consumer has its partition; both tabs get it.
      const outboundId = await reply(visitorId, 'Both tabs see this');
      await waitFor(() => onA.entries().find((e) => e.id === outboundId), 30_000);
      await waitFor(() => onB.entries().find((e) => e.id === outboundId), 30_000);

      // A long poll held by replica B ends when replica A stores a message.
      const headers = { authorization: `Bearer ${token}` };
      const last = onB.entries().at(-1)!.seq;
      const waiting = fetch(`${other.url}/chat/messages?after=${last}`, { headers }).then(
        (response) => response.json() as Promise<{ messages: Entry[] }>,
      );
      onA.send('x-2', 'Polled on B');
      await onA.answerTo('x-2');
      expect((await waiting).messages.map((m) => m.id)).toEqual(['x-2']);
      onA.close();
      onB.close();
    } finally {
      await other.stop();
    }
  }, 120_000);

  it('counts the promised wait down on an open socket as the minutes pass, and drops it once past', async () => {
    const { token, visitorId } = await newVisitor();
    // As the router's last move left it: second in line, an answer expected in a minute and 8 s.
    await database.pool(1).query(
      `UPDATE channel_chat.visitor SET queue_position = 2,
                promised_answer_at = now() + interval '68 seconds' WHERE visitor_id = $1`,
      [visitorId],
    );
    const visitor = await Visitor.connect(service.url, token);
    const ready = visitor.received.find((m) => m.type === 'ready')!;
    expect((ready.queue as { text: string }).text).toBe(
      'You are 2nd in line. We expect to answer in about 2 minutes.',
    );
    const retold = await waitFor(
      () => visitor.received.find((m) => m.type === 'queue' && String(m.text).includes('1 minute')),
      20_000,
    );
    expect(retold).toMatchObject({
      position: 2,
      text: 'You are 2nd in line. We expect to answer in about 1 minute.',
    });
    // Only once for that minute, though pinged every second meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(visitor.received.filter((m) => m.type === 'queue')).toHaveLength(1);
    visitor.close();

    // A promise that has passed is not told as a wait any more; the place still is.
    const late = await newVisitor();
    await database.pool(1).query(
      `UPDATE channel_chat.visitor SET queue_position = 1,
                promised_answer_at = now() + interval '2 seconds' WHERE visitor_id = $1`,
      [late.visitorId],
    );
    const waiting = await Visitor.connect(service.url, late.token);
    const passed = await waitFor(
      () => waiting.received.find((m) => m.type === 'queue' && !String(m.text).includes('minute')),
      20_000,
    );
    expect(passed).toMatchObject({ position: 1, text: 'You are 1st in line.' });
    waiting.close();
  });

  it('turns away a visitor sending faster than people type, with how long to wait, and no one else', async () => {
    const { token } = await newVisitor();
    const flooding = await Visitor.connect(service.url, token);
    for (let n = 1; n <= 6; n++) flooding.send(`flood-${n}`, `Message ${n}`);
    for (let n = 1; n <= 5; n++) {
      expect(await flooding.answerTo(`flood-${n}`)).toMatchObject({ status: 'delivered' });
    }
    expect(await flooding.answerTo('flood-6')).toMatchObject({
      status: 'rejected',
      reason: expect.stringMatching(
        /^Too many messages: wait \d+ s before sending this one again$/,
      ),
    });
    // Nor through the long-poll fallback; another visitor is not held back.
    const posted = await fetch(`${service.url}/chat/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ clientMessageId: 'flood-7', text: 'Message 7' }),
    });
    expect(await posted.json()).toMatchObject({ status: 'rejected' });
    const other = await Visitor.connect(service.url, (await newVisitor()).token);
    other.send('calm-1', 'Hello');
    expect(await other.answerTo('calm-1')).toMatchObject({ status: 'delivered' });
    expect(inbound.filter((message) => message.textBody === 'Message 6')).toEqual([]);
    flooding.close();
    other.close();
  });

  it('holds back a flood of new visitors from one address, and of windows on one visitor, saying when to try again', async () => {
    const limits = {
      CHAT_SESSIONS_PER_MINUTE: '2',
      CHAT_TRUSTED_PROXY_HOPS: '1',
      CHAT_CONNECTIONS_PER_VISITOR: '2',
    };
    Object.assign(process.env, limits);
    const { service: limited } = await startChatReplica(name, database.url, 'limits').finally(() =>
      Object.keys(limits).forEach((variable) => delete process.env[variable]),
    );
    try {
      // Behind one trusted proxy: the address counted is the one the proxy forwarded.
      const start = (address: string) =>
        fetch(`${limited.url}/chat/session`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
          body: '{}',
        });
      expect((await start('203.0.113.7')).status).toBe(201);
      expect((await start('203.0.113.7')).status).toBe(201);
      const flooding = await start('203.0.113.7');
      expect(flooding.status).toBe(429);
      expect(Number(flooding.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(flooding.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const another = await start('198.51.100.4');
      expect(another.status).toBe(201);
      const { token } = (await another.json()) as { token: string };

      // Two windows are served; a third socket is closed with 4429, a long poll answered 429.
      const first = await Visitor.connect(limited.url, token);
      const second = await Visitor.connect(limited.url, token);
      expect(await opening(limited.url, token)).toBe(4429);
      const poll = await fetch(`${limited.url}/chat/messages`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(poll.status).toBe(429);
      expect(poll.headers.get('retry-after')).toBe('15');
      // Once a window closes another gets in, and the window left open was never disturbed.
      first.close();
      const third = await waitFor(() => opening(limited.url, token).then((got) => got === 'ready'));
      expect(third).toBe(true);
      second.send('w-1', 'From the second window');
      expect(await second.answerTo('w-1')).toMatchObject({ status: 'delivered' });
      second.close();
    } finally {
      await limited.stop();
    }
  }, 120_000);

  it('refuses a token it did not mint, and answers a message it cannot take with the reason', async () => {
    const forged = await fetch(`${service.url}/chat/messages`, {
      headers: { authorization: 'Bearer 3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b.forged' },
    });
    expect(forged.status).toBe(401);
    const socket = new WebSocket(`${service.url.replace('http', 'ws')}/chat/ws?token=forged`);
    const code = await new Promise<number>((resolve) => socket.on('close', resolve));
    expect(code).toBe(4401);

    const { token } = await newVisitor();
    const visitor = await Visitor.connect(service.url, token);
    visitor.send('c-long', 'x'.repeat(4001));
    expect(await visitor.answerTo('c-long')).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('4000'),
    });
    visitor.close();
  });
});
