import type { BusinessCalendar } from '@firstline/routing';
import { planStaffing, type StaffingHour, type StaffingPlanInput } from '../src';

/** A wall-clock time in Moscow (UTC+3 all year), where the team works. */
const moscow = (local: string) => new Date(`${local}:00+03:00`);

const weekdays9to18: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute: 540, closeMinute: 1080 })),
  holidays: [],
  specialWorkingDays: [],
};

const telegram = (local: string, handlingSeconds?: number) => ({
  channel: 'telegram',
  at: moscow(local),
  handlingSeconds,
});

/**
 * The scripted week, Monday 2 to Sunday 8 March 2026 in Moscow. Telegram's SLA answers within a
 * minute, email's within 12 hours; 80 % are to be answered within the target.
 */
const scriptedWeek: StaffingPlanInput = {
  calendar: weekdays9to18,
  until: moscow('2026-03-09T00:00'),
  weeks: 1,
  arrivals: [
    telegram('2026-03-01T23:30', 60), // Sunday before the window: not counted
    telegram('2026-03-02T10:00', 300),
    telegram('2026-03-02T10:10', 600),
    telegram('2026-03-02T10:20', 900),
    telegram('2026-03-02T10:30', 300),
    telegram('2026-03-02T10:40', 600),
    telegram('2026-03-02T10:59', 900),
    { channel: 'email', at: moscow('2026-03-02T14:15'), handlingSeconds: 1800 },
    { channel: 'email', at: moscow('2026-03-02T14:45') }, // not answered yet
    telegram('2026-03-07T12:05'), // Saturday, the calendar is closed, not answered yet
    telegram('2026-03-07T12:50'),
  ],
  presence: [
    { agentId: 'anna', at: moscow('2026-03-02T09:00'), online: true },
    { agentId: 'anna', at: moscow('2026-03-02T11:00'), online: false },
    { agentId: 'boris', at: moscow('2026-03-02T10:30'), online: true },
    { agentId: 'boris', at: moscow('2026-03-02T12:00'), online: false },
    // Online since before the window: counts from its start, Monday 0:00.
    { agentId: 'clara', at: moscow('2026-02-28T12:00'), online: true },
    { agentId: 'clara', at: moscow('2026-03-02T09:30'), online: false },
  ],
  targetSecondsOf: (channel) => (channel === 'email' ? 12 * 3600 : 60),
  serviceLevel: 0.8,
};

const hourOf = (hours: StaffingHour[], weekday: number, hour: number) =>
  hours.find((h) => h.weekday === weekday && h.hour === hour)!;

