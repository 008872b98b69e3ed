import { Channel, Priority } from '@firstline/contracts';
import {
  ALWAYS_OPEN_CALENDAR,
  computeDueTimes,
  currentDueTimes,
  findSlaPolicy,
  resumedResolutionDueAt,
  slaOutcome,
  slaPolicyProblem,
  slaZone,
  ticketDueTimes,
  type BusinessCalendar,
  type SlaPolicy,
} from '../src';

const policy = (id: string, fields: Partial<SlaPolicy>): SlaPolicy => ({
  id,
  teamId: '',
  channel: Channel.UNSPECIFIED,
  priority: Priority.UNSPECIFIED,
  firstResponseMinutes: 30,
  resolutionMinutes: 0,
  businessTime: true,
  ...fields,
});

const directoryPolicies = [
  policy('any-urgent', { priority: Priority.URGENT }),
  policy('email-everyone', { channel: Channel.EMAIL }),
  policy('billing', { teamId: 'billing' }),
  policy('billing-telegram', { teamId: 'billing', channel: Channel.TELEGRAM }),
  policy('billing-telegram-urgent', {
    teamId: 'billing',
    channel: Channel.TELEGRAM,
    priority: Priority.URGENT,
  }),
];

describe('findSlaPolicy', () => {
  it.each([
    [
      'team × channel × priority all match',
      'billing',
      Channel.TELEGRAM,
      Priority.URGENT,
      'billing-telegram-urgent',
    ],
    ['team × channel', 'billing', Channel.TELEGRAM, Priority.NORMAL, 'billing-telegram'],
    [
      'a team match outweighs a channel match',
      'billing',
      Channel.EMAIL,
      Priority.NORMAL,
      'billing',
    ],
    [
      'a channel match outweighs a priority match',
      'sales',
      Channel.EMAIL,
      Priority.URGENT,
      'email-everyone',
    ],
    ['priority alone', 'sales', Channel.VK, Priority.URGENT, 'any-urgent'],
    [
      'none in the directory: default for messengers',
      'sales',
      Channel.VK,
      Priority.NORMAL,
      'default-vk',
    ],
  ] as const)('%s', (_case, teamId, channel, priority, expected) => {
    expect(findSlaPolicy(directoryPolicies, { teamId, channel, priority })?.id).toBe(expected);
  });

  it.each([
    [Channel.TELEGRAM, 1],
    [Channel.VK, 1],
    [Channel.OK, 1],
    [Channel.CHAT, 1],
    [Channel.WEBFORM, 60],
    [Channel.EMAIL, 720],
  ])(
    'defaults without a directory: channel %s answers within %s working minutes',
    (channel, minutes) => {
      const found = findSlaPolicy([], { teamId: 'x', channel, priority: Priority.NORMAL });
      expect(found).toMatchObject({ firstResponseMinutes: minutes, businessTime: true });
    },
  );
});

const moscow: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute: 540, closeMinute: 1080 })),
  holidays: [],
  specialWorkingDays: [],
};

describe('computeDueTimes', () => {
  it('counts an email’s 12 working hours over the weekend', () => {
    const email = findSlaPolicy([], {
      teamId: 'x',
      channel: Channel.EMAIL,
      priority: Priority.NORMAL,
    })!;
    expect(computeDueTimes(email, moscow, new Date('2026-03-06T16:00:00+03:00'))).toEqual({
      firstResponseDueAt: new Date('2026-03-10T10:00:00+03:00'),
    });
  });

  it('starts a messenger’s minute at opening time when the message comes at night', () => {
    const chat = findSlaPolicy([], {
      teamId: 'x',
      channel: Channel.TELEGRAM,
      priority: Priority.NORMAL,
    })!;
    expect(computeDueTimes(chat, moscow, new Date('2026-03-02T02:00:00+03:00'))).toEqual({
      firstResponseDueAt: new Date('2026-03-02T09:01:00+03:00'),
    });
  });

  it('runs around the clock for a policy outside business time, with a resolution target', () => {
    const urgent = policy('urgent', {
      businessTime: false,
      firstResponseMinutes: 15,
      resolutionMinutes: 240,
    });
    expect(computeDueTimes(urgent, moscow, new Date('2026-03-07T23:00:00+03:00'))).toEqual({
      firstResponseDueAt: new Date('2026-03-07T23:15:00+03:00'),
      resolutionDueAt: new Date('2026-03-08T03:00:00+03:00'),
    });
  });
});

describe('slaPolicyProblem', () => {
  it.each([
    [{ firstResponseMinutes: 60, resolutionMinutes: 0 }, undefined],
    [{ firstResponseMinutes: 60, resolutionMinutes: 60 }, undefined],
    [{ firstResponseMinutes: 1, resolutionMinutes: 2400 }, undefined],
    [{ firstResponseMinutes: 0, resolutionMinutes: 0 }, 'firstResponseMinutes must be at least 1'],
    [{ firstResponseMinutes: 240, resolutionMinutes: 60 }, 'at least firstResponseMinutes (240)'],
  ])('%j: %s', (targets, problem) => {
    if (problem === undefined) expect(slaPolicyProblem(targets)).toBeUndefined();
    else expect(slaPolicyProblem(targets)).toContain(problem);
  });
});

