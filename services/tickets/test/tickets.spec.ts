import { randomUUID } from 'node:crypto';
import {
  Channel,
  create,
  decode,
  DeliveryReceiptSchema,
  DeliveryStatus,
  encode,
  messageType,
  OutboundMessageSchema,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import type { DeliveredMessage } from '@firstline/bus';
import { AutoCloseTimer } from '../src/tickets/auto-close.timer';
import { decision, TicketsUnderTest, waitFor, type ApiClient } from './support';

interface TicketView {
  ticket: { id: string; number: string; status: string; teamId: string; reopenCount: number };
  messages: Array<{ id: string; direction: string; text: string; html: string; delivery: unknown }>;
  notes: Array<{ text: string }>;
  events: Array<{ type: string }>;
}

describe('tickets on the real broker and Postgres', () => {
  let tickets: TicketsUnderTest;
  let ann: ApiClient; // first line
  let bill: ApiClient; // billing
  let sam: ApiClient; // supervisor
  let published: DeliveredMessage[]; // ticket events and email outbound messages

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start({
      watch: [TOPICS.ticketEvents.name, TOPICS.outboundEmail.name],
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

  const view = async (client: ApiClient, id: string) =>
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

  it('stores inbound HTML without scripts or event handlers', async () => {
    const routed = decision();
    routed.message!.htmlBody =
      '<p>Hi <b>there</b><script>alert(1)</script><img src="x" onerror="alert(2)"></p>';
    await tickets.publishDecisions([routed]);
    const [message] = (await persisted(routed.ticketId)).messages;
    expect(message.html).toBe('<p>Hi <b>there</b><img src="x" /></p>');
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

  it('keeps the messages, notes and events when a ticket moves to another team', async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    expect((await ann.call('POST', `/tickets/${routed.ticketId}/claim`)).status).toBe(200);
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'Looking into it' }))
        .status,
    ).toBe(201);

    const transfer = await ann.call('POST', `/tickets/${routed.ticketId}/transfer`, {
      teamId: 'billing',
      note: 'Invoice 4711 charged twice; customer already sent the bank statement',
    });
    expect(transfer.status).toBe(200);

    const seen = await view(bill, routed.ticketId);
    expect(seen.ticket).toMatchObject({ teamId: 'billing', status: 'open' });
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
    // Ann is not in billing: the ticket is out of her reach now.
    expect((await ann.call('GET', `/tickets/${routed.ticketId}`)).status).toBe(403);
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

  it('computes the KPIs of a scripted day as worked out by hand', async () => {
    const team = `kpi-${randomUUID().slice(0, 8)}`;
    const start = Date.now();
    const at = (minutes: number) => timestampFromDate(new Date(start + minutes * 60_000));
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
    const [a, b, c, d] = [
      scripted(-120, -90, 120),
      scripted(-60, 60, 300),
      scripted(-30, -10),
      scripted(-10, 60),
    ];
    await tickets.publishDecisions([a, b, c, d]);
    await waitFor(async () => {
      const rows = await tickets.query('SELECT 1 FROM tickets.ticket WHERE team_id = $1', [team]);
      return rows.length === 4 || undefined;
    });
    for (const routed of [a, b]) {
      await sam.call('POST', `/tickets/${routed.ticketId}/replies`, { text: 'On it' });
      await sam.call('POST', `/tickets/${routed.ticketId}/status`, { status: 'resolved' });
    }
    const rating = decision({ ticketId: a.ticketId, customerId: a.customerId });
    rating.message!.csatAnswer = {
      $typeName: 'firstline.v1.CsatAnswer',
      ticketId: a.ticketId,
      score: 5,
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
      groups: Array<{ key: string; summary: Record<string, number> }>;
    }>('GET', `/kpis?by=team&teamId=${team}&from=${from}&to=${to}`);
    expect(response.status).toBe(200);
    const [{ key, summary }] = response.body.groups;
    const elapsed = Date.now() - start; // replies and resolutions happened "now", within this
    expect(key).toBe(team);
    expect(summary).toMatchObject({
      tickets: 4,
      reopenRate: 1 / 2, // resolved at least once: a, b; reopened: b
      csatAverage: 5,
      csatSatisfiedShare: 1,
      csatResponses: 1,
      slaCompliance: 2 / 4, // measured: a first ✗, a resolution ✓, b first ✓, c first ✗
      backlog: 3, // b (open again), c, d
    });
    // First response: a after 120 min, b after 60 min; resolution: only a (b reopened), 120 min.
    expect(Math.abs(summary.firstResponseMs - 90 * 60_000)).toBeLessThanOrEqual(elapsed);
    expect(Math.abs(summary.resolutionMs - 120 * 60_000)).toBeLessThanOrEqual(elapsed);
    expect((await ann.call('GET', `/kpis?by=team&from=${from}&to=${to}`)).status).toBe(403);
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
});
