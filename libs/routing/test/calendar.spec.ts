import {
  ALWAYS_OPEN_CALENDAR,
  addBusinessTime,
  calendarProblem,
  isOpen,
  nextOpen,
  utcToLocal,
  type BusinessCalendar,
} from '../src';

const weekdays = (openMinute: number, closeMinute: number) =>
  [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute, closeMinute }));

/** Moscow office, no DST: Mon–Fri 9–18; 9 March a holiday; Saturday 14 March worked 10–15. */
const moscow: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: weekdays(540, 1080),
  holidays: [{ date: '2026-03-09' }],
  specialWorkingDays: [{ date: '2026-03-14', openMinute: 600, closeMinute: 900 }],
};

/** Berlin office, with DST (2026: from 29 March, until 25 October): Mon–Fri 9–17. */
const berlin: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  weeklyHours: weekdays(540, 1020),
  holidays: [],
  specialWorkingDays: [],
};

/** Berlin night desk, every night 22:00–06:00; closed the night that starts on 24 December. */
const berlinNights: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday,
    openMinute: 1320,
    closeMinute: 1800,
  })),
  holidays: [{ date: '2026-12-24' }],
  specialWorkingDays: [],
};

/** Moscow weekend shift: only the night from Friday 22:00 to Saturday 06:00. */
const moscowFridayNight: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [{ weekday: 5, openMinute: 1320, closeMinute: 1800 }],
  holidays: [],
  specialWorkingDays: [],
};

/** A Friday night shift overlapped by a Saturday early shift from 05:00 to 09:00. */
const overlappingShifts: BusinessCalendar = {
  ...moscowFridayNight,
  weeklyHours: [
    ...moscowFridayNight.weeklyHours,
    { weekday: 6, openMinute: 300, closeMinute: 540 },
  ],
};

const calendars = { moscow, berlin, berlinNights, moscowFridayNight, overlappingShifts };

describe('isOpen', () => {
  it.each([
    ['moscow', 'Monday 9:00 sharp', '2026-03-02T09:00:00+03:00', true],
    ['moscow', 'Monday 8:59', '2026-03-02T08:59:00+03:00', false],
    ['moscow', 'Monday 18:00, closing time', '2026-03-02T18:00:00+03:00', false],
    ['moscow', 'Saturday noon', '2026-03-07T12:00:00+03:00', false],
    ['moscow', 'a holiday Monday at noon', '2026-03-09T12:00:00+03:00', false],
    ['moscow', 'a Saturday made a working day, 11:00', '2026-03-14T11:00:00+03:00', true],
    ['moscow', 'that Saturday at 15:30, after its short day', '2026-03-14T15:30:00+03:00', false],
    ['berlin', 'Monday 9:00 just after DST began', '2026-03-30T09:00:00+02:00', true],
    ['berlin', 'Monday 8:30 summer time (7:30 winter time)', '2026-03-30T08:30:00+02:00', false],
    ['berlin', 'Monday 16:30 in winter time', '2026-10-26T16:30:00+01:00', true],
    ['berlinNights', 'the night DST begins, 03:30 summer time', '2026-03-29T03:30:00+02:00', true],
    ['berlinNights', 'the night DST ends, 02:30 winter time', '2026-10-25T02:30:00+01:00', true],
    ['berlinNights', 'noon', '2026-03-30T12:00:00+02:00', false],
    ['berlinNights', 'Christmas Eve 23:00, a holiday night', '2026-12-24T23:00:00+01:00', false],
    ['berlinNights', '03:00 after a holiday night', '2026-12-25T03:00:00+01:00', false],
    ['berlinNights', 'Christmas Eve 03:00, the night before', '2026-12-24T03:00:00+01:00', true],
    ['moscowFridayNight', 'Saturday 03:00, a Friday shift', '2026-03-07T03:00:00+03:00', true],
    ['moscowFridayNight', 'Friday 21:59', '2026-03-06T21:59:00+03:00', false],
  ] as const)('%s: %s', (calendar, _case, at, open) => {
    expect(isOpen(calendars[calendar], new Date(at))).toBe(open);
  });

  it('is always open on the around-the-clock calendar', () => {
    expect(isOpen(ALWAYS_OPEN_CALENDAR, new Date('2026-01-01T03:00:00Z'))).toBe(true);
  });
});