describe('ticketDueTimes', () => {
  const start = new Date('2026-03-07T23:00:00Z');
  const aroundTheClock = policy('urgent', {
    businessTime: false,
    firstResponseMinutes: 15,
    resolutionMinutes: 240,
  });
  const callbackEnds = new Date('2026-03-08T10:00:00Z');
  it.each<[string, SlaPolicy | undefined, Date | undefined, object]>([
    [
      'the policy’s targets',
      aroundTheClock,
      undefined,
      {
        firstResponseDueAt: new Date('2026-03-07T23:15:00Z'),
        resolutionDueAt: new Date('2026-03-08T03:00:00Z'),
      },
    ],
    [
      'a callback is first due when the window the customer chose ends',
      aroundTheClock,
      callbackEnds,
      { firstResponseDueAt: callbackEnds, resolutionDueAt: new Date('2026-03-08T03:00:00Z') },
    ],
    ['no policy, no targets', undefined, undefined, {}],
    ['no policy, but a callback', undefined, callbackEnds, { firstResponseDueAt: callbackEnds }],
  ])('%s', (_, applying, callback, due) => {
    expect(ticketDueTimes(applying, ALWAYS_OPEN_CALENDAR, start, callback)).toEqual(due);
  });
});

describe('resumedResolutionDueAt', () => {
  const due = new Date('2026-03-06T15:00:00+03:00'); // a Friday
  it.each<[string, BusinessCalendar, Date | null, string, string, Date | null]>([
    [
      'moves the due time on by the working time spent paused',
      moscow,
      due,
      '2026-03-06T10:00:00+03:00',
      '2026-03-06T12:00:00+03:00',
      new Date('2026-03-06T17:00:00+03:00'),
    ],
    [
      'past closing time the rest falls on the next working day',
      moscow,
      due,
      '2026-03-06T13:00:00+03:00',
      '2026-03-06T17:00:00+03:00',
      new Date('2026-03-09T10:00:00+03:00'),
    ],
    [
      'a pause over the weekend costs nothing',
      moscow,
      due,
      '2026-03-07T10:00:00+03:00',
      '2026-03-08T18:00:00+03:00',
      due,
    ],
    [
      'no resolution target stays none',
      moscow,
      null,
      '2026-03-06T10:00:00+03:00',
      '2026-03-06T12:00:00+03:00',
      null,
    ],
  ])('%s', (_, calendar, before, pausedAt, resumedAt, after) => {
    expect(
      resumedResolutionDueAt(calendar, before, new Date(pausedAt), new Date(resumedAt)),
    ).toEqual(after);
  });
});

describe('currentDueTimes and slaZone', () => {
  const createdAt = new Date('2026-11-02T09:00:00Z');
  const firstResponseDueAt = new Date('2026-11-02T13:00:00Z'); // four hours
  const resolutionDueAt = new Date('2026-11-03T09:00:00Z');
  const open = {
    createdAt,
    firstResponseDueAt,
    resolutionDueAt,
    firstRespondedAt: null,
    pausedSince: null,
  };
  it.each<[string, Parameters<typeof currentDueTimes>[0], object]>([
    [
      'the first response until answered, yellow at three quarters of the time',
      open,
      { dueAt: firstResponseDueAt, yellowAt: new Date('2026-11-02T12:00:00Z') },
    ],
    [
      'the resolution once answered',
      { ...open, firstRespondedAt: new Date('2026-11-02T10:00:00Z') },
      { dueAt: resolutionDueAt, yellowAt: new Date('2026-11-03T03:00:00Z') },
    ],
    [
      'nothing while paused',
      { ...open, pausedSince: new Date('2026-11-02T10:00:00Z') },
      { dueAt: null, yellowAt: null },
    ],
    [
      'the resolution when there is no first-response target',
      { ...open, firstResponseDueAt: null },
      { dueAt: resolutionDueAt, yellowAt: new Date('2026-11-03T03:00:00Z') },
    ],
  ])('%s', (_, ticket, times) => {
    expect(currentDueTimes(ticket)).toEqual(times);
  });

  const times = currentDueTimes(open);
  it.each`
    now           | zone
    ${'09:00:00'} | ${'green'}
    ${'11:59:59'} | ${'green'}
    ${'12:00:00'} | ${'yellow'}
    ${'12:59:59'} | ${'yellow'}
    ${'13:00:00'} | ${'red'}
    ${'18:00:00'} | ${'red'}
  `('a ticket due at 13:00 is $zone at $now', ({ now, zone }) => {
    expect(slaZone(times, new Date(`2026-11-02T${now}Z`))).toBe(zone);
  });

  it('keeps a ticket without a due time green', () => {
    expect(slaZone({ dueAt: null, yellowAt: null }, new Date('2030-01-01T00:00:00Z'))).toBe(
      'green',
    );
  });
});

describe('slaOutcome', () => {
  const due = new Date('2026-11-02T13:00:00Z');
  const at = (time: string) => new Date(`2026-11-02T${time}Z`);
  it.each<[string, Date | undefined, Date | undefined, Date, string]>([
    ['done by the due time: met', due, at('12:00:00'), at('14:00:00'), 'met'],
    ['done at the due time: met', due, due, at('14:00:00'), 'met'],
    ['done after: missed', due, at('13:00:01'), at('14:00:00'), 'missed'],
    ['not done and past due: missed', due, undefined, at('13:00:01'), 'missed'],
    ['not done, not due yet: pending', due, undefined, at('12:00:00'), 'pending'],
    ['no target: pending', undefined, at('12:00:00'), at('14:00:00'), 'pending'],
  ])('%s', (_, dueAt, doneAt, now, outcome) => {
    expect(slaOutcome(dueAt, doneAt, now)).toBe(outcome);
  });
});
