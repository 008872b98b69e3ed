import type { AgentApi } from '@firstline/testing';
import { randomUUID } from 'node:crypto';
import type { DeliveredMessage } from '@firstline/bus';
import type { ErrorBody } from '@firstline/runtime';
import {
  ActorKind,
  AutomaticReplyKind,
  CustomerEventSchema,
  decode,
  encode,
  Escalation,
  messageType,
  OutboundMessageSchema,
  Priority,
  RoutingDecisionSchema,
  SlaTarget,
  TicketDisposition,
  TicketEventSchema,
  TicketEventType,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import { derivedOutboundId } from '../src/api/outbound';
import { decision, TicketsUnderTest, waitFor, type RoutingDecision } from './support';

interface TicketView {
  ticket: {
    id: string;
    number: string;
    status: string;
    teamId: string;
    priority: string;
    assigneeId: string | null;
    firstRespondedAt: string | null;
    firstResponseBreached: boolean;
  };
  messages: Array<{
    id: string;
    direction: string;
    text: string;
    automatic: boolean;
    automaticKind: string | null;
    expectedAnswerAt: string | null;
    author: { kind: string; id: string };
  }>;
  events: Array<{ type: string; actor: { kind: string; id: string } }>;
}

/** What the router's new contract fields do to tickets: numbers, escalations, automatic replies. */
describe('tickets with the router’s numbers, escalations and automatic replies', () => {
  let tickets: TicketsUnderTest;
  let sam: AgentApi; // supervisor of every team
  let ada: AgentApi; // admin
  let ann: AgentApi; // agent of first-line
  let published: DeliveredMessage[];

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start({
      watch: [
        TOPICS.ticketEvents.name,
        TOPICS.outboundEmail.name,
        TOPICS.customerEvents.name,
        TOPICS.dlq.name,
      ],
    });
    published = tickets.published;
    [sam, ada, ann] = await Promise.all([
      tickets.login('supervisor@firstline.example'),
      tickets.login('admin@firstline.example'),
      tickets.login('ann@firstline.example'),
    ]);
  }, 120_000);

  afterAll(async () => {
    await tickets?.stop();
  });

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

  const view = async (id: string) => (await sam.call<TicketView>('GET', `/tickets/${id}`)).body;

  const persisted = (id: string) =>
    waitFor(async () => {
      const response = await sam.call<TicketView>('GET', `/tickets/${id}`);
      return response.status === 200 ? response.body : undefined;
    });

  /** Waits until the ticket has announced `count` events, then a little for any stray extra. */
  const settled = async (ticketId: string, count: number) => {
    await waitFor(() => (eventsOf(ticketId).length >= count ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    return eventsOf(ticketId);
  };

  /** A decision under a Kafka message id of its own: the router routing the message again. */
  const routedAgain = (routed: RoutingDecision) => ({
    topic: TOPICS.routing.name,
    key: routed.ticketId,
    value: encode(RoutingDecisionSchema, routed),
    headers: { messageId: randomUUID(), type: messageType(RoutingDecisionSchema) },
  });
  const publishAgain = (routed: RoutingDecision) => tickets.bus.publish([routedAgain(routed)]);

  const escalation = (
    of: RoutingDecision,
    overrides: Omit<Partial<RoutingDecision>, '$typeName' | '$unknown'>,
  ) =>
    decision({
      ticketId: of.ticketId,
      customerId: of.customerId,
      disposition: TicketDisposition.ESCALATED,
      message: undefined,
      inboundMessageId: '',
      teamId: of.teamId,
      skillIds: of.skillIds,
      priority: of.priority,
      ...overrides,
    });

  describe('ticket numbers', () => {
    it('shows the number the router minted, and dead-letters a new ticket without one', async () => {
      const minted = String(900_000_000 + Math.floor(Math.random() * 90_000_000));
      const first = decision({ ticketNumber: minted });
      await tickets.publishDecisions([first]);
      expect((await persisted(first.ticketId)).ticket.number).toBe(minted);

      // Tickets makes no numbers of its own: the decision goes to the DLQ, the ticket nowhere.
      const unnumbered = decision({ ticketNumber: '' });
      await tickets.publishDecisions([unnumbered]);
      const dead = await waitFor(() =>
        published.find(
          (record) => record.topic === TOPICS.dlq.name && record.key === unnumbered.ticketId,
        ),
      );
      expect(dead.extraHeaders).toMatchObject({
        'dlq-error-kind': 'bad-input',
        'dlq-error': expect.stringContaining('opens a ticket without its number'),
      });
      expect((await sam.call('GET', `/tickets/${unnumbered.ticketId}`)).status).toBe(404);
    }, 30_000);
  });

  describe('escalations', () => {
    it('moves an unclaimed ticket to the overflow team, once however often it is told', async () => {
      const routed = decision({ assignedAgentId: 'ann' });
      await tickets.publishDecisions([routed]);
      await persisted(routed.ticketId);

      const overflow = escalation(routed, {
        escalation: Escalation.OVERFLOW,
        teamId: 'overflow',
        skillIds: ['general'],
      });
      await tickets.publishDecisions([overflow, overflow]);
      await publishAgain(overflow);

      const events = await settled(routed.ticketId, 5);
      expect(events.map((event) => event.type)).toEqual([
        TicketEventType.CREATED,
        TicketEventType.ASSIGNED,
        TicketEventType.MESSAGE_ADDED,
        TicketEventType.TRANSFERRED,
        TicketEventType.ASSIGNED,
      ]);
      const [transferred, unassigned] = events.slice(3);
      expect(transferred.actor).toMatchObject({ kind: ActorKind.SYSTEM, id: 'router' });
      expect(transferred.details.value).toMatchObject({
        fromTeamId: 'first-line',
        toTeamId: 'overflow',
        reason: 'overflow',
      });
      expect(unassigned.details.value).toMatchObject({ previousAgentId: 'ann', agentId: '' });
      expect(events.map((event) => event.teamId)).toEqual([
        'first-line',
        'first-line',
        'first-line',
        'overflow',
        'overflow',
      ]);
      expect((await view(routed.ticketId)).ticket).toMatchObject({
        teamId: 'overflow',
        assigneeId: null,
      });
    }, 30_000);

    it('raises the priority of an unanswered ticket, flags the breach and tells the supervisors', async () => {
      const routed = decision();
      await tickets.publishDecisions([routed]);
      await persisted(routed.ticketId);

      const breached = escalation(routed, {
        escalation: Escalation.FIRST_RESPONSE_BREACHED,
        priority: Priority.HIGH,
      });
      await tickets.publishDecisions([breached]);
      await publishAgain(breached);

      const events = await settled(routed.ticketId, 4);
      expect(events.map((event) => event.type)).toEqual([
        TicketEventType.CREATED,
        TicketEventType.MESSAGE_ADDED,
        TicketEventType.PRIORITY_CHANGED,
        TicketEventType.SLA_BREACHED,
      ]);
      expect(events[2].details.value).toMatchObject({
        fromPriority: Priority.NORMAL,
        toPriority: Priority.HIGH,
      });
      expect(events[3].details.value).toMatchObject({
        target: SlaTarget.FIRST_RESPONSE,
        dueAt: routed.firstResponseDueAt,
      });
      expect((await view(routed.ticketId)).ticket).toMatchObject({
        priority: 'high',
        firstResponseBreached: true,
      });

      // The team's supervisors are told, as of a low CSAT score.
      const notified = await sam.call<{ items: Array<{ ticketId: string }> }>(
        'GET',
        '/notifications',
      );
      expect(notified.body.items.filter((item) => item.ticketId === routed.ticketId)).toEqual([
        expect.objectContaining({
          id: events[3].eventId,
          kind: 'first-response-breached',
          teamId: 'first-line',
        }),
      ]);
    }, 30_000);

    it('gives the ticket of an agent who stayed away back to the queue', async () => {
      const routed = decision({ assignedAgentId: 'ann' });
      await tickets.publishDecisions([routed]);
      await persisted(routed.ticketId);

      await tickets.publishDecisions([
        escalation(routed, { escalation: Escalation.AGENT_AWAY, assignedAgentId: undefined }),
      ]);
      const events = await settled(routed.ticketId, 4);
      expect(events[3]).toMatchObject({
        type: TicketEventType.ASSIGNED,
        actor: { kind: ActorKind.SYSTEM, id: 'router' },
        details: { value: { previousAgentId: 'ann', agentId: '' } },
      });
      expect((await view(routed.ticketId)).ticket.assigneeId).toBeNull();
    }, 30_000);
  });

  describe('automatic replies', () => {
    it('sends an acknowledgement once, keeps it in the history, and it is no first response', async () => {
      const expectedAnswerAt = new Date(Date.now() + 4 * 3600_000);
      const routed = decision({
        automaticReply: {
          $typeName: 'firstline.v1.AutomaticReply',
          kind: AutomaticReplyKind.ACKNOWLEDGEMENT,
          text: 'We got your message and will answer within 4 hours.',
          expectedAnswerAt: timestampFromDate(expectedAnswerAt),
        },
      });
      routed.message!.channelMetadata = { message_id: '<question@example.com>' };
      // Routed twice in one batch, and delivered once more later.
      await tickets.bus.publish([routedAgain(routed), routedAgain(routed)]);
      await tickets.publishDecisions([routed]);

      const sent = await waitFor(() => outboundOf(routed.ticketId)[0]);
      await settled(routed.ticketId, 3);
      expect(outboundOf(routed.ticketId)).toHaveLength(1);
      const seen = await view(routed.ticketId);
      expect(sent).toMatchObject({
        outboundId: derivedOutboundId(routed.decisionId),
        automatic: true,
        csatSurvey: false,
        ticketNumber: seen.ticket.number,
        textBody: 'We got your message and will answer within 4 hours.',
        recipient: { value: routed.message!.sender!.value },
        conversationKey: routed.conversationKey,
        threadRefs: { message_id: '<question@example.com>' },
      });
      expect(
        seen.messages.map(({ direction, automatic, automaticKind }) => ({
          direction,
          automatic,
          automaticKind,
        })),
      ).toEqual([
        { direction: 'in', automatic: false, automaticKind: null },
        { direction: 'out', automatic: true, automaticKind: 'acknowledgement' },
      ]);
      expect(seen.messages[1]).toMatchObject({
        id: sent.outboundId,
        author: { kind: 'system', id: 'router' },
        expectedAnswerAt: expectedAnswerAt.toISOString(),
      });
      expect(seen.ticket).toMatchObject({ status: 'new', firstRespondedAt: null });
      expect(eventsOf(routed.ticketId).map((event) => event.type)).toEqual([
        TicketEventType.CREATED,
        TicketEventType.MESSAGE_ADDED,
        TicketEventType.MESSAGE_ADDED,
      ]);
    }, 30_000);
  });

  const customerEvents = () =>
    published
      .filter((record) => record.topic === TOPICS.customerEvents.name)
      .map((record) => ({ key: record.key, event: decode(CustomerEventSchema, record.value) }));

  /** The latest profile announced of a customer, once one satisfies `matches`. */
  const profileAnnounced = (
    customerId: string,
    matches: (profile: { tier: string; tags: string[] }) => boolean = () => true,
  ) =>
    waitFor(() =>
      customerEvents()
        .flatMap(({ key, event }) =>
          event.details.case === 'profileChanged' && event.details.value.customerId === customerId
            ? [{ key, event, profile: event.details.value }]
            : [],
        )
        .filter(({ profile }) => matches(profile))
        .at(-1),
    );

  /** Event ids on support.customer-events.v1 in the order the outbox relay publishes them. */
  const outboxOrder = async () =>
    (
      await tickets.query<{ event_id: string }>(
        `SELECT headers->>'messageId' AS event_id FROM tickets.outbox WHERE topic = $1 ORDER BY id`,
        [TOPICS.customerEvents.name],
      )
    ).map((row) => row.event_id);

  const newCustomer = async () => {
    const routed = decision();
    await tickets.publishDecisions([routed]);
    await persisted(routed.ticketId);
    return routed.customerId;
  };

  describe('customer merges', () => {
    it('announces a merge on support.customer-events.v1, then the survivor’s tags', async () => {
      const [survivorId, duplicateId] = await Promise.all([newCustomer(), newCustomer()]);
      await sam.call('PUT', `/customers/${survivorId}/profile`, {
        tier: 'gold',
        tags: ['enterprise'],
      });
      await sam.call('PUT', `/customers/${duplicateId}/profile`, {
        tier: '',
        tags: ['churn-risk'],
      });

      const merged = await sam.call('POST', `/customers/${survivorId}/merge`, { duplicateId });
      expect(merged.status).toBe(201);
      const announced = await waitFor(() =>
        customerEvents().find(
          ({ event }) =>
            event.details.case === 'merged' &&
            event.details.value.duplicateCustomerId === duplicateId,
        ),
      );
      expect(announced.key).toBe(duplicateId);
      expect(announced.event).toMatchObject({
        agentId: 'sam',
        details: {
          case: 'merged',
          value: { survivorCustomerId: survivorId, duplicateCustomerId: duplicateId },
        },
      });

      // The survivor gained the duplicate's tag, and the router hears so after the merge.
      const survivor = await profileAnnounced(survivorId, ({ tags }) =>
        tags.includes('churn-risk'),
      );
      expect(survivor.key).toBe(survivorId);
      expect(survivor.event.agentId).toBe('sam');
      expect(survivor.profile.tier).toBe('gold');
      expect([...survivor.profile.tags].sort()).toEqual(['churn-risk', 'enterprise']);
      const order = await outboxOrder();
      expect(order.indexOf(survivor.event.eventId)).toBeGreaterThan(
        order.indexOf(announced.event.eventId),
      );

      // The duplicate's profile is the survivor's now.
      const onDuplicate = await sam.call<{ message: string }>(
        'PUT',
        `/customers/${duplicateId}/profile`,
        { tier: 'vip', tags: [] },
      );
      expect(onDuplicate.status).toBe(400);
      expect(onDuplicate.body.message).toContain(survivorId);
    }, 30_000);
  });

  describe('customer profiles', () => {
    it('sets a customer’s tier and tags, normalised, and announces them to the router', async () => {
      const customerId = await newCustomer();

      const set = await sam.call<{ tier: string; tags: string[] }>(
        'PUT',
        `/customers/${customerId}/profile`,
        { tier: ' VIP ', tags: ['Enterprise', 'enterprise', 'churn-risk'] },
      );
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({
        id: customerId,
        tier: 'vip',
        tags: ['enterprise', 'churn-risk'],
      });
      expect((await sam.call('GET', `/customers/${customerId}`)).body).toEqual(set.body);

      const announced = await profileAnnounced(customerId);
      expect(announced.key).toBe(customerId);
      expect(announced.event).toMatchObject({
        agentId: 'sam',
        details: {
          case: 'profileChanged',
          value: { customerId, tier: 'vip', tags: ['enterprise', 'churn-risk'] },
        },
      });
    }, 30_000);

    it('lets only supervisors and admins set a valid profile of a known customer', async () => {
      const customerId = await newCustomer();
      const profile = { tier: 'vip', tags: ['enterprise'] };

      expect((await ann.call('PUT', `/customers/${customerId}/profile`, profile)).status).toBe(403);
      const bad = await sam.call<ErrorBody>('PUT', `/customers/${customerId}/profile`, {
        tier: 'vip',
        tags: ['no spaces allowed'],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.details?.fields).toEqual([
        { field: 'tags', problem: 'matches', message: expect.stringContaining('tags') },
      ]);
      expect((await sam.call('PUT', `/customers/${randomUUID()}/profile`, profile)).status).toBe(
        404,
      );
      expect((await ada.call('PUT', `/customers/${customerId}/profile`, profile)).status).toBe(200);
    }, 30_000);
  });

  describe('business calendars', () => {
    const calendarId = `calendar-${randomUUID().slice(0, 8)}`;
    const calendar = (changes: Record<string, unknown>) => ({
      name: 'Night desk',
      timeZone: 'Europe/Berlin',
      weeklyHours: [{ weekday: 'WEEKDAY_MONDAY', openMinute: 1320, closeMinute: 1800 }],
      holidays: [{ date: '2026-12-24' }],
      ...changes,
    });

    it.each([
      [{ timeZone: 'Europe/Berlinn' }, 'unknown time zone "Europe/Berlinn"'],
      [
        { weeklyHours: [{ weekday: 'WEEKDAY_MONDAY', openMinute: 600, closeMinute: 600 }] },
        'weekly hours 1: closeMinute must be after openMinute',
      ],
      [{ holidays: [{ date: '2026-02-30' }] }, 'holiday 1: date must be YYYY-MM-DD'],
    ])('refuses %j with 400, saying why', async (changes, reason) => {
      const response = await ada.call<{ message: string }>(
        'PUT',
        `/directory/calendar/${calendarId}`,
        calendar(changes),
      );
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(reason);
    });

    it('accepts a night shift running into the next day, named by the URL', async () => {
      const response = await ada.call<{ calendar: { id: string } }>(
        'PUT',
        `/directory/calendar/${calendarId}`,
        calendar({}),
      );
      expect(response.status).toBe(200);
      expect(response.body.calendar.id).toBe(calendarId);
    });
  });

  describe('agents in the directory', () => {
    it("keeps the presence an agent set through an admin's edit of them", async () => {
      type AgentRecords = Array<{ id: string; agent: Record<string, unknown> }>;
      const annInDirectory = async () =>
        (await ada.ok<AgentRecords>('GET', '/directory/agent')).find(
          (record) => record.id === 'ann',
        )!.agent;
      const before = await annInDirectory();
      await ann.ok('PUT', '/me/presence', { presence: 'away' });
      // An admin saves what a form showed before Ann stepped away: still online, other languages.
      await ada.ok('PUT', '/directory/agent/ann', {
        ...before,
        presence: 'PRESENCE_ONLINE',
        languages: ['en', 'de'],
      });
      expect(await annInDirectory()).toMatchObject({
        presence: 'PRESENCE_AWAY',
        languages: ['en', 'de'],
      });
      await ann.ok('PUT', '/me/presence', { presence: 'online' });
      await ada.ok('PUT', '/directory/agent/ann', before);
    });
  });

  describe('SLA policies', () => {
    const policyId = `sla-${randomUUID().slice(0, 8)}`;
    const policy = (changes: Record<string, unknown>) => ({
      name: 'Email, urgent',
      channel: 'CHANNEL_EMAIL',
      priority: 'PRIORITY_URGENT',
      firstResponseMinutes: 30,
      resolutionMinutes: 480,
      businessTime: true,
      ...changes,
    });

    it.each([
      [{ firstResponseMinutes: 0 }, 'breaches every ticket on arrival'],
      [{ resolutionMinutes: 10 }, 'resolutionMinutes must be 0 (no target) or at least'],
      [{ teamId: 'no-such-team' }, 'there is no team no-such-team'],
    ])('refuses %j with 400, saying why', async (changes, reason) => {
      const response = await ada.call<{ message: string }>(
        'PUT',
        `/directory/sla_policy/${policyId}`,
        policy(changes),
      );
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(reason);
    });

    it('accepts one for an existing team, or for every team', async () => {
      for (const teamId of ['billing', '']) {
        const response = await ada.call('PUT', `/directory/sla_policy/${policyId}`, {
          ...policy({}),
          teamId,
        });
        expect(response.status).toBe(200);
      }
    });
  });

  describe('overflow settings of teams', () => {
    const teamId = `overflowing-${randomUUID().slice(0, 8)}`;
    const team = (overflow: { overflowTeamId?: string; overflowAfterSeconds?: number }) => ({
      id: teamId,
      name: 'Overflowing',
      skillIds: ['general'],
      calendarId: 'office',
      ...overflow,
    });

    it.each([
      [{ overflowTeamId: teamId, overflowAfterSeconds: 600 }, `cannot overflow to itself`],
      [{ overflowTeamId: 'no-such-team', overflowAfterSeconds: 600 }, 'no team no-such-team'],
      [{ overflowAfterSeconds: 600 }, 'set overflowTeamId too'],
    ])('refuses %j with 400', async (overflow, reason) => {
      const response = await ada.call<{ message: string }>(
        'PUT',
        `/directory/team/${teamId}`,
        team(overflow),
      );
      expect(response.status).toBe(400);
      expect(response.body.message).toContain(reason);
    });

    it('accepts an existing other team', async () => {
      const response = await ada.call<{ team: { overflowTeamId: string } }>(
        'PUT',
        `/directory/team/${teamId}`,
        team({ overflowTeamId: 'overflow', overflowAfterSeconds: 900 }),
      );
      expect(response.status).toBe(200);
      expect(response.body.team).toMatchObject({ overflowTeamId: 'overflow' });
    });
  });
});
