import { WebSocket } from 'ws';
import { topicRecord, type DeliveredMessage, type MessageBus } from '@firstline/bus';
import {
  agentReadActivity,
  conversationKey,
  typingActivity,
  visitorOfToken,
} from '@firstline/chat';
import {
  Channel,
  create,
  decode,
  DeliveryStatus,
  DirectoryKind,
  DirectoryRecordSchema,
  IdentityKind,
  OutboundMessageSchema,
  Presence,
  TOPICS,
  type ChatActivity,
  type DeliveryReceipt,
  type DirectoryRecord,
  type InboundMessage,
} from '@firstline/contracts';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, uniqueName, waitFor, type TestDatabase } from '@firstline/testing';
import { chatServiceOfRun, startChatReplica } from './chat-service';

const SECRET = 'chat-activity-test-secret-of-32-characters';

/**
 * Typing, read marks, the pre-chat form, availability and left messages on the real broker and
 * Postgres, the other side played by records on the topics (the tickets service's part is the
 * browser test's). The service has a name of its own, its groups starting at the topics' end.
 */
describe('channel-chat between messages and before a chat', () => {
  const run = uniqueName('chatact').replace(/\W/g, '');
  const team = `team-${run}`;
  const inbound: InboundMessage[] = [];
  const receipts: DeliveryReceipt[] = [];
  const activity: ChatActivity[] = [];
  const visitors = new Set<string>();
  let database: TestDatabase;
  let bus: MessageBus;
  let service: RunningService;

  beforeAll(async () => {
    const name = await chatServiceOfRun(run);
    database = await createTestDatabase();
    process.env.CHAT_TOKEN_SECRET = SECRET;
    process.env.CHAT_SITES = JSON.stringify({
      shop: {
        team,
        prechat: {
          name: 'required',
          email: 'optional',
          topics: [{ value: 'orders', label: { en: 'Orders' } }],
        },
      },
    });
    ({ service, bus } = await startChatReplica(name, database.url));
    await bus.subscribe({
      group: uniqueName('chat-activity-test.observer'),
      topics: [TOPICS.inbound.name, TOPICS.deliveryReceipts.name, TOPICS.chatActivity.name],
      handler: async (messages: DeliveredMessage[]) => {
        for (const message of messages) {
          if (message.topic === TOPICS.inbound.name) {
            const decoded = decode(TOPICS.inbound.schema, message.value);
            const visitor = decoded.sender?.value ?? '';
            if (visitors.has(visitor) || visitors.has(decoded.channelMetadata.visitor_id ?? '')) {
              inbound.push(decoded);
            }
          } else if (message.topic === TOPICS.chatActivity.name) {
            activity.push(decode(TOPICS.chatActivity.schema, message.value));
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
    delete process.env.CHAT_SITES;
  });

  async function newVisitor() {
    const response = await fetch(`${service.url}/chat/session`, { method: 'POST' });
    const { token } = (await response.json()) as { token: string };
    const visitorId = visitorOfToken(token, Buffer.from(SECRET))!;
    visitors.add(visitorId);
    return { token, visitorId };
  }

  async function connect(token: string) {
    const received: Array<Record<string, unknown>> = [];
    const socket = new WebSocket(`${service.url.replace('http', 'ws')}/chat/ws?token=${token}`);
    socket.on('message', (data: Buffer) => received.push(JSON.parse(data.toString())));
    await waitFor(() => received.some((m) => m.type === 'ready'));
    return { socket, received, send: (event: object) => socket.send(JSON.stringify(event)) };
  }

  const publish = (records: Parameters<MessageBus['publish']>[0]) => bus.publish(records);

  it('passes typing both ways, keeps both read marks, and a visitor’s reading becomes READ receipts', async () => {
    const { token, visitorId } = await newVisitor();
    const widget = await connect(token);
    expect(widget.received[0]).toMatchObject({ type: 'ready', agentRead: 0 });

    // The visitor types twice at once: passed on once.
    widget.send({ event: 'typing' });
    widget.send({ event: 'typing' });
    const typed = await waitFor(() =>
      activity.find((a) => a.conversationKey === conversationKey(visitorId)),
    );
    expect(typed.details).toMatchObject({ case: 'typing', value: { byVisitor: true } });

    // The agent types: the widget hears it with the agent's first name.
    const agentTyping = typingActivity({
      activityId: `${run}-typing`,
      conversationKey: conversationKey(visitorId),
      ticketId: 't-1',
      byVisitor: false,
      displayName: 'Ann',
      at: new Date(),
    });
    await publish([topicRecord(TOPICS.chatActivity, agentTyping, { messageId: `${run}-typing` })]);
    expect(await waitFor(() => widget.received.find((m) => m.type === 'typing'))).toMatchObject({
      author: 'Ann',
    });
    expect(
      activity.filter(
        (a) =>
          a.conversationKey === conversationKey(visitorId) &&
          a.details.case === 'typing' &&
          a.details.value.byVisitor,
      ),
    ).toHaveLength(1);

    // The agent read the visitor's first message: the mark is told now and on reconnecting.
    widget.send({ event: 'send', data: { clientMessageId: 'c-1', text: 'Hello' } });
    await waitFor(() => widget.received.find((m) => m.type === 'answer'));
    const read = agentReadActivity({
      activityId: `${run}-read`,
      ticketId: 't-1',
      messageId: `chat:${visitorId}:c-1`,
      at: new Date(),
    });
    await publish([topicRecord(TOPICS.chatActivity, read, { messageId: `${run}-read` })]);
    expect(await waitFor(() => widget.received.find((m) => m.type === 'read'))).toEqual({
      type: 'read',
      agentRead: 1,
    });
    const again = await connect(token);
    expect(again.received[0]).toMatchObject({ type: 'ready', agentRead: 1 });

    // An agent's reply, shown to the visitor: reported read, a READ receipt for it, once.
    const reply = create(OutboundMessageSchema, {
      outboundId: `${run}-reply`,
      ticketId: 't-1',
      channel: Channel.CHAT,
      conversationKey: conversationKey(visitorId),
      textBody: 'Hi! How can I help?',
      senderDisplayName: 'Ann from Support',
    });
    await publish([topicRecord(TOPICS.outboundChat, reply, { messageId: reply.outboundId })]);
    const shown = await waitFor(() =>
      widget.received
        .flatMap((m) =>
          m.type === 'messages' ? (m.messages as Array<{ seq: number; id: string }>) : [],
        )
        .find((entry) => entry.id === reply.outboundId),
    );
    widget.send({ event: 'read', data: { seq: shown.seq } });
    again.send({ event: 'read', data: { seq: shown.seq } });
    const readReceipt = await waitFor(
      () => receipts.find((r) => r.status === DeliveryStatus.READ),
      30_000,
    );
    expect(readReceipt).toMatchObject({ outboundId: reply.outboundId, ticketId: 't-1' });
    await waitFor(() => receipts.some((r) => r.status === DeliveryStatus.SENT), 30_000);
    expect(receipts.filter((r) => r.status === DeliveryStatus.READ)).toHaveLength(1);
    widget.socket.close();
    again.socket.close();
  });

  const directory = (records: DirectoryRecord[]) =>
    publish(
      records.map((record) =>
        topicRecord(TOPICS.directory, record, { messageId: `${record.id}@${record.version}` }),
      ),
    );
  const availability = async () => {
    const answer = await fetch(`${service.url}/chat/site?site=shop&locale=en`);
    return (await answer.json()) as {
      prechat: { topics: Array<{ value: string; label: string }> } | null;
      availability: { state: string; opensAt: string | null };
    };
  };

  it('says whether the site’s team can chat from the directory: hours first, then agents online', async () => {
    const site = await availability();
    expect(site.prechat?.topics).toEqual([{ value: 'orders', label: 'Orders' }]);
    const weekday = ((new Date().getUTCDay() + 2) % 7) + 1; // three days from today
    const calendar = (version: number, always: boolean) =>
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.CALENDAR,
        id: team,
        version,
        payload: {
          case: 'calendar',
          value: {
            id: team,
            timeZone: 'UTC',
            weeklyHours: always
              ? [1, 2, 3, 4, 5, 6, 7].map((day) => ({
                  weekday: day,
                  openMinute: 0,
                  closeMinute: 1440,
                }))
              : [{ weekday, openMinute: 600, closeMinute: 660 }],
          },
        },
      });
    await directory([
      calendar(1, false),
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.TEAM,
        id: team,
        version: 1,
        payload: { case: 'team', value: { id: team, calendarId: team } },
      }),
    ]);
    const closed = await waitFor(async () => {
      const now = await availability();
      return now.availability.state === 'closed' ? now : undefined;
    });
    expect(new Date(closed.availability.opensAt!).getUTCHours()).toBe(10);

    // Open around the clock (a newer version; the older one again changes nothing): nobody online.
    await directory([calendar(2, true), calendar(1, false)]);
    await waitFor(async () => (await availability()).availability.state === 'no_agent');

    const agent = `agent-${run}`;
    await directory([
      create(DirectoryRecordSchema, {
        kind: DirectoryKind.AGENT,
        id: agent,
        version: 1,
        payload: {
          case: 'agent',
          value: { id: agent, teamIds: [team], presence: Presence.ONLINE, active: true },
        },
      }),
    ]);
    await waitFor(async () => (await availability()).availability.state === 'open');
  });

  it('keeps the pre-chat answers for every message, and a left message becomes an email conversation', async () => {
    const { token, visitorId } = await newVisitor();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const refused = await fetch(`${service.url}/chat/profile`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ site: 'shop', email: 'nope' }),
    });
    expect(refused.status).toBe(400);
    const problems = (await refused.json()) as { details: { fields: Array<{ field: string }> } };
    expect(problems.details.fields.map((f) => f.field)).toEqual(['name', 'email', 'topic']);

    const kept = await fetch(`${service.url}/chat/profile`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        site: 'shop',
        name: 'Maria',
        email: 'Maria@example.com',
        topic: 'orders',
      }),
    });
    expect(kept.status).toBe(204);
    await fetch(`${service.url}/chat/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ clientMessageId: 'p-1', text: 'About my order' }),
    });
    const message = await waitFor(() =>
      inbound.find((m) => m.messageId === `chat:${visitorId}:p-1`),
    );
    expect(message.sender?.displayName).toBe('Maria');
    expect(message.formTopic).toBe('orders');
    expect(message.sharedIdentities[0]).toMatchObject({
      kind: IdentityKind.WEBFORM_EMAIL,
      value: 'maria@example.com',
    });

    const left = {
      site: 'shop',
      clientMessageId: 'l-1',
      email: 'olga@example.com',
      text: 'Call me',
    };
    for (let i = 0; i < 2; i++) {
      const answer = await fetch(`${service.url}/chat/left-messages`, {
        method: 'POST',
        headers,
        body: JSON.stringify(left),
      });
      expect(await answer.json()).toMatchObject({ status: 'delivered', clientMessageId: 'l-1' });
    }
    const email = await waitFor(() =>
      inbound.find((m) => m.messageId === `chat-left:${visitorId}:l-1`),
    );
    expect(email).toMatchObject({
      channel: Channel.EMAIL,
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: 'olga@example.com' },
      textBody: 'Call me',
    });
    const bad = await fetch(`${service.url}/chat/left-messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ ...left, clientMessageId: 'l-2', email: '' }),
    });
    expect(await bad.json()).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('email address'),
    });
  });
});