describe('the staffing plan of a scripted week, against figures computed by hand', () => {
  const plan = planStaffing(scriptedWeek);

  it('covers the week before `until` in the team time zone, 168 hours from Monday 0:00', () => {
    expect(plan.from).toEqual(moscow('2026-03-02T00:00'));
    expect(plan.timeZone).toBe('Europe/Moscow');
    expect(plan.hours).toHaveLength(168);
    expect(plan.hours[0]).toMatchObject({ weekday: 1, hour: 0 });
    expect(plan.hours[167]).toMatchObject({ weekday: 7, hour: 23 });
  });

  it('takes handling times and SLA targets per channel', () => {
    // Telegram: 8 arrivals, 6 answered, (300 + 600 + 900) × 2 / 6 = 600 s.
    // Email: 2 arrivals, 1 answered in 1800 s.
    expect(plan.channels).toEqual([
      { channel: 'email', arrivals: 2, handlingSeconds: 1800, targetSeconds: 43_200 },
      { channel: 'telegram', arrivals: 8, handlingSeconds: 600, targetSeconds: 60 },
    ]);
  });

  it('Monday 10:00: 6 telegrams of 600 s are 1 Erlang, which needs 3 agents; 1.5 were online', () => {
    // 2 agents: P(wait) = 2·1² / (2! (2 − 1)) / (1 + 1 + 2) = 1/3; service level within 60 s
    // = 1 − 1/3 · e^(−(2 − 1)·60/600) = 0.698 < 0.8. 3 agents: P(wait) = 1/11; 1 − 1/11 ·
    // e^(−2·0.1) = 0.926 ≥ 0.8. Online: Anna all hour, Boris from 10:30: 1 + 0.5.
    expect(hourOf(plan.hours, 1, 10)).toEqual({
      weekday: 1,
      hour: 10,
      arrivals: 6,
      arrivalsByChannel: { telegram: 6 },
      agentsNeeded: 3,
      agentsOnline: 1.5,
      openShare: 1,
      flags: ['understaffed'],
    });
  });

  it('Monday 14:00: 2 emails of 1800 s are 1 Erlang, 2 agents within 12 hours; nobody online', () => {
    // 1 agent never catches up with 1 Erlang; 2 agents answer 1 − 1/3 · e^(−43200/1800) ≈ 100 %.
    expect(hourOf(plan.hours, 1, 14)).toMatchObject({
      arrivals: 2,
      agentsNeeded: 2,
      agentsOnline: 0,
      flags: ['understaffed'],
    });
  });

  it('hours with agents online and no traffic are overstaffed', () => {
    // Clara from 0:00 until 9:30, Anna from 9:00: 1 agent an hour, 1.5 from 9 to 10.
    for (let hour = 0; hour < 9; hour += 1) {
      expect(hourOf(plan.hours, 1, hour)).toMatchObject({
        agentsNeeded: 0,
        agentsOnline: 1,
        openShare: 0,
        flags: ['overstaffed'],
      });
    }
    expect(hourOf(plan.hours, 1, 9)).toMatchObject({ agentsOnline: 1.5, flags: ['overstaffed'] });
    expect(hourOf(plan.hours, 1, 11)).toMatchObject({ agentsOnline: 1, flags: ['overstaffed'] });
    expect(hourOf(plan.hours, 1, 12)).toMatchObject({ agentsOnline: 0, flags: [] });
  });

  it('Saturday noon: closed, yet 2 telegrams came; unanswered, they are planned on 600 s', () => {
    // 2 × 600 s = 1/3 Erlang. 1 agent: P(wait) = 1/3, 1 − 1/3 · e^(−(2/3)·0.1) = 0.688 < 0.8;
    // 2 agents: P(wait) = 1/21, 1 − 1/21 · e^(−(5/3)·0.1) = 0.960.
    expect(hourOf(plan.hours, 6, 12)).toEqual({
      weekday: 6,
      hour: 12,
      arrivals: 2,
      arrivalsByChannel: { telegram: 2 },
      agentsNeeded: 2,
      agentsOnline: 0,
      openShare: 0,
      flags: ['understaffed', 'closed-with-traffic'],
    });
    expect(plan.closedDaysWithTraffic).toEqual([{ date: '2026-03-07', weekday: 6, arrivals: 2 }]);
  });

  it('the calendar is open Monday to Friday from 9 to 18 and nowhere else', () => {
    const open = plan.hours.filter((h) => h.openShare > 0);
    expect(open).toHaveLength(5 * 9);
    expect(
      open.every((h) => h.weekday <= 5 && h.hour >= 9 && h.hour < 18 && h.openShare === 1),
    ).toBe(true);
  });

  it('every other hour needs nobody and has no flag', () => {
    const flagged = plan.hours.filter((h) => h.flags.length > 0).map((h) => [h.weekday, h.hour]);
    expect(flagged).toEqual([
      ...[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 14].map((hour) => [1, hour]),
      [6, 12],
    ]);
  });

  it('shrinkage turns agents answering into agents to schedule', () => {
    // 3 / (1 − 0.25) = 4; 2 / 0.75 = 2.67 → 3.
    const shrunk = planStaffing({ ...scriptedWeek, shrinkage: 0.25 });
    expect(hourOf(shrunk.hours, 1, 10).agentsNeeded).toBe(4);
    expect(hourOf(shrunk.hours, 1, 14).agentsNeeded).toBe(3);
  });

  it('over two weeks the same traffic is half an hour’s load: 3 telegrams an hour need 2 agents', () => {
    // 3 × 600 s = 0.5 Erlang. 1 agent: 1 − 0.5 · e^(−0.5·0.1) = 0.524; 2 agents: P(wait) = 0.1,
    // 1 − 0.1 · e^(−1.5·0.1) = 0.914. Anna and Boris were online 1.5 hours in two weeks.
    const twoWeeks = planStaffing({ ...scriptedWeek, weeks: 2 });
    expect(twoWeeks.from).toEqual(moscow('2026-02-23T00:00'));
    expect(hourOf(twoWeeks.hours, 1, 10)).toMatchObject({
      arrivals: 3,
      agentsNeeded: 2,
      agentsOnline: 0.75,
      openShare: 1,
    });
  });

  it('without any answered arrival no need can be computed, and none is flagged', () => {
    const unanswered = planStaffing({
      ...scriptedWeek,
      arrivals: [telegram('2026-03-03T11:00')],
      presence: [],
    });
    expect(hourOf(unanswered.hours, 2, 11)).toMatchObject({
      arrivals: 1,
      agentsNeeded: null,
      flags: [],
    });
  });

  it('refuses a window of no weeks', () => {
    expect(() => planStaffing({ ...scriptedWeek, weeks: 0 })).toThrow(/weeks/);
  });
});
