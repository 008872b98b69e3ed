import { WebSocket } from 'ws';
import { topicRecord, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import { conversationKey, visitorOfToken } from '@firstline/chat';
import {
  Channel,
  create,
  decode,
  IdentityKind,
  OutboundMessageSchema,
  TOPICS,
  type InboundMessage,
  type OutboundMessage,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@firstline/testing';
import { chatServiceOfRun, startChatReplica } from './chat-service';

const SECRET = 'chat-closing-test-secret-of-32-chars!';

interface Entry {
  seq: number;
  text: string;
  from: 'visitor' | 'agent';
  survey?: { score: number | null; transcriptSent: boolean; email?: string };
}

/**
 * The end of a chat on Kafka and Postgres: a survey from the tickets service is kept with its
 * ticket; the visitor's rating goes out as a survey answer on the inbound topic and the transcript
 * as a mail on the email channel's outbound topic, each once per chat; and a visitor can only
 * rate a survey of their own conversation.
 */
describe('channel-chat: rating and transcript at the end of a chat', () => {
  const inbound: InboundMessage[] = [];
  const mails: OutboundMessage[] = [];
  const visitors = new Set<string>();
  const run = uniqueName('chatend').replace(/\W/g, '');
  let outboundCount = 0;
  let database: TestDatabase;
  let bus: MessageBus;
  let service: RunningService;

  let name: string;

  beforeAll(async () => {
    name = await chatServiceOfRun(run);
    database = await createTestDatabase();
    process.env.CHAT_TOKEN_SECRET = SECRET;
    ({ service, bus } = await startChatReplica(name, database.url));
    await bus.subscribe({
      group: uniqueName('channel-chat-closing-test.observer'),
      topics: [TOPICS.inbound.name, TOPICS.outboundEmail.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          if (message.topic === TOPICS.inbound.name) {
            const decoded = decode(TOPICS.inbound.schema, message.value);
            if (visitors.has(decoded.sender?.value ?? '')) inbound.push(decoded);
          } else {
            const decoded = decode(OutboundMessageSchema, message.value);
            if (decoded.ticketId.startsWith(run)) mails.push(decoded);
          }
        }
      },
    });
  }, 120_000);

  afterAll(async () => {
    await (service ? service.stop() : bus?.stop());
    await database?.drop();
    delete process.env.CHAT_TOKEN_SECRET;
  });

  async function call(token: string, method: string, path: string, body?: unknown) {
    const response = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = response.status === 204 ? {} : await response.json();
    return { status: response.status, body: answer as Record<string, unknown> };
  }

  /**
   * A visitor who wrote (after the pre-chat form's `profile`, when given), was answered, and whose
   * chat the tickets service then resolved: the survey as a reload reads it, and as the open
   * socket got it when it was stored.
   */
  async function endedChat(profile?: { name: string; email: string }) {
    const session = await fetch(`${service.url}/chat/session`, { method: 'POST' });
    const { token } = (await session.json()) as { token: string };
    const visitorId = visitorOfToken(token, Buffer.from(SECRET))!;
    visitors.add(visitorId);
    if (profile) expect((await call(token, 'POST', '/chat/profile', profile)).status).toBe(204);
    const pushed: Entry[] = [];
    const socket = new WebSocket(`${service.url.replace('http', 'ws')}/chat/ws?token=${token}`);
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; messages?: Entry[] };
      if (message.type === 'messages') pushed.push(...message.messages!);
    });
    await new Promise((resolve) => socket.once('open', resolve));
    await call(token, 'POST', '/chat/messages', { clientMessageId: 'q', text: 'Is it in stock?' });
    const ticketId = `${run}-${visitorId}`;
    const send = async (text: string, survey: boolean) => {
      const message = create(OutboundMessageSchema, {
        outboundId: `${run}-${++outboundCount}`,
        ticketId,
        ticketNumber: '4711',
        channel: Channel.CHAT,
        conversationKey: conversationKey(visitorId),
        textBody: text,
        senderDisplayName: survey ? 'Support' : 'Ann from Support',
        automatic: survey,
        csatSurvey: survey,
      });
      await bus.publish([
        topicRecord(TOPICS.outboundChat, message, { messageId: message.outboundId }),
      ]);
    };
    await send('Yes, two left.', false);
    await send('The chat has ended. How satisfied are you with our help?', true);
    const survey = await waitFor(async () => {
      const { body } = await call(token, 'GET', '/chat/messages?after=0');
      return (body.messages as Entry[]).find((entry) => entry.survey);
    });
    const surveyPushed = await waitFor(() => pushed.find((entry) => entry.survey));
    socket.close();
    return { token, visitorId, ticketId, survey, surveyPushed };
  }

  it('keeps the survey with its ticket and publishes the rating once, as a survey answer', async () => {
    const { token, visitorId, ticketId, survey } = await endedChat();
    expect(survey).toMatchObject({ seq: 3, survey: { score: null, transcriptSent: false } });

    const rated = await call(token, 'POST', `/chat/surveys/${survey.seq}/rating`, {
      score: 5,
      comment: 'Fast!',
      locale: 'en',
    });
    expect(rated).toEqual({ status: 200, body: { score: 5 } });
    const answer = await waitFor(() => inbound.find((message) => message.csatAnswer));
    expect(answer).toMatchObject({
      messageId: `chat:${visitorId}:rating-${survey.seq}`,
      channel: Channel.CHAT,
      sender: { kind: IdentityKind.CHAT_VISITOR, value: visitorId },
      csatAnswer: { ticketId, score: 5, comment: 'Fast!' },
    });

    // A second press changes nothing: the first rating stands, and a reload shows it given.
    expect(await call(token, 'POST', `/chat/surveys/${survey.seq}/rating`, { score: 1 })).toEqual({
      status: 200,
      body: { score: 5 },
    });
    const { body } = await call(token, 'GET', '/chat/messages?after=0');
    expect((body.messages as Entry[]).find((entry) => entry.seq === survey.seq)?.survey).toEqual({
      score: 5,
      transcriptSent: false,
    });
  });

  it('mails the transcript once, to the first address given, through the email channel', async () => {
    const { token, ticketId, survey } = await endedChat();
    const sent = await call(token, 'POST', `/chat/surveys/${survey.seq}/transcript`, {
      email: 'ann.visitor@shop.example',
      locale: 'en',
    });
    expect(sent).toEqual({ status: 202, body: { sentTo: 'ann.visitor@shop.example' } });
    const again = await call(token, 'POST', `/chat/surveys/${survey.seq}/transcript`, {
      email: 'someone.else@shop.example',
    });
    expect(again).toEqual({ status: 202, body: { sentTo: 'ann.visitor@shop.example' } });

    const mail = await waitFor(() => mails.find((message) => message.ticketId === ticketId));
    expect(mail).toMatchObject({
      channel: Channel.EMAIL,
      recipient: { kind: IdentityKind.EMAIL, value: 'ann.visitor@shop.example' },
      ticketNumber: '4711',
      automatic: true,
    });
    expect(mail.textBody).toMatch(
      /^You, .* UTC:\nIs it in stock\?\n\nAnn from Support, .*\nYes, two left\.$/,
    );
    // Only one mail for the chat, however often asked: one row in the outbox it left through.
    const { rows } = await database
      .pool(1)
      .query(`SELECT count(*)::int AS n FROM channel_chat.outbox WHERE topic = $1`, [
        TOPICS.outboundEmail.name,
      ]);
    expect(rows[0].n).toBe(1);
  });

  it('offers the transcript to the address the visitor gave before the chat, live and on reload', async () => {
    const { survey, surveyPushed } = await endedChat({ name: 'Olga', email: 'Olga@Shop.example' });
    const offered = { score: null, transcriptSent: false, email: 'olga@shop.example' };
    expect(surveyPushed.survey).toEqual(offered);
    expect(survey.survey).toEqual(offered);
    // Without the form's address there is nothing to offer.
    const { survey: anonymous } = await endedChat();
    expect(anonymous.survey).toEqual({ score: null, transcriptSent: false });
  });

  it('refuses what is not this visitor’s survey, a bad score and a bad address', async () => {
    const { token, survey } = await endedChat();
    const other = await endedChat();
    expect((await call(other.token, 'POST', `/chat/surveys/1/rating`, { score: 3 })).status).toBe(
      404,
    );
    expect(
      await call(token, 'POST', `/chat/surveys/${survey.seq}/rating`, { score: 9 }),
    ).toMatchObject({
      status: 400,
      body: { message: 'score must be a whole number from 1 to 5' },
    });
    expect(
      (await call(token, 'POST', `/chat/surveys/${survey.seq}/transcript`, { email: 'nope' }))
        .status,
    ).toBe(400);
    expect(
      (await call('forged.token', 'POST', `/chat/surveys/${survey.seq}/rating`, {})).status,
    ).toBe(401);
  });
});
