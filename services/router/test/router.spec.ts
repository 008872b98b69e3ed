import {
  ActorKind,
  AutomaticReplyKind,
  Channel,
  CustomerEventSchema,
  decode,
  DirectoryKind,
  Escalation,
  IdentityKind,
  MessageDirection,
  Presence,
  Priority,
  RuleField,
  RuleOperator,
  TicketDisposition,
  TicketEventType,
  TicketStatus,
  timestampDate,
  timestampFromDate,
  TOPICS,
  type RoutingDecision,
} from '@firstline/contracts';
import { addBusinessTime } from '@firstline/routing';
import type { RunningService } from '@firstline/runtime';
import { createTestDatabase, ensureKafka, waitFor, type TestDatabase } from '@firstline/testing';
import { RouterHarness } from './harness';

/** Four channels, each with how its adapter names senders and conversations. */
const CHANNELS = [
  { channel: Channel.EMAIL, identity: IdentityKind.EMAIL, capacity: 10 },
  { channel: Channel.TELEGRAM, identity: IdentityKind.TELEGRAM_USER, capacity: 3 },
  { channel: Channel.VK, identity: IdentityKind.VK_USER, capacity: 3 },
  { channel: Channel.WEBFORM, identity: IdentityKind.WEBFORM_EMAIL, capacity: 5 },
] as const;

/** Mon–Fri 9:00–18:00 in Moscow. */
const MOSCOW_OFFICE = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute: 540, closeMinute: 1080 })),
  holidays: [],
  specialWorkingDays: [],
};

const CUSTOMERS = 500;
const CONVERSATIONS_PER_CUSTOMER = 2;
const MESSAGES_PER_CONVERSATION = 5;
const AGENTS = 6;
const OVERFLOW_SECONDS = 8;
// An agent away this long gives their unanswered tickets back (read when the instances start).
process.env.ROUTER_AWAY_GRACE_SECONDS = '2';

