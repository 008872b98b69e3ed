import { Escalation, Priority } from '@firstline/contracts';
import { applyEscalation, applyReassignment, type RoutedTicket } from '../src';

const created = new Date('2026-03-02T08:00:00Z');

const ticket = (overrides: Partial<RoutedTicket> = {}): RoutedTicket => ({
  status: 'open',
  teamId: 'first-line',
  skillIds: ['general'],
  assigneeId: 'ann',
  priority: Priority.NORMAL,
  firstRespondedAt: null,
  firstResponseBreached: false,
  firstResponseDueAt: new Date('2026-03-02T12:00:00Z'),
  slaPolicyId: 'default-normal',
  ...overrides,
});

const escalation = {
  teamId: 'overflow',
  skillIds: ['general'],
  priority: Priority.HIGH,
  assignedAgentId: undefined,
};

describe('escalations', () => {
  it('moves an overflowing ticket to the new team and its assignee per the decision', () => {
    const outcome = applyEscalation(ticket(), { ...escalation, escalation: Escalation.OVERFLOW });
    expect(outcome.ticket).toMatchObject({ teamId: 'overflow', assigneeId: null });
    expect(outcome.events.map((event) => event.case)).toEqual(['transferred', 'assigned']);
  });

  it('raises the priority and flags a first-response breach once', () => {
    const breach = {
      ...escalation,
      teamId: 'first-line',
      escalation: Escalation.FIRST_RESPONSE_BREACHED,
    };
    const first = applyEscalation(ticket(), breach);
    expect(first.ticket).toMatchObject({ priority: Priority.HIGH, firstResponseBreached: true });
    expect(first.events.map((event) => event.case)).toEqual(['priorityChanged', 'slaBreached']);
    expect(applyEscalation(first.ticket, breach).events).toEqual([]);
  });

  it('gives an away agent’s ticket back to the queue', () => {
    const outcome = applyEscalation(ticket(), {
      ...escalation,
      teamId: 'first-line',
      escalation: Escalation.AGENT_AWAY,
    });
    expect(outcome.ticket.assigneeId).toBeNull();
    expect(outcome.events).toHaveLength(1);
  });

  it.each([
    ['resolved meanwhile', { status: 'resolved' as const }, Escalation.OVERFLOW],
    ['closed meanwhile', { status: 'closed' as const }, Escalation.AGENT_AWAY],
    ['answered meanwhile', { firstRespondedAt: created }, Escalation.FIRST_RESPONSE_BREACHED],
  ])('ignores an escalation that came too late: %s', (_case, state, kind) => {
    const before = ticket(state);
    expect(applyEscalation(before, { ...escalation, escalation: kind })).toEqual({
      ticket: before,
      events: [],
    });
  });
});

describe('reassignments (the router’s answers to claims, hand-backs and transfers)', () => {
  const cases = (outcome: ReturnType<typeof applyReassignment>) =>
    outcome.events.map((event) => event.case);
  it.each<[string, RoutedTicket, Parameters<typeof applyReassignment>[1], object, string[]]>([
    [
      'a claim gives the ticket to the agent',
      ticket({ assigneeId: null }),
      { teamId: 'first-line', skillIds: ['general'], assignedAgentId: 'ann' },
      { assigneeId: 'ann', teamId: 'first-line' },
      ['assigned'],
    ],
    [
      'a hand-back leaves it unassigned',
      ticket(),
      { teamId: 'first-line', skillIds: ['general'] },
      { assigneeId: null },
      ['assigned'],
    ],
    [
      'a transfer moves it, unassigned, with the new team’s skills',
      ticket(),
      { teamId: 'billing', skillIds: ['invoices'] },
      { teamId: 'billing', skillIds: ['invoices'], assigneeId: null },
      ['transferred', 'assigned'],
    ],
    [
      'a decision the ticket already reflects changes nothing',
      ticket(),
      { teamId: 'first-line', skillIds: ['general'], assignedAgentId: 'ann' },
      { assigneeId: 'ann', teamId: 'first-line' },
      [],
    ],
    [
      'a supervisor’s assignment gives it to the named agent',
      ticket({ assigneeId: 'bob' }),
      { teamId: 'first-line', skillIds: ['general'], assignedAgentId: 'ann' },
      { assigneeId: 'ann' },
      ['assigned'],
    ],
    [
      'a priority change raises the priority and keeps the assignee',
      ticket(),
      {
        teamId: 'first-line',
        skillIds: ['general'],
        assignedAgentId: 'ann',
        priority: Priority.URGENT,
      },
      { assigneeId: 'ann', priority: Priority.URGENT },
      ['priorityChanged'],
    ],
    [
      'a decision without a priority keeps the ticket’s',
      ticket({ priority: Priority.HIGH }),
      { teamId: 'first-line', skillIds: ['general'], assignedAgentId: 'ann' },
      { priority: Priority.HIGH },
      [],
    ],
  ])('%s', (_case, before, decision, after, events) => {
    const outcome = applyReassignment(before, decision, 'Invoice question');
    expect(outcome.ticket).toMatchObject(after);
    expect(cases(outcome)).toEqual(events);
  });

  it('gives the transfer the agent’s note as its reason', () => {
    const outcome = applyReassignment(ticket(), { teamId: 'billing', skillIds: [] }, 'Refund');
    expect(outcome.events[0].value).toMatchObject({
      fromTeamId: 'first-line',
      toTeamId: 'billing',
      reason: 'Refund',
    });
  });
});
