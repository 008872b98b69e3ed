import { randomUUID } from 'node:crypto';
import type { AgentApi } from '@firstline/testing';
import { WebSocket } from 'ws';
import {
  ActorKind,
  Channel,
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  encode,
  messageType,
  RoutingCommandSchema,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import { commandAnswer, decision, TicketsUnderTest, waitFor } from './support';

interface Push {
  type: string;
  ticketId?: string;
  teamId?: string;
  messageId?: string;
  event?: { type: string };
  notification?: { ticketId: string; teamId: string; score: number; kind: string };
}

/** A live connection and everything it received. */
class LiveClient {
  readonly received: Push[] = [];
  readonly closed: Promise<number>;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => this.received.push(JSON.parse(data.toString()) as Push));
    this.closed = new Promise((resolve) => socket.on('close', (code: number) => resolve(code)));
  }

  static async connect(url: string, token: string): Promise<LiveClient> {
    const client = new LiveClient(new WebSocket(url, ['firstline.v1', token]));
    await waitFor(() => client.received.find((push) => push.type === 'ready'));
    return client;
  }

  of(ticketId: string): Push[] {
    return this.received.filter((push) => push.ticketId === ticketId);
  }
}

describe('live updates over WebSocket and supervisor notifications', () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi; // first line
  let bill: AgentApi; // billing
  let tess: AgentApi; // technical
  let sam: AgentApi; // supervisor of every team
  let liveUrl: string;
  const sockets: LiveClient[] = [];

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start({ watch: [TOPICS.routingCommands.name] });
    [ann, bill, tess, sam] = await Promise.all([
      tickets.login('ann@firstline.example'),
      tickets.login('bill@firstline.example'),
      tickets.login('tess@firstline.example'),
      tickets.login('supervisor@firstline.example'),
    ]);
    liveUrl = `${tickets.service.url.replace('http', 'ws')}/api/v1/live`;
  }, 120_000);

  afterAll(async () => {
    for (const client of sockets) client.socket.close();
    await tickets?.stop();
  });

  const connect = async (client: AgentApi) => {
    const live = await LiveClient.connect(liveUrl, client.token);
    sockets.push(live);
    return live;
  };

  it("pushes a new ticket to its team's agents and not to other teams' agents", async () => {
    const [annLive, samLive] = await Promise.all([connect(ann), connect(sam)]);
    const theirs = decision({ teamId: 'technical' });
    const ours = decision({ teamId: 'first-line' });
    await tickets.publishDecisions([theirs, ours]);

    const created = await waitFor(
      () =>
        annLive.of(ours.ticketId).find((push) => push.event?.type === 'TICKET_EVENT_TYPE_CREATED'),
      60_000,
    );
    expect(created).toMatchObject({ type: 'ticket-event', teamId: 'first-line' });
    // The supervisor sees both; once the other team's ticket reached them, Ann's chance has passed.
    await waitFor(() => samLive.of(theirs.ticketId).length >= 2 || undefined, 60_000);
    await waitFor(() => annLive.of(ours.ticketId).length >= 2 || undefined);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(annLive.of(theirs.ticketId)).toEqual([]);
    expect(annLive.of(ours.ticketId).map((push) => push.event?.type)).toEqual([
      'TICKET_EVENT_TYPE_CREATED',
      'TICKET_EVENT_TYPE_MESSAGE_ADDED',
    ]);
  }, 90_000);

  const pushed = (live: LiveClient, ticketId: string, type: string) =>
    waitFor(
      () => live.of(ticketId).find((push) => (push.event?.type ?? push.type) === type),
      60_000,
    );

  it("after a transfer, tells both teams of the move and then only the new team of the ticket's news", async () => {
    const [annLive, billLive] = await Promise.all([connect(ann), connect(bill)]);
    const routed = decision({ teamId: 'first-line' });
    await tickets.publishDecisions([routed]);
    await pushed(annLive, routed.ticketId, 'TICKET_EVENT_TYPE_MESSAGE_ADDED');
    const reply = await ann.call<{ messageId: string }>(
      'POST',
      `/tickets/${routed.ticketId}/replies`,
      { text: 'Billing will take it from here' },
    );
    expect(reply.status).toBe(201);

    const transferring = ann.call('POST', `/tickets/${routed.ticketId}/transfer`, {
      teamId: 'billing',
      note: 'Invoice question',
    });
    const transfer = await waitFor(() =>
      tickets.published
        .map((record) => decode(RoutingCommandSchema, record.value))
        .find((command) => command.ticketId === routed.ticketId),
    );
    await tickets.publishDecisions([
      commandAnswer(routed, transfer, { teamId: 'billing', skillIds: ['invoices'] }),
    ]);
    expect((await transferring).status).toBe(200);
    const moved = 'TICKET_EVENT_TYPE_TRANSFERRED';
    expect(await pushed(billLive, routed.ticketId, moved)).toMatchObject({ teamId: 'billing' });
    expect(await pushed(annLive, routed.ticketId, moved)).toMatchObject({ teamId: 'billing' });

    // The customer writes again, and Ann's reply is delivered: billing's news now, not Ann's.
    const annSaw = annLive.of(routed.ticketId).length;
    await tickets.publishDecisions([
      decision({
        ticketId: routed.ticketId,
        customerId: routed.customerId,
        disposition: TicketDisposition.APPEND,
        teamId: 'billing',
        skillIds: ['invoices'],
      }),
    ]);
    await tickets.bus.publish([
      {
        topic: TOPICS.deliveryReceipts.name,
        key: reply.body.messageId,
        value: encode(
          DeliveryReceiptSchema,
          create(DeliveryReceiptSchema, {
            receiptId: `${reply.body.messageId}:DELIVERED`,
            outboundId: reply.body.messageId,
            ticketId: routed.ticketId,
            channel: Channel.EMAIL,
            status: DeliveryStatus.DELIVERED,
          }),
        ),
        headers: {
          messageId: `${reply.body.messageId}:DELIVERED`,
          type: messageType(DeliveryReceiptSchema),
        },
      },
    ]);
    expect(await pushed(billLive, routed.ticketId, 'delivery')).toMatchObject({
      messageId: reply.body.messageId,
    });
    await pushed(billLive, routed.ticketId, 'TICKET_EVENT_TYPE_MESSAGE_ADDED');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(annLive.of(routed.ticketId).slice(annSaw)).toEqual([]);
  }, 90_000);

  it("pushes an earlier version's event, which does not name the team, to the ticket's team", async () => {
    const [annLive, tessLive] = await Promise.all([connect(ann), connect(tess)]);
    const routed = decision({ teamId: 'technical' });
    await tickets.publishDecisions([routed]);
    await pushed(tessLive, routed.ticketId, 'TICKET_EVENT_TYPE_MESSAGE_ADDED');
    const event = create(TicketEventSchema, {
      eventId: randomUUID(),
      ticketId: routed.ticketId,
      ticketNumber: routed.ticketNumber,
      type: TicketEventType.NOTE_ADDED,
      actor: { kind: ActorKind.AGENT, id: 'tess' },
      occurredAt: timestampFromDate(new Date()),
      details: { case: 'noteAdded', value: { noteId: randomUUID() } },
    });
    await tickets.bus.publish([
      {
        topic: TOPICS.ticketEvents.name,
        key: routed.ticketId,
        value: encode(TicketEventSchema, event),
        headers: { messageId: event.eventId, type: messageType(TicketEventSchema) },
      },
    ]);
    expect(await pushed(tessLive, routed.ticketId, 'TICKET_EVENT_TYPE_NOTE_ADDED')).toMatchObject({
      teamId: 'technical',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(annLive.of(routed.ticketId)).toEqual([]);
  }, 90_000);

  it('refuses a WebSocket without a valid token, and a token in the URL', async () => {
    const sockets = [
      new WebSocket(liveUrl),
      new WebSocket(liveUrl, ['firstline.v1', 'not-a-token']),
      // URLs end up in proxies' and servers' access logs: a token there is never read.
      new WebSocket(`${liveUrl}?token=${encodeURIComponent(ann.token)}`),
    ];
    for (const socket of sockets) {
      const live = new LiveClient(socket);
      expect(await live.closed).toBe(4401);
      expect(live.received).toEqual([]);
    }
  }, 30_000);

  it("notifies the team's supervisor of a CSAT score of 2", async () => {
    const samLive = await connect(sam);
    const routed = decision({ teamId: 'first-line' });
    await tickets.publishDecisions([routed]);
    await waitFor(async () => {
      const response = await ann.call('GET', `/tickets/${routed.ticketId}`);
      return response.status === 200 || undefined;
    });
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' })).status,
    ).toBe(200);
    const answer = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.REOPEN,
    });
    answer.message!.textBody = 'Took three days';
    answer.message!.csatAnswer = {
      $typeName: 'firstline.v1.CsatAnswer',
      ticketId: routed.ticketId,
      score: 2,
      comment: 'Took three days',
    };
    await tickets.publishDecisions([answer]);

    const listed = await waitFor(async () => {
      const response = await sam.call<{ items: Array<{ ticketId: string }> }>(
        'GET',
        '/notifications',
      );
      return response.body.items.find((item) => item.ticketId === routed.ticketId);
    }, 60_000);
    expect(listed).toMatchObject({
      kind: 'low-csat',
      teamId: 'first-line',
      score: 2,
      comment: 'Took three days',
    });
    const pushed = await waitFor(
      () =>
        samLive.received.find(
          (push) => push.type === 'notification' && push.notification?.ticketId === routed.ticketId,
        ),
      60_000,
    );
    expect(pushed.notification).toMatchObject({ kind: 'low-csat', teamId: 'first-line', score: 2 });
    // Notifications are for supervisors.
    expect((await ann.call('GET', '/notifications')).status).toBe(403);
  }, 90_000);

  it('serves the OpenAPI document and Swagger UI, notifications included', async () => {
    const json = await fetch(`${tickets.service.url}/api/docs-json`);
    expect(json.status).toBe(200);
    const document = (await json.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/queue', '/api/v1/notifications']),
    );
    const page = await fetch(`${tickets.service.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('swagger-ui-bundle.js');
    const bundle = await fetch(`${tickets.service.url}/api/docs/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
  }, 30_000);
});
