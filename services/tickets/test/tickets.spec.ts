import type { AgentApi } from '@firstline/testing';
import { randomUUID } from 'node:crypto';
import {
  AutomaticReplyKind,
  Channel,
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  encode,
  messageType,
  OutboundMessageSchema,
  RoutingCommandSchema,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import type { DeliveredMessage } from '@firstline/bus';
import { AutoCloseTimer } from '../src/tickets/auto-close.timer';
import {
  commandAnswer as answer,
  decision,
  TicketsUnderTest,
  waitFor,
  workingStretch,
} from './support';

interface TicketView {
  ticket: {
    id: string;
    number: string;
    status: string;
    teamId: string;
    assigneeId: string | null;
    reopenCount: number;
  };
  messages: Array<{
    id: string;
    direction: string;
    text: string;
    html: string;
    delivery: unknown;
    automatic: boolean;
  }>;
  notes: Array<{ text: string }>;
  events: Array<{ type: string }>;
}

describe('tickets on the real broker and Postgres', () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi; // first line
  let bill: AgentApi; // billing
  let sam: AgentApi; // supervisor
  let published: DeliveredMessage[]; // ticket events, email outbound messages, routing commands

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start({
      watch: [TOPICS.ticketEvents.name, TOPICS.outboundEmail.name, TOPICS.routingCommands.name],
    });
    published = tickets.published;
    [ann, bill, sam] = await Promise.all([
      tickets.login('ann@firstline.example'),
      tickets.login('bill@firstline.example'),
      tickets.login('supervisor@firstline.example'),
    ]);
  }, 120_000);

  const eventsOf = (ticketId: string) =>
    published
      .filter((record) => record.topic === TOPICS.ticketEvents.name)
      .map((record) => decode(TicketEventSchema, record.value))
      .filter((event) => event.ticketId === ticketId);

  const outboundOf = (ticketId: string) =>
    published
      .filter((record) => record.topic === TOPICS.outboundEmail.name)
      .map((record) => decode(OutboundMessageSchema, record.value))
      .filter((message) => message.ticketId === ticketId);

  afterAll(async () => {
    await tickets?.stop();
  });

  const view = async (client: AgentApi, id: string) =>
    (await client.call<TicketView>('GET', `/tickets/${id}`)).body;

  const persisted = (id: string) =>
    waitFor(async () => {
      const response = await ann.call<TicketView>('GET', `/tickets/${id}`);
      return response.status === 200 ? response.body : undefined;
    });

  it('stores a decision delivered twice as one ticket with one message, and announces it once', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await tickets.publishDecisions([routed]);

    const stored = await persisted(routed.ticketId);
    await new Promise((resolve) => setTimeout(resolve, 1_000)); // room for the duplicate to land
    expect((await view(ann, routed.ticketId)).messages).toHaveLength(1);
    expect(stored.ticket).toMatchObject({ status: 'new', teamId: 'first-line' });
    expect(Number(stored.ticket.number)).toBeGreaterThanOrEqual(10001);

    await waitFor(() => (eventsOf(routed.ticketId).length >= 2 ? true : undefined));
    expect(eventsOf(routed.ticketId).map((event) => event.type)).toEqual([
      TicketEventType.CREATED,
      TicketEventType.MESSAGE_ADDED,
    ]);
  }, 30_000);

  it('keeps inbound HTML as the adapter sanitised it: one policy, at the edge', async () => {
    const routed = decision();
    // What the email adapter's policy lets through (colours, old font tags), which a second
    // policy here used to strip.
    const sanitised = '<p style="color:red">Hi <font color="blue">there</font></p>';
    routed.message!.htmlBody = sanitised;
    await tickets.publishDecisions([routed]);
    const [message] = (await persisted(routed.ticketId)).messages;
    expect(message.html).toBe(sanitised);
  }, 30_000);

  it("refuses an agent another team's ticket with 403", async () => {
    const routed = decision({ teamId: 'technical' });
    await tickets.publishDecisions([routed]);
    await waitFor(async () => {
      const rows = await tickets.query('SELECT 1 FROM tickets.ticket WHERE id = $1', [
        routed.ticketId,
      ]);
      return rows.length === 1 || undefined;
    });
    const response = await ann.call('GET', `/tickets/${routed.ticketId}`);
    expect(response.status).toBe(403);
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'hi' })).status,
    ).toBe(403);
  }, 30_000);

  /** The command the API sent the router for this ticket, as the router receives it. */
  const commandFor = (ticketId: string, kind: 'claim' | 'unassign' | 'transfer') =>
    waitFor(() =>
      published
        .filter((record) => record.topic === TOPICS.routingCommands.name)
        .map((record) => decode(RoutingCommandSchema, record.value))
        .find((command) => command.ticketId === ticketId && command.command.case === kind),
    );

  it('claims and transfers through the router, keeping messages, notes and events', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);

    // The claim is a request: nothing is assigned until the router's decision says so.
    const claiming = ann.call('POST', `/tickets/${routed.ticketId}/claim`);
    const claim = await commandFor(routed.ticketId, 'claim');
    expect(claim).toMatchObject({ agentId: 'ann', command: { value: { takeOver: false } } });
    expect((await view(ann, routed.ticketId)).ticket.assigneeId).toBeNull();
    await tickets.publishDecisions([answer(routed, claim, { assignedAgentId: 'ann' })]);
    expect(await claiming).toMatchObject({
      status: 200,
      body: { status: 'applied', assigneeId: 'ann', teamId: 'first-line' },
    });
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'Looking into it' }))
        .status,
    ).toBe(201);

    const transferring = ann.call('POST', `/tickets/${routed.ticketId}/transfer`, {
      teamId: 'billing',
      note: 'Invoice 4711 charged twice; customer already sent the bank statement',
    });
    const transfer = await commandFor(routed.ticketId, 'transfer');
    expect(transfer.command.value).toMatchObject({ toTeamId: 'billing' });
    await tickets.publishDecisions([
      answer(routed, transfer, { teamId: 'billing', skillIds: ['invoices'] }),
    ]);
    expect(await transferring).toMatchObject({
      status: 200,
      body: { status: 'applied', assigneeId: null, teamId: 'billing' },
    });

    const seen = await view(bill, routed.ticketId);
    expect(seen.ticket).toMatchObject({ teamId: 'billing', status: 'open', assigneeId: null });
    expect(seen.messages.map((message) => message.direction)).toEqual(['in', 'out']);
    expect(seen.notes.map((note) => note.text)).toEqual([
      'Invoice 4711 charged twice; customer already sent the bank statement',
    ]);
    expect(seen.events.map((event) => event.type)).toEqual([
      'TICKET_EVENT_TYPE_CREATED',
      'TICKET_EVENT_TYPE_MESSAGE_ADDED',
      'TICKET_EVENT_TYPE_ASSIGNED',
      'TICKET_EVENT_TYPE_MESSAGE_ADDED',
      'TICKET_EVENT_TYPE_STATUS_CHANGED',
      'TICKET_EVENT_TYPE_NOTE_ADDED',
      'TICKET_EVENT_TYPE_TRANSFERRED',
      'TICKET_EVENT_TYPE_ASSIGNED',
    ]);
    // The agents who asked are the events' actors; the note is the transfer's reason.
    const moved = eventsOf(routed.ticketId).filter((event) =>
      ['assigned', 'transferred'].includes(event.details.case ?? ''),
    );
    expect(moved.map((event) => event.actor?.id)).toEqual(['ann', 'ann', 'ann']);
    expect(moved[1].details.value).toMatchObject({
      reason: 'Invoice 4711 charged twice; customer already sent the bank statement',
    });
    // Each event names the ticket's team as it stood: billing's from the transfer on.
    await waitFor(() => (eventsOf(routed.ticketId).length >= 8 ? true : undefined));
    expect(eventsOf(routed.ticketId).map((event) => [event.details.case, event.teamId])).toEqual([
      ['created', 'first-line'],
      ['messageAdded', 'first-line'],
      ['assigned', 'first-line'],
      ['messageAdded', 'first-line'],
      ['statusChanged', 'first-line'],
      ['noteAdded', 'first-line'],
      ['transferred', 'billing'],
      ['assigned', 'billing'],
    ]);
    // Ann is not in billing: the ticket is out of her reach now.
    expect((await ann.call('GET', `/tickets/${routed.ticketId}`)).status).toBe(403);
  }, 30_000);

  it('tells the agent why the router refused, and answers 202 while it has not decided', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);

    const claiming = ann.call<{ message: string }>('POST', `/tickets/${routed.ticketId}/claim`);
    const claim = await commandFor(routed.ticketId, 'claim');
    await tickets.publishDecisions([
      answer(routed, claim, { refusal: `Ticket ${routed.ticketNumber} is assigned to bob` }),
    ]);
    const refused = await claiming;
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(`Ticket ${routed.ticketNumber} is assigned to bob`);
    expect((await view(ann, routed.ticketId)).ticket.assigneeId).toBeNull();

    // No answer within the wait: 202, and the decision, when it comes, is applied all the same.
    const requested = await ann.call<{ status: string; commandId: string }>(
      'POST',
      `/tickets/${routed.ticketId}/unassign`,
    );
    expect(requested).toMatchObject({ status: 202, body: { status: 'requested' } });
    const unassign = await commandFor(routed.ticketId, 'unassign');
    expect(requested.body.commandId).toBe(unassign.commandId);
  }, 30_000);

  it('counts a customer reply within the reopen window as a reopen', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' })).status,
    ).toBe(200);

    const again = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.REOPEN,
      decidedAt: timestampFromDate(new Date()),
    });
    await tickets.publishDecisions([again]);
    // The view's parts are read one after another: wait for the ticket itself to change.
    const reopened = await waitFor(async () => {
      const seen = await view(ann, routed.ticketId);
      return seen.ticket.reopenCount > 0 ? seen : undefined;
    });
    expect(reopened.ticket).toMatchObject({ status: 'open', reopenCount: 1 });
    expect(reopened.messages.filter((m) => m.direction === 'in')).toHaveLength(2);
  }, 30_000);

  it('gives a reopened ticket to whom the router chose, and to nobody while the router queues it', async () => {
    const routed = decision({ assignedAgentId: 'ann' });
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    expect((await view(ann, routed.ticketId)).ticket.assigneeId).toBe('ann');
    await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
    // Ann has no room when the customer writes again: the router reopens the ticket into the queue.
    await tickets.publishDecisions([
      decision({
        ticketId: routed.ticketId,
        customerId: routed.customerId,
        disposition: TicketDisposition.REOPEN,
      }),
    ]);
    const queued = await waitFor(async () => {
      const seen = await view(ann, routed.ticketId);
      return seen.ticket.reopenCount > 0 ? seen : undefined;
    });
    expect(queued.ticket).toMatchObject({ status: 'open', assigneeId: null });
  }, 30_000);

  it('records a robot’s message on a resolved ticket without reopening it or counting a reopen', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' })).status,
    ).toBe(200);
    const outOfOffice = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.APPEND,
    });
    outOfOffice.message!.autoResponse = true;
    await tickets.publishDecisions([outOfOffice]);
    // Resolving sent the survey, an automatic message too: wait for the robot's own, inbound.
    const seen = await waitFor(async () => {
      const current = await view(ann, routed.ticketId);
      return current.messages.some((m) => m.direction === 'in' && m.automatic) && current;
    });
    expect(seen.ticket).toMatchObject({ status: 'resolved', reopenCount: 0 });
    // The reopen rate is counted from reopenCount: the robot's message leaves it untouched.
    expect(seen.messages.filter((m) => m.direction === 'in')).toHaveLength(2);
  }, 30_000);

  it('answers bad requests with 400 and a reason, and unknown tickets with 404', async () => {
    const bad = await ann.call<{ message: string[] }>('POST', `/tickets/${randomUUID()}/replies`, {
      text: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('text should not be empty');
    expect((await ann.call('GET', `/tickets/${randomUUID()}`)).status).toBe(404);
    expect((await ann.call('GET', '/queue?view=all')).status).toBe(403);
    expect((await ann.call('GET', '/queue?zone=purple')).status).toBe(400);
  });

  it('sends a reply as one OutboundMessage on the customer channel, and shows its delivery receipt', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    const reply = await ann.call<{ messageId: string }>(
      'POST',
      `/tickets/${routed.ticketId}/replies`,
      {
        text: 'Refund is on its way',
      },
    );
    expect(reply.status).toBe(201);
    const sent = await waitFor(() => outboundOf(routed.ticketId)[0]);
    expect(sent).toMatchObject({
      outboundId: reply.body.messageId,
      textBody: 'Refund is on its way',
      conversationKey: routed.conversationKey,
      recipient: { value: routed.message!.sender!.value },
    });

    // The adapter's receipt updates what the agent sees on the reply.
    await tickets.bus.publish([
      {
        topic: TOPICS.deliveryReceipts.name,
        key: sent.outboundId,
        value: encode(
          DeliveryReceiptSchema,
          create(DeliveryReceiptSchema, {
            receiptId: `${sent.outboundId}:SENT`,
            outboundId: sent.outboundId,
            ticketId: routed.ticketId,
            channel: Channel.EMAIL,
            status: DeliveryStatus.SENT,
            channelMessageId: '<reply-1@firstline.example>',
          }),
        ),
        headers: { messageId: `${sent.outboundId}:SENT`, type: messageType(DeliveryReceiptSchema) },
      },
    ]);
    const delivered = await waitFor(async () => {
      const reply = (await view(ann, routed.ticketId)).messages.find(
        (m) => m.id === sent.outboundId,
      );
      return (reply?.delivery as { status: string } | null)?.status === 'sent' ? reply : undefined;
    });
    expect(delivered.delivery).toEqual({ status: 'sent', reason: '' });

    // Receipts only move forward: READ (a chat visitor saw it) stays when a late SENT follows.
    const receipt = (status: DeliveryStatus, name: string) => ({
      topic: TOPICS.deliveryReceipts.name,
      key: sent.outboundId,
      value: encode(
        DeliveryReceiptSchema,
        create(DeliveryReceiptSchema, {
          receiptId: `${sent.outboundId}:${name}`,
          outboundId: sent.outboundId,
          ticketId: routed.ticketId,
          channel: Channel.EMAIL,
          status,
        }),
      ),
      headers: {
        messageId: `${sent.outboundId}:${name}`,
        type: messageType(DeliveryReceiptSchema),
      },
    });
    await tickets.bus.publish([
      receipt(DeliveryStatus.READ, 'READ'),
      receipt(DeliveryStatus.SENT, 'SENT-again'),
    ]);
    await tickets.bus.publish([receipt(DeliveryStatus.DELIVERED, 'DELIVERED')]);
    await waitFor(async () => {
      const messages = (await view(ann, routed.ticketId)).messages;
      const status = (
        messages.find((m) => m.id === sent.outboundId)?.delivery as { status: string }
      ).status;
      return status === 'read' ? true : undefined;
    });
    // Both later receipts were handled after READ (one partition, in order) and stepped nothing back.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = (await view(ann, routed.ticketId)).messages.find((m) => m.id === sent.outboundId);
    expect((after?.delivery as { status: string }).status).toBe('read');

    // Typing and read marks are a live chat's: an email ticket refuses them.
    expect((await ann.call('POST', `/tickets/${routed.ticketId}/chat/typing`)).status).toBe(409);
    expect(
      (
        await ann.call('POST', `/tickets/${routed.ticketId}/chat/read`, {
          messageId: routed.message!.messageId,
        })
      ).status,
    ).toBe(409);
  }, 30_000);

  it('records a CSAT answer without reopening the ticket, after the survey went out on resolve', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
    const survey = await waitFor(() => outboundOf(routed.ticketId).find((m) => m.csatSurvey));
    expect(survey.automatic).toBe(true);

    const answer = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.REOPEN,
    });
    answer.message!.textBody = 'Slow, but it works now';
    answer.message!.csatAnswer = {
      $typeName: 'firstline.v1.CsatAnswer',
      ticketId: routed.ticketId,
      score: 2,
      comment: 'Slow, but it works now',
    };
    await tickets.publishDecisions([answer]);
    await waitFor(
      () =>
        eventsOf(routed.ticketId).some((event) => event.type === TicketEventType.CSAT_RECORDED) ||
        undefined,
    );
    expect((await view(ann, routed.ticketId)).ticket).toMatchObject({
      status: 'resolved',
      reopenCount: 0,
      csatScore: 2,
      csatComment: 'Slow, but it works now',
    });
    // A score of 3 or less puts the ticket on the supervisors' list.
    const lowRated = await sam.call<{ tickets: Array<{ id: string }> }>(
      'GET',
      '/queue?view=all&status=resolved&tag=low-csat',
    );
    expect(lowRated.body.tickets.map((ticket) => ticket.id)).toContain(routed.ticketId);
  }, 30_000);

  it('computes the KPIs of a scripted day as worked out by hand, in calendar and business time', async () => {
    const team = `kpi-${randomUUID().slice(0, 8)}`;
    const start = Date.now();
    const at = (minutes: number) => timestampFromDate(new Date(start + minutes * 60_000));
    // The team works only 30 and 10 minutes of the last two hours: [-100, -70) and [-40, -30)
    // minutes (to the minute before start), so its business times do not hinge on the clock.
    const minute = Math.floor(start / 60_000) * 60_000;
    const window = (from: number, to: number) =>
      workingStretch(new Date(minute + from * 60_000), new Date(minute + to * 60_000));
    const ada = await tickets.login('admin@firstline.example');
    expect(
      (
        await ada.call('PUT', `/directory/calendar/${team}`, {
          id: team,
          name: 'Two short stretches',
          timeZone: 'UTC',
          specialWorkingDays: [...window(-100, -70), ...window(-40, -30)],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await ada.call('PUT', `/directory/team/${team}`, {
          id: team,
          name: 'KPI',
          skillIds: ['general'],
          calendarId: team,
        })
      ).status,
    ).toBe(200);

    const scripted = (created: number, firstDue: number, resolutionDue?: number) =>
      decision({
        teamId: team,
        decidedAt: at(created),
        firstResponseDueAt: at(firstDue),
        resolutionDueAt: resolutionDue === undefined ? undefined : at(resolutionDue),
      });
    // a: answered 2 h late, resolved within its 4 h target, rated 5.
    // b: answered in time, resolved, then reopened by the customer.
    // c: unanswered past its due time. d: new, nothing due yet.
    // e: answered in time and resolved, no resolution target.
    const [a, b, c, d, e] = [
      scripted(-120, -90, 120),
      scripted(-60, 60, 300),
      scripted(-30, -10),
      scripted(-10, 60),
      scripted(-50, 60),
    ];
    await tickets.publishDecisions([a, b, c, d, e]);
    await waitFor(async () => {
      const rows = await tickets.query('SELECT 1 FROM tickets.ticket WHERE team_id = $1', [team]);
      return rows.length === 5 || undefined;
    });
    for (const routed of [a, b, e]) {
      await sam.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'On it' });
      await sam.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
    }
    const rating = decision({ ticketId: a.ticketId, customerId: a.customerId });
    rating.message!.csatAnswer = {
      $typeName: 'firstline.v1.CsatAnswer',
      ticketId: a.ticketId,
      score: 5,
      comment: '',
    };
    const reopen = decision({
      ticketId: b.ticketId,
      customerId: b.customerId,
      disposition: TicketDisposition.REOPEN,
    });
    await tickets.publishDecisions([rating, reopen]);
    await waitFor(async () => {
      const rows = await tickets.query(
        `SELECT 1 FROM tickets.ticket WHERE team_id = $1 AND (csat_score = 5 OR reopen_count = 1)`,
        [team],
      );
      return rows.length === 2 || undefined;
    });

    const from = new Date(start - 3 * 3600_000).toISOString();
    const to = new Date(start + 3600_000).toISOString();
    const response = await sam.call<{
      groups: Array<{ key: string; summary: Record<string, number>; zones: object }>;
    }>('GET', `/kpis?by=team&teamId=${team}&from=${from}&to=${to}`);
    expect(response.status).toBe(200);
    const [{ key, summary, zones }] = response.body.groups;
    // By the default thresholds: first response over an hour, a third reopened, 3 of 5 targets met.
    expect(zones).toEqual({
      firstResponseMs: 'yellow',
      resolutionMs: 'green',
      reopenRate: 'red',
      csatAverage: 'green',
      csatSatisfiedShare: 'green',
      slaCompliance: 'red',
      backlog: 'green',
    });
    const elapsed = Date.now() - start; // replies and resolutions happened "now", within this
    expect(key).toBe(team);
    expect(summary).toMatchObject({
      tickets: 5,
      reopenRate: 1 / 3, // resolved at least once: a, b, e; reopened: b
      csatAverage: 5,
      csatSatisfiedShare: 1,
      csatResponses: 1,
      slaCompliance: 3 / 5, // measured: a first ✗, a resolution ✓, b first ✓, c first ✗, e first ✓
      backlog: 3, // b (open again), c, d
      // Business time, answered and resolved after both stretches: a was created before both
      // (30 + 10 min), b and e between them (10 min).
      firstResponseBusinessMs: ((40 + 10 + 10) / 3) * 60_000,
      resolutionBusinessMs: ((40 + 10) / 2) * 60_000, // a and e; b was reopened
    });
    // Calendar time. First response: a after 120 min, b after 60, e after 50; resolution: a, e.
    expect(Math.abs(summary.firstResponseMs - (230 / 3) * 60_000)).toBeLessThanOrEqual(elapsed);
    expect(Math.abs(summary.resolutionMs - 85 * 60_000)).toBeLessThanOrEqual(elapsed);
    expect((await ann.call('GET', `/kpis?by=team&from=${from}&to=${to}`)).status).toBe(403);

    const csv = await fetch(
      `${tickets.service.url}/api/v1/kpis.csv?by=team&teamId=${team}&from=${from}&to=${to}`,
      { headers: { authorization: `Bearer ${sam.token}` } },
    );
    const [header, row] = (await csv.text()).trim().split('\n');
    const columns = Object.fromEntries(
      header.split(',').map((name, index) => [name, row.split(',')[index]]),
    );
    expect(columns).toMatchObject({
      team,
      firstResponseBusinessMs: String(20 * 60_000),
      resolutionBusinessMs: String(25 * 60_000),
    });
  }, 40_000);

  it('holds the first responses of a scripted day to the answer times the acknowledgements promised, per channel', async () => {
    const team = `promise-${randomUUID().slice(0, 8)}`;
    const start = Date.now();
    const at = (minutes: number) => timestampFromDate(new Date(start + minutes * 60_000));
    const promising = (channel: Channel, created: number, promised: number) => {
      const routed = decision({
        teamId: team,
        decidedAt: at(created),
        automaticReply: {
          $typeName: 'firstline.v1.AutomaticReply',
          kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
          text: 'Thank you for your message. You are 2nd in line.',
          expectedAnswerAt: at(promised),
        },
      });
      routed.message!.channel = channel;
      return routed;
    };
    // The agent answers everyone but the last two "now", at minute 0 of the script.
    // Email: promised at +10 and +30 minutes: both kept.
    // Web form: promised at +60 (kept), at −5 (broken: answered late), at −20 and never
    // answered (broken), at +60 and not answered yet (not due: not counted).
    const answered = [
      promising(Channel.EMAIL, -20, 10),
      promising(Channel.EMAIL, -15, 30),
      promising(Channel.WEBFORM, -10, 60),
      promising(Channel.WEBFORM, -40, -5),
    ];
    const waiting = [promising(Channel.WEBFORM, -50, -20), promising(Channel.WEBFORM, -1, 60)];
    await tickets.publishDecisions([...answered, ...waiting]);
    await waitFor(async () => {
      const rows = await tickets.query(
        `SELECT 1 FROM tickets.message m JOIN tickets.ticket t ON t.id = m.ticket_id
          WHERE t.team_id = $1 AND m.expected_answer_at IS NOT NULL`,
        [team],
      );
      return rows.length === 6 || undefined;
    });
    for (const routed of answered) {
      expect(
        (await sam.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'Here I am' }))
          .status,
      ).toBe(201);
    }

    const from = new Date(start - 3600_000).toISOString();
    const to = new Date(start + 3600_000).toISOString();
    const kpis = async (by: string) =>
      (
        await sam.call<{
          groups: Array<{ key: string; summary: Record<string, number>; zones: object }>;
        }>('GET', `/kpis?by=${by}&teamId=${team}&from=${from}&to=${to}`)
      ).body.groups;
    expect((await kpis('team')).map(({ key, summary, zones }) => [key, summary, zones])).toEqual([
      [
        team,
        expect.objectContaining({ answerPromises: 5, answerPromisesKept: 3 / 5 }),
        // Below the 65% yellow bound of the default targets.
        expect.objectContaining({ answerPromisesKept: 'red' }),
      ],
    ]);
    expect(
      (await kpis('channel')).map(({ key, summary }) => [
        key,
        summary.answerPromises,
        summary.answerPromisesKept,
      ]),
    ).toEqual([
      ['email', 2, 1],
      ['webform', 3, 1 / 3],
    ]);
  }, 40_000);

  it('leaves a ticket as it was when the router tells its customer a new place in line', async () => {
    const routed = decision();
    const moved = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.QUEUE_MOVED,
      teamId: 'somewhere-else',
      queuePosition: 1,
      message: undefined,
      inboundMessageId: '',
    });
    // The move first: were it taken for the ticket, it would create it in the wrong team.
    await tickets.publishDecisions([moved, routed]);
    const rows = await waitFor(async () => {
      const found = await tickets.query<{ team_id: string; messages: number }>(
        `SELECT t.team_id, (SELECT count(*)::int FROM tickets.message m WHERE m.ticket_id = t.id) AS messages
           FROM tickets.ticket t WHERE t.id = $1`,
        [routed.ticketId],
      );
      return found.length > 0 ? found : undefined;
    });
    expect(rows).toEqual([{ team_id: routed.teamId, messages: 1 }]);
  }, 30_000);

  it('stops the SLA clock while pending, and moves the resolution due time by the business time spent', async () => {
    const team = `pause-${randomUUID().slice(0, 8)}`;
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const at = (minutes: number) => new Date(minute + minutes * 60_000);
    // Working time: half an hour that ended 20 minutes ago, and later [+600, +700) minutes.
    const ada = await tickets.login('admin@firstline.example');
    await ada.call('PUT', `/directory/calendar/${team}`, {
      id: team,
      name: 'Sparse',
      timeZone: 'UTC',
      specialWorkingDays: [
        ...workingStretch(at(-50), at(-20)),
        ...workingStretch(at(600), at(700)),
      ],
    });
    await ada.call('PUT', `/directory/team/${team}`, {
      id: team,
      name: 'Pausing',
      skillIds: ['general'],
      calendarId: team,
    });
    const routed = decision({
      teamId: team,
      tags: [team],
      decidedAt: timestampFromDate(at(-120)),
      firstResponseDueAt: timestampFromDate(at(-60)),
      resolutionDueAt: timestampFromDate(at(-5)), // overdue: red
    });
    await tickets.publishDecisions([routed]);
    await waitFor(
      async () =>
        (await sam.call('GET', `/tickets/${routed.ticketId}`)).status === 200 || undefined,
    );
    const queued = async (zone: string) =>
      (
        await sam.call<{ tickets: Array<{ id: string }> }>(
          'GET',
          `/queue?view=all&tag=${team}&zone=${zone}`,
        )
      ).body.tickets.map((ticket) => ticket.id);
    await sam.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'Which invoice?' });
    expect(await queued('red')).toEqual([routed.ticketId]);

    expect(
      (await sam.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'pending' })).status,
    ).toBe(200);
    const paused = (await view(sam, routed.ticketId)) as unknown as {
      ticket: { slaPausedSince: string | null; zone: string; dueAt: string | null };
    };
    expect(paused.ticket).toMatchObject({ zone: 'green', dueAt: null });
    expect(paused.ticket.slaPausedSince).not.toBeNull();
    expect(await queued('green')).toEqual([routed.ticketId]);

    // The customer's out-of-office reply is not the customer writing: the clock stays paused.
    const outOfOffice = decision({
      ticketId: routed.ticketId,
      customerId: routed.customerId,
      disposition: TicketDisposition.APPEND,
      teamId: team,
    });
    outOfOffice.message!.autoResponse = true;
    outOfOffice.message!.textBody = 'I am out of the office until Monday.';
    await tickets.publishDecisions([outOfOffice]);
    const stillPaused = await waitFor(async () => {
      const seen = (await view(sam, routed.ticketId)) as unknown as {
        ticket: { status: string; slaPausedSince: string | null };
        messages: Array<{ id: string; automatic: boolean }>;
      };
      return seen.messages.some((m) => m.id === outOfOffice.message!.messageId) && seen;
    });
    expect(stillPaused.ticket).toMatchObject({ status: 'pending' });
    expect(stillPaused.ticket.slaPausedSince).not.toBeNull();
    expect(stillPaused.messages.find((m) => m.automatic)).toBeDefined();

    // It waited an hour on the customer, 30 minutes of it working time; then the customer wrote.
    await tickets.query(`UPDATE tickets.ticket SET pending_since = $2 WHERE id = $1`, [
      routed.ticketId,
      at(-60),
    ]);
    await tickets.publishDecisions([
      decision({
        ticketId: routed.ticketId,
        customerId: routed.customerId,
        disposition: TicketDisposition.APPEND,
        teamId: team,
      }),
    ]);
    const resumed = await waitFor(async () => {
      const seen = (await view(sam, routed.ticketId)) as unknown as {
        ticket: { status: string; slaPausedSince: string | null; resolutionDueAt: string };
      };
      return seen.ticket.status === 'open' ? seen.ticket : undefined;
    });
    // Due 5 minutes ago with 30 working minutes to add: the next working time starts at +600.
    expect(resumed).toMatchObject({
      slaPausedSince: null,
      resolutionDueAt: at(630).toISOString(),
      dueAt: at(630).toISOString(),
      zone: 'green',
    });
    expect(await queued('red')).toEqual([]);
  }, 40_000);

  it('closes a resolved ticket by itself once its auto-close time has passed', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    await ann.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
    await tickets.query(
      `UPDATE tickets.ticket SET resolved_at = now() - interval '8 days' WHERE id = $1`,
      [routed.ticketId],
    );
    expect(await tickets.service.app.get(AutoCloseTimer).closeDue()).toBeGreaterThanOrEqual(1);
    expect((await view(ann, routed.ticketId)).ticket.status).toBe('closed');
  }, 30_000);

  it('lets an admin change the directory, and rejects a malformed entry with 400', async () => {
    const ada = await tickets.login('admin@firstline.example');
    const team = { id: 'vip-care', name: 'VIP care', skillIds: ['general'], calendarId: 'office' };
    const saved = await ada.call<{ version: number }>('PUT', '/directory/team/vip-care', team);
    expect(saved.status).toBe(200);
    expect(saved.body.version).toBe(1);
    expect((await ada.call('PUT', '/directory/team/vip-care', { nmae: 'typo' })).status).toBe(400);
    expect((await ann.call('PUT', '/directory/team/vip-care', team)).status).toBe(403);
    const teams = await ann.call<Array<{ id: string }>>('GET', '/directory/team');
    expect(teams.body.map((entry) => entry.id)).toContain('vip-care');
  });

  it('writes to a customer in their language, in the words an admin set for it in the directory', async () => {
    const ada = await tickets.login('admin@firstline.example');
    const wording = {
      texts: {
        survey: 'Запрос #{number} закрыт. Оцените нас цифрой от 1 до 5.',
        signature: '{name} из команды Acme',
      },
    };
    const saved = await ada.call('PUT', '/directory/customer_texts/ru', wording);
    expect(saved.status).toBe(200);
    // Only languages Firstline answers in, only texts it has, only the places a text fills.
    const refusals = await Promise.all([
      ada.call<{ message: string }>('PUT', '/directory/customer_texts/de', wording),
      ada.call<{ message: string }>('PUT', '/directory/customer_texts/ru', {
        texts: { greeting: 'Привет' },
      }),
      ada.call<{ message: string }>('PUT', '/directory/customer_texts/ru', {
        texts: { survey: 'Оцените #{number} за {price}' },
      }),
      ann.call('PUT', '/directory/customer_texts/ru', wording),
    ]);
    expect(refusals.map(({ status }) => status)).toEqual([400, 400, 400, 403]);
    expect(refusals[2].body.message).toBe(
      'texts.survey: {price} is not filled in here (places: {number})',
    );

    try {
      const russian = decision({ language: 'ru' });
      const english = decision();
      await tickets.publishDecisions([russian, english]);
      await persisted(russian.ticketId);
      await persisted(english.ticketId);
      for (const routed of [russian, english]) {
        await ann.ok('POST', `/tickets/${routed.ticketId}/replies`, { text: 'Готово / Done' });
        await ann.ok('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
      }
      const sent = (routed: typeof russian) =>
        waitFor(() => {
          const messages = outboundOf(routed.ticketId);
          return messages.length === 2 && messages;
        });
      const [answer, survey] = await sent(russian);
      expect(answer.senderDisplayName).toBe('Ann из команды Acme');
      const number = (await view(ann, russian.ticketId)).ticket.number as string;
      expect(survey).toMatchObject({
        csatSurvey: true,
        textBody: `Запрос #${number} закрыт. Оцените нас цифрой от 1 до 5.`,
        senderDisplayName: 'Служба поддержки',
      });
      // The English customer reads the shipped English texts.
      const [englishAnswer, englishSurvey] = await sent(english);
      expect(englishAnswer.senderDisplayName).toBe('Ann from Support');
      expect(englishSurvey.textBody).toMatch(/^Your request #\d+ is resolved\./);
    } finally {
      await ada.ok('PUT', '/directory/customer_texts/ru', { texts: {} });
    }
  }, 30_000);

  it("shows an agent colleagues' names, teams and presence but not their emails or skills", async () => {
    type Entry = { id: string; agent: Record<string, unknown> };
    const agents = async (client: AgentApi) =>
      new Map(
        (await client.ok<Entry[]>('GET', '/directory/agent')).map((entry) => [
          entry.id,
          entry.agent,
        ]),
      );
    const seenByAnn = await agents(ann);
    expect(seenByAnn.get('ann')).toMatchObject({ email: 'ann@firstline.example' });
    const colleague = seenByAnn.get('bill')!;
    expect(colleague).toMatchObject({ id: 'bill', name: expect.any(String), active: true });
    expect(colleague.teamIds).toContain('billing');
    for (const field of ['email', 'skills', 'capacity', 'languages']) {
      expect(colleague).not.toHaveProperty(field);
    }
    // Supervisors (and admins) read every field, for the admin screens.
    expect((await agents(sam)).get('bill')).toMatchObject({
      email: 'bill@firstline.example',
      skills: expect.any(Array),
    });
  });
});