describe('nextOpen', () => {
  it.each([
    [
      'moscow',
      'while open: the moment itself',
      '2026-03-02T10:15:00+03:00',
      '2026-03-02T10:15:00+03:00',
    ],
    ['moscow', 'Monday before opening', '2026-03-02T07:00:00+03:00', '2026-03-02T09:00:00+03:00'],
    [
      'moscow',
      'Friday evening, over the weekend and a holiday Monday',
      '2026-03-06T19:00:00+03:00',
      '2026-03-10T09:00:00+03:00',
    ],
    [
      'moscow',
      'Friday evening before a worked Saturday',
      '2026-03-13T19:00:00+03:00',
      '2026-03-14T10:00:00+03:00',
    ],
    [
      'berlin',
      'Friday evening before DST begins',
      '2026-03-27T18:00:00+01:00',
      '2026-03-30T09:00:00+02:00',
    ],
    [
      'berlin',
      'Friday evening before DST ends',
      '2026-10-23T18:00:00+02:00',
      '2026-10-26T09:00:00+01:00',
    ],
    [
      'moscowFridayNight',
      'Saturday 07:00: next Friday 22:00',
      '2026-03-07T07:00:00+03:00',
      '2026-03-13T22:00:00+03:00',
    ],
  ] as const)('%s: %s', (calendar, _case, at, expected) => {
    expect(nextOpen(calendars[calendar], new Date(at))).toEqual(new Date(expected));
  });

  it('is undefined for a calendar without working hours', () => {
    const closed = { ...moscow, weeklyHours: [], specialWorkingDays: [] };
    expect(nextOpen(closed, new Date('2026-03-02T10:00:00Z'))).toBeUndefined();
  });
});

describe('addBusinessTime', () => {
  it.each([
    ['moscow', 'within the day', '2026-03-02T10:00:00+03:00', 90, '2026-03-02T11:30:00+03:00'],
    [
      'moscow',
      '12 working hours from Monday 17:00 end Wednesday 11:00',
      '2026-03-02T17:00:00+03:00',
      720,
      '2026-03-04T11:00:00+03:00',
    ],
    [
      'moscow',
      'started at night, the clock starts at opening',
      '2026-03-02T03:00:00+03:00',
      60,
      '2026-03-02T10:00:00+03:00',
    ],
    ['moscow', 'over a holiday', '2026-03-06T17:00:00+03:00', 120, '2026-03-10T10:00:00+03:00'],
    [
      'moscow',
      'through a worked Saturday',
      '2026-03-13T17:00:00+03:00',
      720,
      '2026-03-16T15:00:00+03:00',
    ],
    [
      'moscow',
      'ending exactly at closing time',
      '2026-03-02T17:00:00+03:00',
      60,
      '2026-03-02T18:00:00+03:00',
    ],
    [
      'berlin',
      'over the weekend DST begins',
      '2026-03-27T16:00:00+01:00',
      120,
      '2026-03-30T10:00:00+02:00',
    ],
    [
      'berlin',
      'over the weekend DST ends',
      '2026-10-23T16:00:00+02:00',
      120,
      '2026-10-26T10:00:00+01:00',
    ],
    [
      'berlinNights',
      'the short night DST begins has 7 hours',
      '2026-03-28T22:00:00+01:00',
      420,
      '2026-03-29T06:00:00+02:00',
    ],
    [
      'berlinNights',
      'a minute past the short night',
      '2026-03-28T22:00:00+01:00',
      421,
      '2026-03-29T22:01:00+02:00',
    ],
    [
      'berlinNights',
      'the long night DST ends has 9 hours',
      '2026-10-24T22:00:00+02:00',
      540,
      '2026-10-25T06:00:00+01:00',
    ],
    [
      'moscowFridayNight',
      'across midnight in a night shift',
      '2026-03-06T23:00:00+03:00',
      120,
      '2026-03-07T01:00:00+03:00',
    ],
    [
      'moscowFridayNight',
      'past the shift to the next week',
      '2026-03-07T05:00:00+03:00',
      120,
      '2026-03-13T23:00:00+03:00',
    ],
  ] as const)('%s: %s', (calendar, _case, start, minutes, expected) => {
    expect(addBusinessTime(calendars[calendar], new Date(start), minutes)).toEqual(
      new Date(expected),
    );
  });

  it('counts the overlap of two shifts once', () => {
    const start = new Date('2026-03-06T22:00:00+03:00');
    expect(addBusinessTime(overlappingShifts, start, 600)).toEqual(
      new Date('2026-03-07T08:00:00+03:00'),
    );
  });

  it('counts wall-clock time on the around-the-clock calendar', () => {
    const start = new Date('2026-03-28T23:00:00Z');
    expect(addBusinessTime(ALWAYS_OPEN_CALENDAR, start, 180)).toEqual(
      new Date('2026-03-29T02:00:00Z'),
    );
  });

  it('refuses a calendar without working hours, naming it', () => {
    const closed = { ...berlin, weeklyHours: [] };
    expect(() => addBusinessTime(closed, new Date(), 60)).toThrow(
      'calendar in Europe/Berlin has no working hours within 400 days',
    );
  });

  it('refuses an unknown time zone, naming it', () => {
    expect(() => addBusinessTime({ ...berlin, timeZone: 'Mars/Olympus' }, new Date(), 1)).toThrow(
      'unknown time zone "Mars/Olympus"',
    );
  });
});

