import { Channel, Priority } from '@firstline/contracts';
import {
  computeDueTimes,
  findSlaPolicy,
  slaPolicyProblem,
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
