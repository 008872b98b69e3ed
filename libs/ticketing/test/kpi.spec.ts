import {
  DEFAULT_KPI_TARGETS,
  isoWeek,
  kpiZone,
  kpiZones,
  summarise,
  summariseBy,
  type KpiTicket,
} from '../src';

const MIN = 60 * 1000;
const t0 = new Date('2026-11-02T09:00:00Z'); // a Monday
const at = (minutes: number) => new Date(t0.getTime() + minutes * MIN);
const now = at(600);

/** Four tickets whose KPIs are easy to compute by hand. */
const tickets: KpiTicket[] = [
  {
    channel: 'email',
    teamId: 'billing',
    agentId: 'ann',
    status: 'closed',
    createdAt: at(0),
    firstRespondedAt: at(10),
    resolvedAt: at(100),
    reopenCount: 0,
    firstResponseDueAt: at(30),
    resolutionDueAt: at(240),
    promisedAnswerAt: at(20),
    csatScore: 5,
  },
  {
    channel: 'email',
    teamId: 'billing',
    agentId: 'ann',
    status: 'resolved',
    createdAt: at(0),
    firstRespondedAt: at(50),
    resolvedAt: at(300),
    reopenCount: 1,
    firstResponseDueAt: at(30),
    resolutionDueAt: at(240),
    promisedAnswerAt: at(40),
    csatScore: 2,
  },
  {
    channel: 'telegram',
    teamId: 'technical',
    agentId: 'boris',
    status: 'open',
    createdAt: at(0),
    firstRespondedAt: at(30),
    reopenCount: 0,
    firstResponseDueAt: at(30),
    resolutionDueAt: at(1000),
    promisedAnswerAt: at(30),
  },
  {
    channel: 'telegram',
    teamId: 'technical',
    status: 'new',
    createdAt: at(500),
    reopenCount: 0,
    firstResponseDueAt: at(530),
    resolutionDueAt: at(2000),
    promisedAnswerAt: at(520),
    // Asked to be called by minute 600: reached at 560 on the second call; a second request
    // still open after one unanswered call.
    callbacks: [
      { windowEndsAt: at(600), doneAt: at(560), attempts: 2 },
      { windowEndsAt: at(620), doneAt: null, attempts: 1 },
    ],
  },
  {
    channel: 'telegram',
    teamId: 'technical',
    status: 'open',
    createdAt: at(100),
    reopenCount: 0,
    // Reached only after the window closed.
    callbacks: [{ windowEndsAt: at(200), doneAt: at(230), attempts: 3 }],
  },
];

