import { addBusinessTime, businessDurationMs, type BusinessCalendar } from '../src';

const HOUR = 3_600_000;
const MINUTE = 60_000;

const weekdays = (openMinute: number, closeMinute: number) =>
  [1, 2, 3, 4, 5].map((weekday) => ({ weekday, openMinute, closeMinute }));

/** Moscow office, no DST: Mon–Fri 9–18; 9 March a holiday; Saturday 14 March worked 10–15. */
const moscow: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: weekdays(540, 1080),
  holidays: [{ date: '2026-03-09' }],
  specialWorkingDays: [{ date: '2026-03-14', openMinute: 600, closeMinute: 900 }],
};

/** Berlin night desk, every night 22:00–06:00 (DST 2026: 29 March to 25 October). */
const berlinNights: BusinessCalendar = {
  timeZone: 'Europe/Berlin',
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday,
    openMinute: 1320,
    closeMinute: 1800,
  })),
  holidays: [],
  specialWorkingDays: [],
};

/** A Friday night shift 22:00–06:00 overlapped by a Saturday early shift 05:00–09:00. */
const overlappingShifts: BusinessCalendar = {
  timeZone: 'Europe/Moscow',
  weeklyHours: [
    { weekday: 5, openMinute: 1320, closeMinute: 1800 },
    { weekday: 6, openMinute: 300, closeMinute: 540 },
  ],
  holidays: [],
  specialWorkingDays: [],
};

const calendars = { moscow, berlinNights, overlappingShifts };

describe('businessDurationMs', () => {
  it.each([
    [
      'moscow',
      'within one day',
      '2026-03-02T10:00:00+03:00',
      '2026-03-02T11:30:00+03:00',
      1.5 * HOUR,
    ],
    [
      'moscow',
      'from before opening to after closing',
      '2026-03-02T06:00:00+03:00',
      '2026-03-02T20:00:00+03:00',
      9 * HOUR,
    ],
    [
      'moscow',
      'Monday 17:00 to Wednesday 11:00',
      '2026-03-02T17:00:00+03:00',
      '2026-03-04T11:00:00+03:00',
      12 * HOUR,
    ],
    [
      'moscow',
      'over a weekend and a holiday Monday',
      '2026-03-06T17:00:00+03:00',
      '2026-03-10T10:00:00+03:00',
      2 * HOUR,
    ],
    [
      'moscow',
      'through a worked Saturday',
      '2026-03-13T17:00:00+03:00',
      '2026-03-16T15:00:00+03:00',
      12 * HOUR,
    ],
    [
      'moscow',
      'entirely outside working hours',
      '2026-03-07T08:00:00+03:00',
      '2026-03-08T20:00:00+03:00',
      0,
    ],
    ['moscow', 'a closed stretch', '2026-03-02T19:00:00+03:00', '2026-03-02T19:00:00+03:00', 0],
    ['moscow', 'backwards', '2026-03-02T12:00:00+03:00', '2026-03-02T10:00:00+03:00', 0],
    [
      'berlinNights',
      'the short night DST begins has 7 hours',
      '2026-03-28T20:00:00+01:00',
      '2026-03-29T12:00:00+02:00',
      7 * HOUR,
    ],
    [
      'berlinNights',
      'the long night DST ends has 9 hours',
      '2026-10-24T20:00:00+02:00',
      '2026-10-25T12:00:00+01:00',
      9 * HOUR,
    ],
    [
      'berlinNights',
      'starting inside last night’s shift',
      '2026-03-03T05:00:00+01:00',
      '2026-03-03T23:00:00+01:00',
      2 * HOUR,
    ],
    [
      'overlappingShifts',
      'overlapping shifts count once',
      '2026-03-06T21:00:00+03:00',
      '2026-03-07T10:00:00+03:00',
      11 * HOUR,
    ],
  ] as const)('%s: %s', (calendar, _case, from, to, expected) => {
    expect(businessDurationMs(calendars[calendar], new Date(from), new Date(to))).toBe(expected);
  });

  it('undoes addBusinessTime', () => {
    const start = new Date('2026-03-06T16:20:00+03:00');
    for (const minutes of [1, 45, 600, 2_000]) {
      const end = addBusinessTime(moscow, start, minutes);
      expect(businessDurationMs(moscow, start, end)).toBe(minutes * MINUTE);
    }
  });
});
