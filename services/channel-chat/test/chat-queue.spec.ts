import type { MessageInitShape } from '@bufbuild/protobuf';
import { WebSocket } from 'ws';
import { KafkaBus, silentLogger, topicRecord, type MessageBus } from '@firstline/bus';
import { conversationKey, visitorOfToken } from '@firstline/chat';
import {
  create,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import {
  createTestDatabase,
  ensureKafka,
  sealedToRun,
  uniqueName,
  waitFor,
  type TestDatabase,
} from '@firstline/testing';
import { chatServiceOfRun, startChatReplica } from './chat-service';

const SECRET = 'chat-queue-test-secret-of-32-characters!!';

/**
 * The chat's place in line on the real broker and Postgres (docs/adr/0023): two replicas of the
 * service, the router played by decisions on support.routing.v1. Whichever replica's consumer
 * takes a decision, the visitor's sockets on both hear of it through Postgres NOTIFY.
 */
describe('channel-chat following the queue', () => {
  const run = uniqueName('chatq').replace(/\W/g, '');
  let database: TestDatabase;
  const replicas: RunningService[] = [];
  let bus: MessageBus;

  beforeAll(async () => {
    const name = await chatServiceOfRun(run);
    database = await createTestDatabase();
    process.env.CHAT_TOKEN_SECRET = SECRET;
    process.env.CHAT_LONG_POLL_SECONDS = '2';
    for (const replica of ['a', 'b']) {
      replicas.push((await startChatReplica(name, database.url, replica)).service);
    }
    // The router's decisions, sealed as the replicas are: theirs to read.
    bus = sealedToRun(
      new KafkaBus({
        brokers: await ensureKafka(),
        clientId: `${name}-router`,
        logger: silentLogger,
      }),
      name,
      true,
    );
  }, 180_000);

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await bus?.stop();
    await database?.drop();
    delete process.env.CHAT_TOKEN_SECRET;
    delete process.env.CHAT_LONG_POLL_SECONDS;
  });

  async function connect(url: string, token: string) {
    const received: Array<Record<string, unknown>> = [];
    const socket = new WebSocket(`${url.replace('http', 'ws')}/chat/ws?token=${token}`);
    socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
    await waitFor(() => received.some((m) => m.type === 'ready'));
    const queue = () => received.filter((m) => m.type === 'queue');
    return { socket, received, queue };
  }

  function decision(
    fields: MessageInitShape<typeof RoutingDecisionSchema> & { decisionId: string },
  ) {
    const record = create(RoutingDecisionSchema, {
      ticketId: `ticket-${run}`,
      ticketNumber: 'T-1',
      teamId: 'support',
      decidedAt: timestampFromDate(new Date()),
      ...fields,
    });
    return topicRecord(TOPICS.routing, record, { messageId: record.decisionId });
  }

  it('tells every socket of the visitor its new place once, and an agent taking the chat ends it', async () => {
    const response = await fetch(`${replicas[0].url}/chat/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ locale: 'en' }),
    });
    const { token } = (await response.json()) as { token: string };
    const visitorId = visitorOfToken(token, Buffer.from(SECRET))!;
    const tabs = [await connect(replicas[0].url, token), await connect(replicas[1].url, token)];
    for (const tab of tabs) {
      expect(tab.received[0]).toEqual({
        type: 'ready',
        agentRead: 0,
        queue: { position: 0, expectedAnswerAt: null, text: null },
      });
    }

    const promised = new Date(Date.now() + 4 * 60_000);
    const moved = decision({
      decisionId: `${run}-moved`,
      conversationKey: conversationKey(visitorId),
      disposition: TicketDisposition.QUEUE_MOVED,
      queuePosition: 2,
      expectedAnswerAt: timestampFromDate(promised),
    });
    // Routing records are keyed by ticket: these come in this order. Another channel's decision
    // (the visitor's message left for email) is passed over; the repeat of `moved` is no news.
    await bus.publish([
      decision({
        decisionId: `${run}-email`,
        conversationKey: `chat-left:${visitorId}:m1`,
        disposition: TicketDisposition.QUEUE_MOVED,
        queuePosition: 5,
        expectedAnswerAt: timestampFromDate(new Date(Date.now() + 60 * 60_000)),
      }),
      moved,
      moved,
    ]);
    for (const tab of tabs) {
      const [told] = await waitFor(
        () => (tab.queue().length > 0 ? tab.queue() : undefined),
        60_000,
        'the new place on each replica',
      );
      expect(told).toMatchObject({
        position: 2,
        expectedAnswerAt: promised.toISOString(),
        text: expect.stringMatching(
          /^You are 2nd in line\. We expect to answer in about [34] minutes\.$/,
        ),
      });
    }

    // A widget resuming, over the socket or the long poll, is told the place it has now.
    const resumed = await connect(replicas[1].url, token);
    expect(resumed.received[0]).toMatchObject({ queue: { position: 2 } });
    resumed.socket.close();
    const poll = await fetch(`${replicas[0].url}/chat/messages?after=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await poll.json()) as { queue: unknown }).queue).toMatchObject({
      position: 2,
      text: expect.stringContaining('2nd in line'),
    });

    await bus.publish([
      decision({
        decisionId: `${run}-assigned`,
        conversationKey: conversationKey(visitorId),
        disposition: TicketDisposition.ASSIGNED_FROM_QUEUE,
        assignedAgentId: 'ann',
      }),
    ]);
    for (const tab of tabs) {
      await waitFor(() => tab.queue().length >= 2, 60_000, 'the place cleared on each replica');
      expect(tab.queue()).toEqual([
        expect.objectContaining({ position: 2 }),
        { type: 'queue', position: 0, expectedAnswerAt: null, text: null },
      ]);
      tab.socket.close();
    }
  }, 180_000);
});