describe('KPIs', () => {
  it('are computed over every ticket as by hand', () => {
    expect(summarise(tickets, now)).toEqual({
      tickets: 5,
      firstResponseMs: ((10 + 50 + 30) / 3) * MIN,
      resolutionMs: ((100 + 300) / 2) * MIN,
      reopenRate: 1 / 2,
      csatAverage: 3.5,
      csatSatisfiedShare: 1 / 2,
      csatResponses: 2,
      // measured: t1 first ✓ resolution ✓, t2 first ✗ resolution ✗, t3 first ✓ (at its due
      // time), t4 first ✗ (unanswered past 530); t3's and t4's resolutions are not yet due.
      slaCompliance: 3 / 6,
      // promised: t1 kept (10 ≤ 20), t2 broken (50 > 40), t3 kept (at 30 exactly), t4 broken
      // (unanswered past 520); t5 was promised nothing.
      answerPromises: 4,
      answerPromisesKept: 2 / 4,
      backlog: 3,
      callbacks: 3,
      callbacksCompleted: 2,
      callbacksOnTime: 1,
      callbackAttempts: 6,
    });
  });

  it('leave a target out until it is met or past due', () => {
    expect(summarise([tickets[3]], at(520)).slaCompliance).toBeNull();
    expect(summarise([tickets[3]], at(531)).slaCompliance).toBe(0);
  });

  it('count a promised answer time once it is answered or past, per team and channel', () => {
    expect(summarise([tickets[3]], at(519))).toMatchObject({
      answerPromises: 0,
      answerPromisesKept: null,
    });
    const byTeam = summariseBy(tickets, 'team', now).map(({ key, summary }) => [
      key,
      summary.answerPromises,
      summary.answerPromisesKept,
    ]);
    expect(byTeam).toEqual([
      ['billing', 2, 1 / 2],
      ['technical', 2, 1 / 2],
    ]);
    const telegram = summariseBy(tickets, 'channel', at(510)).find(({ key }) => key === 'telegram');
    expect(telegram?.summary).toMatchObject({ answerPromises: 1, answerPromisesKept: 1 });
  });

  it('are empty, not zero, when nothing was measured', () => {
    expect(summarise([], now)).toMatchObject({
      tickets: 0,
      firstResponseMs: null,
      reopenRate: null,
      csatAverage: null,
      slaCompliance: null,
      backlog: 0,
    });
  });

  it.each`
    dimension    | keys
    ${'channel'} | ${['email', 'telegram']}
    ${'team'}    | ${['billing', 'technical']}
    ${'agent'}   | ${['', 'ann', 'boris']}
    ${'day'}     | ${['2026-11-02']}
    ${'week'}    | ${['2026-W45']}
  `('are grouped by $dimension', ({ dimension, keys }) => {
    expect(summariseBy(tickets, dimension, now).map((group) => group.key)).toEqual(keys);
  });

  it('per team equal the team-only computation', () => {
    const billing = summariseBy(tickets, 'team', now).find((group) => group.key === 'billing');
    expect(billing?.summary).toEqual(summarise(tickets.slice(0, 2), now));
  });

  it.each`
    date                      | week
    ${'2026-01-01T00:00:00Z'} | ${'2026-W01'}
    ${'2027-01-01T00:00:00Z'} | ${'2026-W53'}
    ${'2024-12-30T00:00:00Z'} | ${'2025-W01'}
  `('$date is in ISO week $week', ({ date, week }) => {
    expect(isoWeek(new Date(date))).toBe(week);
  });
});

describe('kpiZones', () => {
  const summary = {
    tickets: 10,
    firstResponseMs: 30 * MIN,
    resolutionMs: 72 * 60 * MIN,
    reopenRate: 0.05,
    csatAverage: 4.2,
    csatSatisfiedShare: null,
    csatResponses: 0,
    slaCompliance: 0.99,
    answerPromises: 0,
    answerPromisesKept: null,
    backlog: 3,
    callbacks: 0,
    callbacksCompleted: 0,
    callbacksOnTime: 0,
    callbackAttempts: 0,
  };

  it('colours each KPI by its target, in the direction that is better for it', () => {
    expect(kpiZones(summary, DEFAULT_KPI_TARGETS)).toEqual({
      firstResponseMs: 'green',
      resolutionMs: 'yellow', // exactly at the yellow bound
      reopenRate: 'green', // exactly at the green bound
      csatAverage: 'yellow',
      slaCompliance: 'green',
      backlog: 'green',
    });
  });

  it('follows targets a lead configured, and leaves KPIs without one uncoloured', () => {
    expect(kpiZones(summary, { backlog: { green: 1, yellow: 2, higherIsBetter: false } })).toEqual({
      backlog: 'red',
    });
  });
});

describe('KPI zones', () => {
  const csat = { green: 4.5, yellow: 4, higherIsBetter: true };
  const firstResponseMinutes = { green: 30, yellow: 60, higherIsBetter: false };
  it.each`
    value  | thresholds              | zone
    ${4.6} | ${csat}                 | ${'green'}
    ${4.5} | ${csat}                 | ${'green'}
    ${4.2} | ${csat}                 | ${'yellow'}
    ${3.9} | ${csat}                 | ${'red'}
    ${20}  | ${firstResponseMinutes} | ${'green'}
    ${45}  | ${firstResponseMinutes} | ${'yellow'}
    ${61}  | ${firstResponseMinutes} | ${'red'}
  `('$value is $zone', ({ value, thresholds, zone }) => {
    expect(kpiZone(value, thresholds)).toBe(zone);
  });
});
