import { Channel, IdentityKind, Priority } from '@firstline/contracts';
import { ALWAYS_OPEN_CALENDAR, type BusinessCalendar } from '@firstline/routing';
import { derivedOutboundId } from '../src/api/outbound';
import { overflowProblem } from '../src/directory/team-overflow';
import { withSlaClock } from '../src/tickets/sla-clock';
import { withDueTimes, type Ticket } from '../src/tickets/ticket';

const created = new Date('2026-03-02T08:00:00Z'); // a Monday

const ticket = (overrides: Partial<Ticket> = {}): Ticket => ({
  ...withDueTimes({
    id: 't-1',
    customerId: 'c-1',
    conversationKey: 'email:c-1',
    channel: Channel.EMAIL,
    recipient: { kind: IdentityKind.EMAIL, value: 'c@example.com', displayName: '' },
    subject: 'Invoice',
    status: 'open',
    priority: Priority.NORMAL,
    teamId: 'first-line',
    assigneeId: 'ann',
    skillIds: ['general'],
    tags: [],
    language: 'en',
    previousTicketId: null,
    slaPolicyId: 'default-normal',
    firstResponseDueAt: new Date('2026-03-02T12:00:00Z'),
    resolutionDueAt: new Date('2026-03-04T12:00:00Z'),
    firstResponseBreached: false,
    pendingSince: null,
    firstRespondedAt: null,
    resolvedAt: null,
    reopenCount: 0,
    createdAt: created,
    ...overrides,
  }),
  number: '10001',
  closedAt: null,
  csatScore: null,
  csatComment: null,
});

describe('the SLA clock while pending', () => {
  /** Mon–Fri 9–17 UTC. */
  const office: BusinessCalendar = {
    timeZone: 'UTC',
    weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({
      weekday,
      openMinute: 540,
      closeMinute: 1020,
    })),
    holidays: [],
    specialWorkingDays: [],
  };
  const answered = ticket({ firstRespondedAt: new Date('2026-03-02T09:30:00Z') });

  it('stands still while pending: no due time to sort or colour by', () => {
    const at = new Date('2026-03-02T10:00:00Z');
    const pending = withSlaClock(answered, { ...answered, status: 'pending' }, at, office);
    expect(pending).toMatchObject({ pendingSince: at, dueAt: null, yellowAt: null });
  });

  it('moves the resolution due time by the working time spent pending', () => {
    // Pending from Monday 16:00 to Tuesday 10:00: two working hours (16–17, 9–10).
    const pending = {
      ...answered,
      status: 'pending' as const,
      pendingSince: new Date('2026-03-02T16:00:00Z'),
    };
    const resumed = withSlaClock(
      pending,
      { ...pending, status: 'open' },
      new Date('2026-03-03T10:00:00Z'),
      office,
    );
    expect(resumed).toMatchObject({
      pendingSince: null,
      resolutionDueAt: new Date('2026-03-04T14:00:00Z'),
      dueAt: new Date('2026-03-04T14:00:00Z'),
    });
  });

  it('counts around the clock for a team without a calendar', () => {
    const pending = {
      ...answered,
      status: 'pending' as const,
      pendingSince: new Date('2026-03-02T16:00:00Z'),
    };
    const resolved = withSlaClock(
      pending,
      { ...pending, status: 'resolved' },
      new Date('2026-03-03T10:00:00Z'),
      ALWAYS_OPEN_CALENDAR,
    );
    expect(resolved.resolutionDueAt).toEqual(new Date('2026-03-05T06:00:00Z'));
  });
});

describe('team overflow settings', () => {
  it.each([
    [{ id: 'a', overflowTeamId: '', overflowAfterSeconds: 0 }, true, undefined],
    [{ id: 'a', overflowTeamId: 'b', overflowAfterSeconds: 900 }, true, undefined],
    [
      { id: 'a', overflowTeamId: 'a', overflowAfterSeconds: 900 },
      true,
      'cannot overflow to itself',
    ],
    [{ id: 'a', overflowTeamId: 'x', overflowAfterSeconds: 900 }, false, 'no team x'],
    [{ id: 'a', overflowTeamId: '', overflowAfterSeconds: 900 }, true, 'set overflowTeamId too'],
  ])('%j (overflow team exists: %s) → %s', (team, exists, problem) => {
    const found = overflowProblem(team, exists);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('outbound ids of automatic replies', () => {
  it('are UUID-shaped and the same for the same decision', () => {
    expect(derivedOutboundId('decision-1')).toBe(derivedOutboundId('decision-1'));
    expect(derivedOutboundId('decision-1')).not.toBe(derivedOutboundId('decision-2'));
    expect(derivedOutboundId('decision-1')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });
});