describe('utcToLocal', () => {
  const local = (timeZone: string, iso: string) =>
    new Date(utcToLocal(timeZone, Date.parse(iso))).toISOString();

  it.each([
    // Paris left its own mean time (+0:09:21) at 23:50:39 UTC, inside a quarter hour.
    ['Europe/Paris', '1911-03-10T23:45:00.000Z', '1911-03-10T23:54:21.000Z'],
    ['Europe/Paris', '1911-03-10T23:50:38.999Z', '1911-03-10T23:59:59.999Z'],
    ['Europe/Paris', '1911-03-10T23:50:39.000Z', '1911-03-10T23:50:39.000Z'],
    ['Europe/Paris', '1911-03-10T23:44:59.000Z', '1911-03-10T23:54:20.000Z'],
    ['Europe/Paris', '1911-03-10T23:59:59.000Z', '1911-03-10T23:59:59.000Z'],
    // Berlin's clocks go from 02:00 to 03:00 on 29 March 2026 and back on 25 October.
    ['Europe/Berlin', '2026-03-29T00:59:59.500Z', '2026-03-29T01:59:59.500Z'],
    ['Europe/Berlin', '2026-03-29T01:00:00.000Z', '2026-03-29T03:00:00.000Z'],
    ['Europe/Berlin', '2026-10-25T00:59:59.000Z', '2026-10-25T02:59:59.000Z'],
    ['Europe/Berlin', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z'],
    ['Europe/Moscow', '2026-03-29T01:00:00.000Z', '2026-03-29T04:00:00.000Z'],
  ])('%s at %s is %s on the wall clock, asked in any order', (timeZone, utc, wall) => {
    expect(local(timeZone, utc)).toBe(wall);
    expect(local(timeZone, utc)).toBe(wall);
  });
});

describe('calendarProblem', () => {
  it.each([
    ['the around-the-clock calendar', ALWAYS_OPEN_CALENDAR, undefined],
    ['a night shift into the next day', berlinNights, undefined],
    ['office hours with a holiday and a special day', moscow, undefined],
    ['an unknown time zone', { ...berlin, timeZone: 'Mars/Olympus' }, 'unknown time zone'],
    ['no time zone', { ...berlin, timeZone: '' }, 'unknown time zone'],
    [
      'a weekday outside the week',
      { ...berlin, weeklyHours: [{ weekday: 0, openMinute: 540, closeMinute: 1020 }] },
      'weekly hours 1: weekday must be 1 (Monday) to 7 (Sunday), got 0',
    ],
    [
      'an empty stretch',
      { ...berlin, weeklyHours: [{ weekday: 1, openMinute: 540, closeMinute: 540 }] },
      'weekly hours 1: closeMinute must be after openMinute (540)',
    ],
    [
      'a stretch longer than a day',
      { ...berlin, weeklyHours: [{ weekday: 1, openMinute: 540, closeMinute: 2000 }] },
      'at most a day later, got 2000',
    ],
    [
      'a stretch opening on the next day',
      { ...berlin, weeklyHours: [{ weekday: 1, openMinute: 1440, closeMinute: 1500 }] },
      'openMinute must be 0 to 1439, got 1440',
    ],
    ['a holiday on 30 February', { ...berlin, holidays: [{ date: '2026-02-30' }] }, 'holiday 1'],
    [
      'a special day without a date',
      { ...berlin, specialWorkingDays: [{ date: '', openMinute: 600, closeMinute: 900 }] },
      'special working day 1: date must be YYYY-MM-DD, got ""',
    ],
  ])('%s', (_what, calendar, problem) => {
    if (problem === undefined) expect(calendarProblem(calendar)).toBeUndefined();
    else expect(calendarProblem(calendar)).toContain(problem);
  });
});
