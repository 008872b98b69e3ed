import { randomUUID } from 'node:crypto';
import type { AgentApi } from '@firstline/testing';
import {
  CallbackOutcome,
  Channel,
  decode,
  IdentityKind,
  Priority,
  RoutingCommandSchema,
  TicketEventSchema,
  timestampFromDate,
  TOPICS,
} from '@firstline/contracts';
import type { DeliveredMessage } from '@firstline/bus';
import {
  commandAnswer,
  decision,
  TicketsUnderTest,
  waitFor,
  type RoutingDecision,
} from './support';

interface Callback {
  id: string;
  phone: string;
  windowEndsAt: string;
  dueAt: string;
  attempts: number;
  lastAction: string | null;
  doneAt: string | null;
  onTime: boolean | null;
  teamTimeZone: string;
  ticketNumber?: string;
}

/**
 * Supervisors' controls and callback tasks on the tickets API, on the real broker and Postgres.
 * The test answers for the router: assignment and priority are its facts (docs/adr/0015), so the
 * API sends commands and changes the ticket only from the answer.
 */
describe('supervisor controls and callback tasks', () => {
  let tickets: TicketsUnderTest;
  let ann: AgentApi; // first line
  let bill: AgentApi; // billing
  let sam: AgentApi; // supervisor
  let published: DeliveredMessage[];

  beforeAll(async () => {
    tickets = await TicketsUnderTest.start({
      watch: [TOPICS.ticketEvents.name, TOPICS.routingCommands.name],
    });
    published = tickets.published;
    [ann, bill, sam] = await Promise.all([
      tickets.login('ann@firstline.example'),
      tickets.login('bill@firstline.example'),
      tickets.login('supervisor@firstline.example'),
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

  const commandFor = (ticketId: string, kind: 'assign' | 'setPriority') =>
    waitFor(() =>
      published
        .filter((record) => record.topic === TOPICS.routingCommands.name)
        .map((record) => decode(RoutingCommandSchema, record.value))
        .find((command) => command.ticketId === ticketId && command.command.case === kind),
    );

  const persisted = async (routed: RoutingDecision) => {
    await tickets.publishDecisions([routed]);
    return waitFor(async () => {
      const response = await sam.call('GET', `/tickets/${routed.ticketId}`);
      return response.status === 200 || undefined;
    });
  };

  const ticketOf = async (id: string) =>
    (
      await sam.ok<{ ticket: { assigneeId: string | null; priority: string; tags: string[] } }>(
        'GET',
        `/tickets/${id}`,
      )
    ).ticket;

  it('gives a ticket to a named agent through the router, with the capacity override in the command', async () => {
    const routed = decision();
    await persisted(routed);

    const assigning = sam.call('POST', `/tickets/${routed.ticketId}/assign`, {
      agentId: 'ann',
      overrideCapacity: true,
    });
    const command = await commandFor(routed.ticketId, 'assign');
    expect(command).toMatchObject({
      agentId: 'sam',
      command: { value: { assigneeId: 'ann', overrideCapacity: true } },
    });
    // Nothing is assigned before the router says so.
    expect((await ticketOf(routed.ticketId)).assigneeId).toBeNull();
    await tickets.publishDecisions([
      commandAnswer(routed, command, { assignedAgentId: 'ann', capacityOverridden: true }),
    ]);
    expect(await assigning).toMatchObject({
      status: 200,
      body: { status: 'applied', assigneeId: 'ann', teamId: 'first-line' },
    });
    const assigned = await waitFor(() =>
      eventsOf(routed.ticketId).find((event) => event.details.case === 'assigned'),
    );
    expect(assigned.actor?.id).toBe('sam');

    // Ann's load shows it, against her capacity in the channel.
    const workload = await sam.ok<
      Array<{ id: string; presence: string; channels: Array<Record<string, unknown>> }>
    >('GET', '/agents/workload?teamId=first-line');
    const annLoad = workload.find((agent) => agent.id === 'ann');
    expect(annLoad?.presence).toBe('offline');
    expect(annLoad?.channels).toContainEqual({ channel: 'email', open: 1, capacity: 5 });
    expect(workload.map((agent) => agent.id)).not.toContain('bill');
  }, 30_000);

  it('tells the supervisor why the router refused an assignment, and keeps it from agents', async () => {
    const routed = decision();
    await persisted(routed);
    expect(
      (await ann.call('POST', `/tickets/${routed.ticketId}/assign`, { agentId: 'ann' })).status,
    ).toBe(403);
    expect((await ann.call('GET', '/agents/workload')).status).toBe(403);

    const assigning = sam.call<{ message: string }>('POST', `/tickets/${routed.ticketId}/assign`, {
      agentId: 'ann',
    });
    const command = await commandFor(routed.ticketId, 'assign');
    expect(command.command.value).toMatchObject({ overrideCapacity: false });
    const refusal = `Ticket ${routed.ticketNumber} cannot go to ann, who is at capacity (5 of 5 open)`;
    await tickets.publishDecisions([commandAnswer(routed, command, { refusal })]);
    expect(await assigning).toMatchObject({ status: 409, body: { message: refusal } });
    expect((await ticketOf(routed.ticketId)).assigneeId).toBeNull();
  }, 30_000);

  it('changes the priority by the router’s answer and the tags on its own, announcing both', async () => {
    const routed = decision();
    await persisted(routed);

    const prioritising = sam.call('POST', `/tickets/${routed.ticketId}/priority`, {
      priority: 'urgent',
    });
    const command = await commandFor(routed.ticketId, 'setPriority');
    expect(command.command.value).toMatchObject({ priority: Priority.URGENT });
    expect((await ticketOf(routed.ticketId)).priority).toBe('normal');
    await tickets.publishDecisions([commandAnswer(routed, command, { priority: Priority.URGENT })]);
    expect((await prioritising).status).toBe(200);
    expect((await ticketOf(routed.ticketId)).priority).toBe('urgent');

    expect(
      await sam.ok('PUT', `/tickets/${routed.ticketId}/tags`, {
        tags: [' Refund', 'refund', 'VIP'],
      }),
    ).toEqual({ tags: ['refund', 'vip'] });
    expect((await ticketOf(routed.ticketId)).tags).toEqual(['refund', 'vip']);
    expect(
      (await sam.call('PUT', `/tickets/${routed.ticketId}/tags`, { tags: ['no spaces'] })).status,
    ).toBe(400);

    const changes = await waitFor(() => {
      const events = eventsOf(routed.ticketId).filter((event) =>
        ['priorityChanged', 'tagsChanged'].includes(event.details.case ?? ''),
      );
      return events.length === 2 && events;
    });
    expect(changes.map((event) => [event.details.case, event.actor?.id])).toEqual([
      ['priorityChanged', 'sam'],
      ['tagsChanged', 'sam'],
    ]);
    expect(changes[0].details.value).toMatchObject({
      fromPriority: Priority.NORMAL,
      toPriority: Priority.URGENT,
    });
    expect(changes[1].details.value).toMatchObject({ fromTags: [], toTags: ['refund', 'vip'] });
  }, 30_000);

  it('finds a duplicate customer by email, phone or name, for the merge', async () => {
    const suffix = randomUUID().slice(0, 8);
    const first = decision();
    const second = decision({
      message: {
        ...first.message!,
        messageId: randomUUID(),
        channel: Channel.TELEGRAM,
        sender: {
          $typeName: 'firstline.v1.Identity',
          kind: IdentityKind.PHONE,
          value: `+49151${suffix.replace(/\D/g, '1')}`,
          displayName: `Rita ${suffix}`,
        },
      },
    });
    first.message!.sender!.displayName = `Rita ${suffix}`;
    await persisted(first);
    await persisted(second);

    const byName = await sam.ok<Array<{ id: string; tickets: number }>>(
      'GET',
      `/customers?query=${encodeURIComponent(`rita ${suffix}`)}`,
    );
    expect(byName.map((match) => match.id).sort()).toEqual(
      [first.customerId, second.customerId].sort(),
    );
    expect(byName.every((match) => match.tickets === 1)).toBe(true);
    const byPhone = await sam.ok<Array<{ id: string; identities: string[] }>>(
      'GET',
      `/customers?query=${encodeURIComponent(second.message!.sender!.value.slice(1))}`,
    );
    expect(byPhone).toEqual([
      expect.objectContaining({
        id: second.customerId,
        identities: [second.message!.sender!.value],
      }),
    ]);
    expect((await sam.call('GET', '/customers?query=a')).status).toBe(400);

    await sam.ok('POST', `/customers/${first.customerId}/merge`, {
      duplicateId: second.customerId,
    });
    // Merged away, the duplicate is no longer offered.
    const after = await sam.ok<Array<{ id: string; tickets: number }>>(
      'GET',
      `/customers?query=${encodeURIComponent(`rita ${suffix}`)}`,
    );
    expect(after).toEqual([expect.objectContaining({ id: first.customerId, tickets: 2 })]);
  }, 30_000);

  it('turns a callback request into a task worked from its card, recorded on the ticket and in the KPIs', async () => {
    const windowStart = new Date(Date.now() + 3600_000);
    const windowEnd = new Date(Date.now() + 2 * 3600_000);
    const routed = decision({
      message: {
        ...decision().message!,
        channel: Channel.WEBFORM,
        sender: {
          $typeName: 'firstline.v1.Identity',
          kind: IdentityKind.WEBFORM_PHONE,
          value: '+74951234567',
          displayName: 'Oleg',
        },
        callbackWindow: {
          $typeName: 'firstline.v1.CallbackWindow',
          startsAt: timestampFromDate(windowStart),
          endsAt: timestampFromDate(windowEnd),
        },
      },
    });
    // Delivered twice: one task.
    await tickets.publishDecisions([routed]);
    await persisted(routed);

    const [card] = await ann.ok<Callback[]>('GET', `/tickets/${routed.ticketId}/callbacks`);
    expect(card).toMatchObject({
      phone: '+74951234567',
      windowEndsAt: windowEnd.toISOString(),
      dueAt: windowEnd.toISOString(),
      attempts: 0,
      doneAt: null,
      onTime: null,
      teamTimeZone: 'Europe/Berlin', // the demo first line's calendar
    });
    expect((await ann.ok<Callback[]>('GET', `/tickets/${routed.ticketId}/callbacks`)).length).toBe(
      1,
    );
    // In the Callbacks list of the team's agents, not of another team's.
    expect((await ann.ok<Callback[]>('GET', '/callbacks')).map((c) => c.id)).toContain(card.id);
    expect((await bill.ok<Callback[]>('GET', '/callbacks')).map((c) => c.id)).not.toContain(
      card.id,
    );
    expect(
      (await bill.call('POST', `/callbacks/${card.id}/outcome`, { action: 'called' })).status,
    ).toBe(403);

    // Nobody answers: due again when the agent said.
    const retryAt = new Date(Date.now() + 30 * 60_000);
    expect(
      (await ann.call('POST', `/callbacks/${card.id}/outcome`, { action: 'no-answer' })).status,
    ).toBe(400);
    expect(
      await ann.ok('POST', `/callbacks/${card.id}/outcome`, {
        action: 'no-answer',
        retryAt: retryAt.toISOString(),
      }),
    ).toMatchObject({ attempts: 1, lastAction: 'no-answer', dueAt: retryAt.toISOString() });

    // The second call reaches her, within her window.
    expect(
      await ann.ok('POST', `/callbacks/${card.id}/outcome`, { action: 'called' }),
    ).toMatchObject({ attempts: 2, lastAction: 'called', doneBy: 'ann', onTime: true });
    const again = await ann.call<{ message: string }>('POST', `/callbacks/${card.id}/outcome`, {
      action: 'other-channel',
    });
    expect(again.status).toBe(409);
    expect((await ann.ok<Callback[]>('GET', '/callbacks')).map((c) => c.id)).not.toContain(card.id);
    expect((await ann.ok<Callback[]>('GET', '/callbacks?status=done')).map((c) => c.id)).toContain(
      card.id,
    );

    const attempts = await waitFor(() => {
      const events = eventsOf(routed.ticketId).filter(
        (event) => event.details.case === 'callbackAttempted',
      );
      return events.length === 2 && events;
    });
    expect(attempts.map((event) => [event.actor?.id, event.details.value])).toEqual([
      ['ann', expect.objectContaining({ outcome: CallbackOutcome.NO_ANSWER, attempts: 1 })],
      [
        'ann',
        expect.objectContaining({ outcome: CallbackOutcome.CALLED, attempts: 2, onTime: true }),
      ],
    ]);

    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const kpis = await sam.ok<{ groups: Array<{ key: string; summary: Record<string, number> }> }>(
      'GET',
      `/kpis?by=channel&from=${from}&to=${to}`,
    );
    expect(kpis.groups.find((group) => group.key === 'webform')?.summary).toMatchObject({
      callbacks: 1,
      callbacksCompleted: 1,
      callbacksOnTime: 1,
      callbackAttempts: 2,
    });
  }, 30_000);
});