describe('the router on Kafka and Postgres', () => {
  let database: TestDatabase;
  let harness: RouterHarness;
  let first: RunningService | undefined;
  let second: RunningService | undefined;
  let restarted: RunningService | undefined;
  let team: (name: string) => string;
  let agentId: (name: string) => string;

  /** An agent with the billing skill; `uniform` sets every channel's capacity, else the defaults above. */
  const agent = (id: string, teamId: string, presence: Presence, uniform?: number) => ({
    kind: DirectoryKind.AGENT,
    id,
    payload: {
      case: 'agent' as const,
      value: {
        id,
        teamIds: [teamId],
        presence,
        active: true,
        skills: [{ skillId: 'billing', level: 3 }],
        capacity: CHANNELS.map(({ channel, capacity }) => ({
          channel,
          maxConcurrent: uniform ?? capacity,
        })),
      },
    },
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    harness = new RouterHarness(await ensureKafka(), database);
    team = (name) => `${harness.run}-${name}`;
    agentId = (name) => `${harness.run}-${name}`;
    await harness.prepare();
    [first, second] = await Promise.all([harness.startInstance(), harness.startInstance()]);
    const token = (name: string) => [`${harness.run}-${name}`];
    await harness.publishDirectory([
      {
        kind: DirectoryKind.RULE_SET,
        id: 'default',
        payload: {
          case: 'ruleSet',
          value: {
            rules: [
              {
                id: 'vip-tier',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token('profile'),
                  },
                  {
                    field: RuleField.CUSTOMER_TIER,
                    operator: RuleOperator.EQUALS_ANY,
                    values: ['vip'],
                  },
                ],
                actions: { teamId: team('vip'), priority: Priority.HIGH },
              },
              {
                id: 'churn-risk-tag',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token('profile'),
                  },
                  {
                    field: RuleField.CUSTOMER_TAG,
                    operator: RuleOperator.EQUALS_ANY,
                    values: ['churn-risk'],
                  },
                ],
                actions: { teamId: team('retention') },
              },
              {
                id: 'scenario',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token('scenario'),
                  },
                ],
                actions: { teamId: team('scenario') },
              },
              {
                id: 'load-billing',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token('load'),
                  },
                  {
                    field: RuleField.FORM_TOPIC,
                    operator: RuleOperator.EQUALS_ANY,
                    values: ['billing'],
                  },
                ],
                actions: { teamId: team('load'), skillIds: ['billing'], priority: Priority.HIGH },
              },
              {
                id: 'load',
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token('load'),
                  },
                ],
                actions: { teamId: team('load') },
              },
              ...['escalate', 'away', 'breach', 'reply', 'unrecorded', 'locked'].map((name) => ({
                id: name,
                conditions: [
                  {
                    field: RuleField.TEXT,
                    operator: RuleOperator.CONTAINS_ANY,
                    values: token(name),
                  },
                ],
                actions: { teamId: team(name), priority: Priority.NORMAL },
              })),
            ],
            // Other tests' messages on the shared topic land here, with nobody to take them.
            fallback: { teamId: team('elsewhere') },
          },
        },
      },
      // The scenario team works Moscow office hours, with its own email SLA: more specific than
      // any policy other tests may publish on the shared topic meanwhile.
      {
        kind: DirectoryKind.TEAM,
        id: team('scenario'),
        payload: { case: 'team', value: { id: team('scenario'), calendarId: team('moscow') } },
      },
      {
        kind: DirectoryKind.CALENDAR,
        id: team('moscow'),
        payload: { case: 'calendar', value: { id: team('moscow'), ...MOSCOW_OFFICE } },
      },
      {
        kind: DirectoryKind.SLA_POLICY,
        id: team('email-sla'),
        payload: {
          case: 'slaPolicy',
          value: {
            id: team('email-sla'),
            teamId: team('scenario'),
            channel: Channel.EMAIL,
            firstResponseMinutes: 12 * 60,
            businessTime: true,
          },
        },
      },
      // Tickets nobody takes in 8 seconds overflow to a team with an agent.
      {
        kind: DirectoryKind.TEAM,
        id: team('escalate'),
        payload: {
          case: 'team',
          value: {
            id: team('escalate'),
            overflowTeamId: team('overflow'),
            overflowAfterSeconds: OVERFLOW_SECONDS,
          },
        },
      },
      {
        kind: DirectoryKind.SLA_POLICY,
        id: team('breach-sla'),
        payload: {
          case: 'slaPolicy',
          value: { id: team('breach-sla'), teamId: team('breach'), firstResponseMinutes: 1 },
        },
      },
      agent(agentId('overflow-agent'), team('overflow'), Presence.ONLINE, 5),
      agent(agentId('away-agent'), team('away'), Presence.ONLINE, 5),
      agent(agentId('scenario-agent'), team('scenario'), Presence.ONLINE, 1),
      agent(agentId('unrecorded-agent'), team('unrecorded'), Presence.ONLINE, 1),
      agent(agentId('locked-agent'), team('locked'), Presence.ONLINE, 1),
      ...Array.from({ length: AGENTS }, (_, index) =>
        agent(agentId(`load-${index}`), team('load'), Presence.ONLINE),
      ),
      agent(agentId('load-late'), team('load'), Presence.OFFLINE),
    ]);
    await waitFor(
      async () =>
        (await harness.query(`SELECT id FROM routing.agent WHERE id LIKE $1`, [`${harness.run}%`]))
          .length ===
          AGENTS + 6 && (await harness.query(`SELECT id FROM routing.directory_entry`)).length > 0,
      30_000,
      'the directory snapshot',
    );
  }, 120_000);

  afterAll(async () => {
    // Stopping waits for in-flight batches and the outbox relay.
    await Promise.all([first?.stop(), second?.stop(), restarted?.stop()]);
    await harness?.close();
    await database?.drop();
  }, 60_000);

  /** The decisions about these messages, in the order asked for. */
  async function decisionsFor(messageIds: string[]): Promise<RoutingDecision[]> {
    return waitFor(
      async () => {
        const decisions = await harness.decisions();
        const found = messageIds.map((id) =>
          decisions.find((decision) => decision.inboundMessageId === id),
        );
        return found.every(Boolean) && (found as RoutingDecision[]);
      },
      30_000,
      `decisions for ${messageIds.join(', ')}`,
    );
  }

  /** The first decision about a ticket that `matches`, once the router made it. */
  const laterDecision = (
    ticketId: string,
    matches: (decision: RoutingDecision) => boolean,
    what: string,
  ) =>
    waitFor(
      async () =>
        (await harness.decisions()).find(
          (decision) => decision.ticketId === ticketId && matches(decision),
        ),
      30_000,
      what,
    );
  const escalationOf = (ticketId: string, escalation: Escalation) =>
    laterDecision(
      ticketId,
      (decision) => decision.escalation === escalation,
      `escalation ${Escalation[escalation]} of ${ticketId}`,
    );
  const assignmentFromQueue = (ticketId: string) =>
    laterDecision(
      ticketId,
      (decision) => decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE,
      `the assignment of queued ticket ${ticketId}`,
    );

  const message = (id: string, fields: Record<string, unknown>) => ({
    messageId: `${harness.run}:${id}`,
    textBody: `${harness.run}-scenario`,
    ...fields,
  });

  it('knows a customer by their mailbox, gives a typed copy of it a provisional customer, and a new identity a new one', async () => {
    const email = `ann-${harness.run}@example.com`;
    await harness.publishInbound([
      message('ann-mail', {
        channel: Channel.EMAIL,
        sender: { kind: IdentityKind.EMAIL, value: email.toUpperCase() },
        conversationKey: `email:${harness.run}:ann`,
      }),
    ]);
    const [byMail] = await decisionsFor([`${harness.run}:ann-mail`]);
    await harness.publishInbound([
      message('ann-form', {
        channel: Channel.WEBFORM,
        sender: { kind: IdentityKind.WEBFORM_EMAIL, value: email },
        conversationKey: `webform:${harness.run}:ann`,
      }),
      message('bob-chat', {
        channel: Channel.TELEGRAM,
        sender: { kind: IdentityKind.TELEGRAM_USER, value: `${Date.now()}` },
        conversationKey: `telegram:${harness.run}:bob`,
      }),
    ]);
    const [byForm, bob] = await decisionsFor([
      `${harness.run}:ann-form`,
      `${harness.run}:bob-chat`,
    ]);
    // Anyone can type anyone's address: it reaches nobody's history until its owner verifies it.
    expect(byForm.customerId).not.toBe(byMail.customerId);
    expect(byForm.customerProvisional).toBe(true);
    expect(byMail.customerProvisional).toBe(false);
    expect(bob.customerId).not.toBe(byMail.customerId);
    expect(byMail).toMatchObject({
      teamId: team('scenario'),
      matchedRuleId: 'scenario',
      slaPolicyId: team('email-sla'),
      disposition: TicketDisposition.NEW_TICKET,
    });
    // 12 working hours of the team's Moscow calendar.
    const received = timestampDate(byMail.message!.receivedAt!);
    expect(timestampDate(byMail.firstResponseDueAt!)).toEqual(
      addBusinessTime(MOSCOW_OFFICE, received, 12 * 60),
    );
  }, 60_000);

  it('queues a chat while the team is full, assigns it when capacity frees, and reopens on a reply', async () => {
    const chat = (id: string, user: string) =>
      message(id, {
        channel: Channel.VK,
        sender: { kind: IdentityKind.VK_USER, value: `${user}-${harness.run}` },
        conversationKey: `vk:${harness.run}:${user}`,
      });
    await harness.publishInbound([chat('carol-1', 'carol')]);
    const [carol] = await decisionsFor([`${harness.run}:carol-1`]);
    expect(carol.assignedAgentId).toBe(agentId('scenario-agent'));

    await harness.publishInbound([chat('dave-1', 'dave'), chat('carol-2', 'carol')]);
    const [dave, carolAgain] = await decisionsFor([
      `${harness.run}:dave-1`,
      `${harness.run}:carol-2`,
    ]);
    expect(dave).toMatchObject({ queuePosition: 1, disposition: TicketDisposition.NEW_TICKET });
    expect(dave.assignedAgentId).toBeUndefined();
    expect(carolAgain).toMatchObject({
      disposition: TicketDisposition.APPEND,
      ticketId: carol.ticketId,
      assignedAgentId: agentId('scenario-agent'),
    });

    await harness.publishTicketEvents([
      harness.messageRecorded(carol.ticketId, 'carol-1'),
      harness.messageRecorded(carol.ticketId, 'carol-2'),
      {
        eventId: `${harness.run}:carol-resolved`,
        ticketId: carol.ticketId,
        type: TicketEventType.STATUS_CHANGED,
        actor: { kind: ActorKind.AGENT, id: agentId('scenario-agent') },
        occurredAt: timestampFromDate(new Date()),
        details: {
          case: 'statusChanged',
          value: { fromStatus: TicketStatus.OPEN, toStatus: TicketStatus.RESOLVED },
        },
      },
    ]);
    const fromQueue = await assignmentFromQueue(dave.ticketId);
    expect(fromQueue.assignedAgentId).toBe(agentId('scenario-agent'));

    await harness.publishInbound([chat('carol-3', 'carol')]);
    const [reopened] = await decisionsFor([`${harness.run}:carol-3`]);
    // Reopened within the window, but its agent is busy with Dave: it waits in the queue.
    expect(reopened).toMatchObject({
      disposition: TicketDisposition.REOPEN,
      ticketId: carol.ticketId,
      queuePosition: 1,
    });
  }, 60_000);

  /** A VK chat message whose text picks the rule (and so the team) named by `rule`. */
  const chatTo = (rule: string, id: string, user: string, fields: Record<string, unknown> = {}) =>
    message(id, {
      channel: Channel.VK,
      sender: { kind: IdentityKind.VK_USER, value: `${user}-${harness.run}` },
      conversationKey: `vk:${harness.run}:${user}`,
      textBody: `${harness.run}-${rule}`,
      ...fields,
    });

  const resolved = (ticketId: string, name: string) => ({
    eventId: `${harness.run}:${name}-resolved`,
    ticketId,
    type: TicketEventType.STATUS_CHANGED,
    actor: { kind: ActorKind.AGENT, id: 'someone' },
    occurredAt: timestampFromDate(new Date()),
    details: {
      case: 'statusChanged' as const,
      value: { fromStatus: TicketStatus.OPEN, toStatus: TicketStatus.RESOLVED },
    },
  });

  const statusChange = (ticketId: string, name: string, from: TicketStatus, to: TicketStatus) => ({
    ...resolved(ticketId, name),
    details: {
      case: 'statusChanged' as const,
      value: { fromStatus: from, toStatus: to },
    },
  });
  const routerState = (ticketId: string, state: string) =>
    waitFor(
      async () =>
        (
          await harness.query<{ state: string }>(`SELECT state FROM routing.ticket WHERE id = $1`, [
            ticketId,
          ])
        )[0]?.state === state,
      30_000,
      `the router to see ticket ${ticketId} ${state}`,
    );

  it('keeps a resolved ticket on its agent while a message routed to it waits to be recorded, since recording it reopens the ticket', async () => {
    const agentOfRon = agentId('unrecorded-agent');
    await harness.publishInbound([chatTo('unrecorded', 'ron-1', 'ron')]);
    const [ron] = await decisionsFor([`${harness.run}:ron-1`]);
    expect(ron.assignedAgentId).toBe(agentOfRon);
    // Ron writes again while his ticket is open, as far as the router knows; the agent resolves
    // it before tickets records that message (tickets then reopens it for the same agent).
    await harness.publishInbound([chatTo('unrecorded', 'ron-2', 'ron')]);
    const [ronAgain] = await decisionsFor([`${harness.run}:ron-2`]);
    expect(ronAgain).toMatchObject({
      disposition: TicketDisposition.APPEND,
      ticketId: ron.ticketId,
    });
    await harness.publishTicketEvents([
      harness.messageRecorded(ron.ticketId, 'ron-1'),
      resolved(ron.ticketId, 'ron-first'),
    ]);
    await routerState(ron.ticketId, 'resolved');

    // Sam writes meanwhile: the agent's one place is still Ron's.
    await harness.publishInbound([chatTo('unrecorded', 'sam-1', 'sam')]);
    const [sam] = await decisionsFor([`${harness.run}:sam-1`]);
    expect(sam).toMatchObject({ disposition: TicketDisposition.NEW_TICKET, queuePosition: 1 });
    expect(sam.assignedAgentId).toBeUndefined();

    await harness.publishTicketEvents([
      harness.messageRecorded(ron.ticketId, 'ron-2'),
      statusChange(ron.ticketId, 'ron-reopened', TicketStatus.RESOLVED, TicketStatus.OPEN),
    ]);
    await routerState(ron.ticketId, 'open');
    await harness.publishTicketEvents([resolved(ron.ticketId, 'ron-second')]);
    const fromQueue = await assignmentFromQueue(sam.ticketId);
    expect(fromQueue.assignedAgentId).toBe(agentOfRon);
    // Every assignment to the agent came while the agent had room.
    const toTheAgent = (await harness.decisions()).filter(
      (decision) =>
        decision.assignedAgentId === agentOfRon &&
        decision.disposition !== TicketDisposition.APPEND,
    );
    expect(toTheAgent.map((decision) => decision.ticketId)).toEqual([ron.ticketId, sam.ticketId]);
  }, 60_000);

  it("dates an assignment after it waited for the agent's lock, so the decision log puts it after the resolutions it counted", async () => {
    const locked = agentId('locked-agent');
    const holder = await database.pool(1).connect();
    try {
      // Another transaction (a replica's batch, a drain) holds the agent's row.
      await holder.query('BEGIN');
      await holder.query(`SELECT id FROM routing.agent WHERE id = $1 FOR UPDATE`, [locked]);
      await harness.publishInbound([chatTo('locked', 'uma-1', 'uma')]);
      await waitFor(
        async () =>
          (
            await harness.query(
              `SELECT pid FROM pg_stat_activity
                WHERE wait_event_type = 'Lock' AND query LIKE '%FROM routing.agent%FOR UPDATE%'`,
            )
          ).length > 0,
        30_000,
        "a routing batch to wait for the agent's lock",
      );
      const releasedAt = new Date();
      await holder.query('COMMIT');
      const [uma] = await decisionsFor([`${harness.run}:uma-1`]);
      expect(uma.assignedAgentId).toBe(locked);
      expect(timestampDate(uma.decidedAt!).getTime()).toBeGreaterThanOrEqual(releasedAt.getTime());
    } finally {
      holder.release();
    }
  }, 60_000);

  it('acknowledges a new ticket with its number, once per window, and never a machine', async () => {
    await harness.publishInbound([
      chatTo('reply', 'erin-1', 'erin'),
      chatTo('reply', 'erin-2', 'erin'),
      chatTo('reply', 'erin-robot', 'erin', { autoResponse: true }),
    ]);
    const [first, second, robot] = await decisionsFor([
      `${harness.run}:erin-1`,
      `${harness.run}:erin-2`,
      `${harness.run}:erin-robot`,
    ]);
    expect(first.ticketNumber).toMatch(/^\d+$/);
    expect(first.automaticReply).toMatchObject({ kind: AutomaticReplyKind.ACKNOWLEDGEMENT });
    expect(first.automaticReply!.text).toContain(`#${first.ticketNumber}`);
    expect(second.ticketNumber).toBe(first.ticketNumber);
    expect(second.automaticReply).toBeUndefined();
    expect(robot).toMatchObject({
      disposition: TicketDisposition.APPEND,
      ticketNumber: first.ticketNumber,
    });
    expect(robot.automaticReply).toBeUndefined();
  }, 60_000);

  it('opens no ticket for a machine’s message that threads to none', async () => {
    await harness.publishInbound([
      chatTo('reply', 'robot-1', 'robot', { autoResponse: true }),
      chatTo('reply', 'hal-1', 'hal'),
    ]);
    await waitFor(
      async () =>
        (
          await harness.query(
            `SELECT 1 FROM routing.processed_message WHERE consumer = 'router.inbound' AND message_id = ANY($1)`,
            [[`${harness.run}:robot-1`, `${harness.run}:hal-1`]],
          )
        ).length === 2,
      30_000,
      'both messages handled',
    );
    const decided = (await harness.decisions()).map((decision) => decision.inboundMessageId);
    expect(decided).toContain(`${harness.run}:hal-1`);
    expect(decided).not.toContain(`${harness.run}:robot-1`);
  }, 60_000);

  it('records a survey answer on the rated ticket without reopening it', async () => {
    await harness.publishInbound([chatTo('reply', 'fay-1', 'fay')]);
    const [asked] = await decisionsFor([`${harness.run}:fay-1`]);
    await harness.publishTicketEvents([resolved(asked.ticketId, 'fay')]);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT 1 FROM routing.ticket WHERE id = $1 AND state = 'resolved'`, [
            asked.ticketId,
          ])
        ).length > 0,
      30_000,
      'the resolution to reach the router',
    );
    await harness.publishInbound([
      chatTo('reply', 'fay-csat', 'fay', {
        textBody: '5',
        csatAnswer: { ticketId: asked.ticketId, score: 5 },
      }),
    ]);
    const [rating] = await decisionsFor([`${harness.run}:fay-csat`]);
    expect(rating).toMatchObject({
      ticketId: asked.ticketId,
      disposition: TicketDisposition.APPEND,
    });
    expect(rating.automaticReply).toBeUndefined();
    const [ticket] = await harness.query<{ state: string }>(
      `SELECT state FROM routing.ticket WHERE id = $1`,
      [asked.ticketId],
    );
    expect(ticket.state).toBe('resolved');
  }, 60_000);

  it('drops a survey answer that rates another customer’s ticket', async () => {
    await harness.publishInbound([chatTo('reply', 'ida-1', 'ida')]);
    const [asked] = await decisionsFor([`${harness.run}:ida-1`]);
    await harness.publishInbound([
      chatTo('reply', 'mallory-csat', 'mallory', {
        textBody: '1',
        csatAnswer: { ticketId: asked.ticketId, score: 1 },
      }),
      chatTo('reply', 'mallory-2', 'mallory'),
    ]);
    await decisionsFor([`${harness.run}:mallory-2`]);
    const decided = (await harness.decisions()).map((decision) => decision.inboundMessageId);
    expect(decided).not.toContain(`${harness.run}:mallory-csat`);
  }, 60_000);

  it('reads a bare score answering a resolved ticket as its survey answer, in the customer’s language', async () => {
    await harness.publishInbound([chatTo('reply', 'gus-1', 'gus', { language: 'ru' })]);
    const [asked] = await decisionsFor([`${harness.run}:gus-1`]);
    // The channel's language wins over the text's (Latin letters here).
    expect(asked.language).toBe('ru');
    expect(asked.automaticReply!.text).toContain('Спасибо за обращение');
    await harness.publishTicketEvents([resolved(asked.ticketId, 'gus')]);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT 1 FROM routing.ticket WHERE id = $1 AND state = 'resolved'`, [
            asked.ticketId,
          ])
        ).length > 0,
      30_000,
      'the resolution to reach the router',
    );
    await harness.publishInbound([
      chatTo('reply', 'gus-score', 'gus', { textBody: '2 — долго отвечали' }),
    ]);
    const [rating] = await decisionsFor([`${harness.run}:gus-score`]);
    expect(rating).toMatchObject({
      ticketId: asked.ticketId,
      disposition: TicketDisposition.APPEND,
    });
    expect(rating.message!.csatAnswer).toMatchObject({
      ticketId: asked.ticketId,
      score: 2,
      comment: 'долго отвечали',
    });
    expect(rating.automaticReply).toBeUndefined();
    const [ticket] = await harness.query<{ state: string }>(
      `SELECT state FROM routing.ticket WHERE id = $1`,
      [asked.ticketId],
    );
    expect(ticket.state).toBe('resolved');
  }, 60_000);

  it('links a chat to the customer a status-page token was issued to, and honours merges', async () => {
    const email = `gil-${harness.run}@example.com`;
    await harness.publishInbound([
      message('gil-form', {
        channel: Channel.WEBFORM,
        sender: { kind: IdentityKind.WEBFORM_EMAIL, value: email },
        conversationKey: `webform:${harness.run}:gil`,
        issuedLinkToken: `${harness.run}-token`,
        callbackWindow: {
          startsAt: timestampFromDate(new Date('2030-01-07T10:00:00Z')),
          endsAt: timestampFromDate(new Date('2030-01-07T12:00:00Z')),
        },
      }),
    ]);
    const [form] = await decisionsFor([`${harness.run}:gil-form`]);
    // A callback request is due at the end of the window the customer asked for.
    expect(timestampDate(form.firstResponseDueAt!)).toEqual(new Date('2030-01-07T12:00:00Z'));
    await harness.publishInbound([
      chatTo('reply', 'gil-start', 'gil', { linkToken: `${harness.run}-token` }),
      chatTo('reply', 'hal-1', 'hal'),
    ]);
    const [linked, hal] = await decisionsFor([`${harness.run}:gil-start`, `${harness.run}:hal-1`]);
    expect(linked.customerId).toBe(form.customerId);
    expect(hal.customerId).not.toBe(form.customerId);

    await harness.publishCustomerEvents([
      {
        eventId: `${harness.run}:merge-hal`,
        agentId: 'someone',
        details: {
          case: 'merged',
          value: { survivorCustomerId: form.customerId, duplicateCustomerId: hal.customerId },
        },
      },
    ]);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT 1 FROM routing.customer WHERE id = $1 AND merged_into = $2`, [
            hal.customerId,
            form.customerId,
          ])
        ).length > 0,
      30_000,
      'the merge to reach the router',
    );
    await harness.publishInbound([
      chatTo('reply', 'hal-2', 'hal-elsewhere', {
        sender: { kind: IdentityKind.VK_USER, value: `hal-${harness.run}` },
      }),
    ]);
    const [afterMerge] = await decisionsFor([`${harness.run}:hal-2`]);
    expect(afterMerge.customerId).toBe(form.customerId);
  }, 60_000);

  it('uses a link token once, and only before it expires', async () => {
    const form = (name: string) =>
      message(`${name}-form`, {
        channel: Channel.WEBFORM,
        sender: { kind: IdentityKind.WEBFORM_EMAIL, value: `${name}-${harness.run}@example.com` },
        conversationKey: `webform:${harness.run}:${name}`,
        issuedLinkToken: `${harness.run}-${name}-token`,
      });
    await harness.publishInbound([form('lia'), form('max')]);
    const [lia, max] = await decisionsFor([`${harness.run}:lia-form`, `${harness.run}:max-form`]);
    await harness.query(
      `UPDATE routing.link_token SET issued_at = now() - interval '25 hours' WHERE token = $1`,
      [`${harness.run}-max-token`],
    );

    await harness.publishInbound([
      chatTo('reply', 'lia-start', 'lia', { linkToken: `${harness.run}-lia-token` }),
    ]);
    const [linked] = await decisionsFor([`${harness.run}:lia-start`]);
    expect(linked.customerId).toBe(lia.customerId);

    // The same token again, from someone else, and a day-old token: nobody moves.
    await harness.publishInbound([
      chatTo('reply', 'ned-start', 'ned', { linkToken: `${harness.run}-lia-token` }),
      chatTo('reply', 'max-start', 'max', { linkToken: `${harness.run}-max-token` }),
    ]);
    const [again, expired] = await decisionsFor([
      `${harness.run}:ned-start`,
      `${harness.run}:max-start`,
    ]);
    expect(again.customerId).not.toBe(lia.customerId);
    expect(expired.customerId).not.toBe(max.customerId);
  }, 60_000);

  it('verifies a typed address its customer proved, and then routes it to them', async () => {
    const email = `ora-${harness.run}@example.com`;
    const conversationKey = `webform:${harness.run}:ora`;
    const typed = (id: string, key: string, value: string) =>
      message(id, {
        channel: Channel.WEBFORM,
        sender: { kind: IdentityKind.WEBFORM_EMAIL, value },
        conversationKey: key,
      });
    await harness.publishInbound([typed('ora-form', conversationKey, email)]);
    const [ora] = await decisionsFor([`${harness.run}:ora-form`]);
    expect(ora.customerProvisional).toBe(true);

    // A link names one conversation and proves only what its customer typed: the first proof
    // goes to the dead letters, the second (same conversation, so after it) verifies.
    await harness.publishIdentityProofs([
      {
        proofId: `${harness.run}:ora-other`,
        conversationKey,
        identity: { kind: IdentityKind.WEBFORM_EMAIL, value: `other-${harness.run}@example.com` },
      },
      {
        proofId: `${harness.run}:ora-proof`,
        conversationKey,
        identity: { kind: IdentityKind.WEBFORM_EMAIL, value: email.toUpperCase() },
      },
    ]);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT 1 FROM routing.customer WHERE id = $1 AND NOT provisional`, [
            ora.customerId,
          ])
        ).length > 0,
      30_000,
      'the proof to verify the customer',
    );
    const identities = await harness.query<{ kind: number; value: string; customer_id: string }>(
      `SELECT kind, value, customer_id FROM routing.customer_identity WHERE value = ANY($1)
        ORDER BY kind`,
      [[email, `other-${harness.run}@example.com`]],
    );
    // The typed address and the mailbox it names are hers now; the other address nobody's.
    expect(identities).toEqual([
      { kind: IdentityKind.EMAIL, value: email, customer_id: ora.customerId },
      { kind: IdentityKind.WEBFORM_EMAIL, value: email, customer_id: ora.customerId },
    ]);
    const [announced] = await harness.query<{ payload: Buffer }>(
      `SELECT payload FROM routing.outbox WHERE topic = $1`,
      [TOPICS.customerEvents.name],
    );
    expect(decode(CustomerEventSchema, announced.payload).details).toMatchObject({
      case: 'identityVerified',
      value: { customerId: ora.customerId, identity: { value: email } },
    });

    await harness.publishInbound([typed('ora-later', `webform:${harness.run}:ora-2`, email)]);
    const [later] = await decisionsFor([`${harness.run}:ora-later`]);
    expect(later).toMatchObject({ customerId: ora.customerId, customerProvisional: false });
  }, 60_000);

  it("routes by the customer's tier and tags as agents last set them", async () => {
    const profileOf = async (name: string, tier: string, tags: string[], customerId: string) => {
      await harness.publishCustomerEvents([
        {
          eventId: `${harness.run}:profile-${name}`,
          agentId: 'someone',
          details: { case: 'profileChanged', value: { customerId, tier, tags } },
        },
      ]);
      await waitFor(
        async () =>
          (
            await harness.query(
              `SELECT 1 FROM routing.customer WHERE id = $1 AND tier = $2 AND tags = $3`,
              [customerId, tier, tags],
            )
          ).length > 0,
        30_000,
        `the profile ${name} to reach the router`,
      );
    };
    const unaWrites = async (id: string) => {
      await harness.publishInbound([
        chatTo('profile', id, `una-${id}`, {
          sender: { kind: IdentityKind.VK_USER, value: `una-${harness.run}` },
        }),
      ]);
      const [decided] = await decisionsFor([`${harness.run}:${id}`]);
      return decided;
    };

    const before = await unaWrites('una-1');
    expect(before.teamId).toBe(team('elsewhere'));

    await profileOf('vip', 'vip', [], before.customerId);
    const asVip = await unaWrites('una-2');
    expect(asVip).toMatchObject({
      customerId: before.customerId,
      teamId: team('vip'),
      priority: Priority.HIGH,
      matchedRuleId: 'vip-tier',
    });

    await profileOf('churn-risk', '', ['enterprise', 'churn-risk'], before.customerId);
    const atRisk = await unaWrites('una-3');
    expect(atRisk).toMatchObject({ teamId: team('retention'), matchedRuleId: 'churn-risk-tag' });
  }, 60_000);

  it('raises the priority of a ticket whose first response is overdue', async () => {
    // Received two minutes ago with a one-minute first-response target: already breached.
    await harness.publishInbound([
      chatTo('breach', 'ivy-1', 'ivy', {
        receivedAt: timestampFromDate(new Date(Date.now() - 2 * 60_000)),
      }),
    ]);
    const [late] = await decisionsFor([`${harness.run}:ivy-1`]);
    expect(late.priority).toBe(Priority.NORMAL);
    const breached = await escalationOf(late.ticketId, Escalation.FIRST_RESPONSE_BREACHED);
    expect(breached).toMatchObject({
      disposition: TicketDisposition.ESCALATED,
      priority: Priority.HIGH,
      ticketNumber: late.ticketNumber,
    });
  }, 60_000);

  it("gives an away agent's unanswered tickets back to the queue after the grace period", async () => {
    await harness.publishInbound([chatTo('away', 'jo-1', 'jo'), chatTo('away', 'kim-1', 'kim')]);
    const [jo, kim] = await decisionsFor([`${harness.run}:jo-1`, `${harness.run}:kim-1`]);
    expect([jo.assignedAgentId, kim.assignedAgentId]).toEqual([
      agentId('away-agent'),
      agentId('away-agent'),
    ]);
    // The agent answered Kim; Jo still waits.
    await harness.publishTicketEvents([
      {
        eventId: `${harness.run}:kim-answered`,
        ticketId: kim.ticketId,
        type: TicketEventType.MESSAGE_ADDED,
        actor: { kind: ActorKind.AGENT, id: agentId('away-agent') },
        occurredAt: timestampFromDate(new Date()),
        details: {
          case: 'messageAdded',
          value: { messageId: 'reply-1', direction: MessageDirection.OUTBOUND },
        },
      },
    ]);
    await waitFor(
      async () =>
        (
          await harness.query(
            `SELECT 1 FROM routing.ticket WHERE id = $1 AND first_responded_at IS NOT NULL`,
            [kim.ticketId],
          )
        ).length > 0,
      30_000,
      'the answer to reach the router',
    );
    await harness.publishDirectory([agent(agentId('away-agent'), team('away'), Presence.AWAY, 5)]);
    const givenBack = await escalationOf(jo.ticketId, Escalation.AGENT_AWAY);
    expect(givenBack.assignedAgentId).toBeUndefined();
    const [kimNow] = await harness.query<{ assigned_agent_id: string }>(
      `SELECT assigned_agent_id FROM routing.ticket WHERE id = $1`,
      [kim.ticketId],
    );
    expect(kimNow.assigned_agent_id).toBe(agentId('away-agent'));
  }, 60_000);

  it('with two instances, one stopped half-way, decides every message once, in conversation order, never over capacity', async () => {
    const conversations = Array.from(
      { length: CUSTOMERS * CONVERSATIONS_PER_CUSTOMER },
      (_, index) => {
        const customer = index % CUSTOMERS;
        const { channel, identity } = CHANNELS[customer % CHANNELS.length];
        return {
          channel,
          sender: { kind: identity, value: `customer-${customer}-${harness.run}` },
          conversationKey: `${Channel[channel]}:${harness.run}:${index}`,
          formTopic: channel === Channel.WEBFORM && index % 2 === 0 ? 'billing' : undefined,
        };
      },
    );
    const messages = Array.from({ length: MESSAGES_PER_CONVERSATION }, (_, sequence) =>
      conversations.map((conversation, index) => ({
        ...conversation,
        messageId: `${harness.run}:load:${index}:${sequence}`,
        textBody: `${harness.run}-load message ${sequence}`,
      })),
    ).flat();
    const total = messages.length;
    const before = await harness.decisionCount();
    const startedAt = Date.now();
    for (let start = 0; start < total; start += 500) {
      await harness.publishInbound(messages.slice(start, start + 500));
    }

    const loadDecisions = async () =>
      (await harness.decisions()).filter((decision) => decision.teamId === team('load'));
    await waitFor(
      async () => (await harness.decisionCount()) - before >= total / 2,
      60_000,
      'half of the messages decided',
    );
    const halfAt = Date.now();
    await first!.stop();
    first = undefined;
    await waitFor(
      async () => (await harness.decisionCount()) - before >= total,
      90_000,
      'every message decided',
    );
    const elapsedMs = Date.now() - startedAt;

    // The late agent comes online and takes queued tickets up to capacity.
    await harness.publishDirectory([agent(agentId('load-late'), team('load'), Presence.ONLINE)]);
    const lateCapacity = CHANNELS.reduce((sum, { capacity }) => sum + capacity, 0);
    await waitFor(
      async () =>
        (
          await harness.query(`SELECT id FROM routing.ticket WHERE assigned_agent_id = $1`, [
            agentId('load-late'),
          ])
        ).length >= lateCapacity,
      30_000,
      'the late agent to get queued tickets',
    );
    // Let a second sweep pass, to see that it assigns nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const log = await waitFor(
      async () => {
        const decisions = await loadDecisions();
        return decisions.every((decision) => decision.published) && decisions;
      },
      30_000,
      'the decision log to be published',
    );
    const inbound = log.filter((decision) => decision.inboundMessageId);
    const perMessage = new Map<string, number>();
    for (const decision of inbound) {
      perMessage.set(
        decision.inboundMessageId,
        (perMessage.get(decision.inboundMessageId) ?? 0) + 1,
      );
    }
    expect(perMessage.size).toBe(total);
    expect([...perMessage.values()].every((count) => count === 1)).toBe(true);

    // In each conversation: one new ticket, then appends, in the order the customer wrote.
    const byConversation = new Map<string, RoutingDecision[]>();
    for (const decision of inbound) {
      byConversation.set(decision.conversationKey, [
        ...(byConversation.get(decision.conversationKey) ?? []),
        decision,
      ]);
    }
    expect(byConversation.size).toBe(conversations.length);
    for (const decisions of byConversation.values()) {
      expect(decisions.map((decision) => decision.message!.messageId.split(':').pop())).toEqual([
        '0',
        '1',
        '2',
        '3',
        '4',
      ]);
      expect(decisions.map((decision) => decision.disposition)).toEqual([
        TicketDisposition.NEW_TICKET,
        ...Array(MESSAGES_PER_CONVERSATION - 1).fill(TicketDisposition.APPEND),
      ]);
      expect(new Set(decisions.map((decision) => decision.ticketId)).size).toBe(1);
    }
    // A typed address proves nothing: each web-form conversation has a provisional customer.
    const typing = conversations.filter(({ channel }) => channel === Channel.WEBFORM);
    const typists = new Set(typing.map(({ sender }) => sender.value)).size;
    expect(new Set(inbound.map((decision) => decision.customerId)).size).toBe(
      CUSTOMERS - typists + typing.length,
    );

    // Replayed in log order: no ticket assigned twice, no agent ever past a channel's capacity.
    const assignedTickets = new Set<string>();
    const load = new Map<string, number>();
    const capacity = new Map<Channel, number>(
      CHANNELS.map(({ channel, capacity }) => [channel, capacity]),
    );
    for (const decision of log) {
      const assigns =
        decision.assignedAgentId &&
        (decision.disposition === TicketDisposition.NEW_TICKET ||
          decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE);
      if (!assigns) continue;
      expect(assignedTickets.has(decision.ticketId)).toBe(false);
      assignedTickets.add(decision.ticketId);
      const channel = decision.message?.channel ?? channelOf(log, decision.ticketId);
      const key = `${decision.assignedAgentId}:${channel}`;
      load.set(key, (load.get(key) ?? 0) + 1);
      expect(load.get(key)).toBeLessThanOrEqual(capacity.get(channel)!);
    }
    // Every agent full, the rest queued.
    expect(assignedTickets.size).toBe((AGENTS + 1) * lateCapacity);
    process.stdout.write(
      `router: half decided after ${halfAt - startedAt} ms; ` +
        `${total} messages decided by two instances in ${elapsedMs} ms ` +
        `(${Math.round(total / (elapsedMs / 1000))} decisions/s)\n`,
    );
  }, 180_000);

  it('keeps escalation timers across a restart: a ticket nobody took overflows', async () => {
    await harness.publishInbound([chatTo('escalate', 'lea-1', 'lea')]);
    const [waiting] = await decisionsFor([`${harness.run}:lea-1`]);
    expect(waiting).toMatchObject({ teamId: team('escalate'), queuePosition: 1 });
    await Promise.all([first?.stop(), second?.stop()]);
    first = second = undefined;
    const [timer] = await harness.query<{ due_at: Date }>(
      `SELECT due_at FROM routing.timer WHERE kind = 'overflow' AND subject = $1`,
      [waiting.ticketId],
    );
    expect(timer.due_at.getTime()).toBeGreaterThan(Date.now());
    // Nobody runs the router when the timer comes due.
    await new Promise((resolve) => setTimeout(resolve, timer.due_at.getTime() - Date.now() + 500));

    restarted = await harness.startInstance();
    const overflowed = await escalationOf(waiting.ticketId, Escalation.OVERFLOW);
    expect(overflowed.teamId).toBe(team('overflow'));
    const taken = await assignmentFromQueue(waiting.ticketId);
    expect(taken.assignedAgentId).toBe(agentId('overflow-agent'));
  }, 60_000);
});

function channelOf(log: RoutingDecision[], ticketId: string): Channel {
  return log.find((decision) => decision.ticketId === ticketId && decision.message)!.message!
    .channel;
}
