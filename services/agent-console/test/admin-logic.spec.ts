import {
  calendarDraft,
  checkCalendar,
  checkSla,
  durationDraft,
  durationMinutes,
  isIsoDate,
  minutesOfTime,
  runsPastMidnight,
  slaDraft,
  timeOfMinutes,
  type CalendarDraft,
  type SlaDraft,
} from '../web/admin-logic';

describe('the calendar form', () => {
  const draft = (changes: Partial<CalendarDraft> = {}): CalendarDraft => ({
    name: 'Night desk',
    timeZone: 'Europe/Berlin',
    weeklyHours: [{ weekday: 1, opens: '09:00', closes: '18:00' }],
    holidays: [],
    specialWorkingDays: [],
    ...changes,
  });

  it('reads times as minutes after midnight and back', () => {
    expect(minutesOfTime('09:30')).toBe(570);
    expect(minutesOfTime('00:00')).toBe(0);
    expect(minutesOfTime('23:59:00')).toBe(1439);
    expect(minutesOfTime('24:00')).toBeUndefined();
    expect(minutesOfTime('9:30')).toBeUndefined();
    expect(minutesOfTime('')).toBeUndefined();
    expect(timeOfMinutes(1080)).toBe('18:00');
    expect(timeOfMinutes(0)).toBe('00:00');
    expect(timeOfMinutes(1800)).toBe('06:00'); // the next morning of a night shift
  });

  it('takes only real dates written YYYY-MM-DD', () => {
    expect(isIsoDate('2026-12-24')).toBe(true);
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-30')).toBe(false);
    expect(isIsoDate('24.12.2026')).toBe(false);
    expect(isIsoDate('')).toBe(false);
  });

  it('stores a stretch that closes before it opens as running into the next day', () => {
    expect(runsPastMidnight('22:00', '06:00')).toBe(true);
    expect(runsPastMidnight('09:00', '18:00')).toBe(false);
    const checked = checkCalendar(
      draft({
        weeklyHours: [
          { weekday: 1, opens: '22:00', closes: '06:00' },
          { weekday: 5, opens: '09:00', closes: '18:00' },
        ],
        holidays: [{ date: '2026-12-24', name: ' Christmas Eve ' }],
        specialWorkingDays: [{ date: '2026-12-27', opens: '10:00', closes: '14:00' }],
      }),
    );
    expect(checked).toEqual({
      ok: true,
      value: {
        name: 'Night desk',
        timeZone: 'Europe/Berlin',
        weeklyHours: [
          { weekday: 1, openMinute: 1320, closeMinute: 1800 },
          { weekday: 5, openMinute: 540, closeMinute: 1080 },
        ],
        holidays: [{ date: '2026-12-24', name: 'Christmas Eve' }],
        specialWorkingDays: [{ date: '2026-12-27', openMinute: 600, closeMinute: 840 }],
      },
    });
  });

  it('takes a stretch that opens and closes at the same time as 24 hours, round the clock at 00:00', () => {
    expect(runsPastMidnight('00:00', '00:00')).toBe(true);
    const checked = checkCalendar(
      draft({
        weeklyHours: [
          { weekday: 6, opens: '00:00', closes: '00:00' },
          { weekday: 2, opens: '22:00', closes: '22:00' },
        ],
      }),
    );
    expect(checked.ok && checked.value.weeklyHours).toEqual([
      { weekday: 6, openMinute: 0, closeMinute: 1440 },
      { weekday: 2, openMinute: 1320, closeMinute: 2760 },
    ]);
    // Read back from the API (which leaves the zero out), a whole day shows as 00:00 to 00:00.
    expect(
      calendarDraft({
        timeZone: 'UTC',
        weeklyHours: [{ weekday: 'WEEKDAY_SATURDAY', closeMinute: 1440 }],
      }).weeklyHours,
    ).toEqual([{ weekday: 6, opens: '00:00', closes: '00:00' }]);
  });

  it('refuses what the router could not use: no name, an unknown zone, missing times or dates', () => {
    const problem = (changes: Partial<CalendarDraft>) => {
      const checked = checkCalendar(draft(changes));
      return checked.ok ? undefined : checked.problem.key;
    };
    expect(problem({ name: '  ' })).toBe('calendar.noName');
    expect(problem({ timeZone: 'Europe/Atlantis' })).toBe('calendar.badTimeZone');
    expect(problem({ weeklyHours: [{ weekday: 1, opens: '', closes: '18:00' }] })).toBe(
      'calendar.weekly.noOpens',
    );
    expect(problem({ holidays: [{ date: '', name: 'New Year' }] })).toBe(
      'calendar.holiday.badDate',
    );
    expect(
      problem({ specialWorkingDays: [{ date: '2026-12-27', opens: '10:00', closes: '' }] }),
    ).toBe('calendar.special.noCloses');
  });

  it('shows an entry of the API, whose enums are names and whose zeros are left out', () => {
    expect(
      calendarDraft({
        name: 'Office',
        timeZone: 'Europe/Berlin',
        weeklyHours: [
          { weekday: 'WEEKDAY_SUNDAY', closeMinute: 720 },
          { weekday: 'WEEKDAY_MONDAY', openMinute: 1320, closeMinute: 1800 },
        ],
        holidays: [{ date: '2026-01-01' }],
      }),
    ).toEqual({
      name: 'Office',
      timeZone: 'Europe/Berlin',
      weeklyHours: [
        { weekday: 7, opens: '00:00', closes: '12:00' },
        { weekday: 1, opens: '22:00', closes: '06:00' },
      ],
      holidays: [{ date: '2026-01-01', name: '' }],
      specialWorkingDays: [],
    });
  });
});

describe('the SLA policy form', () => {
  const draft = (changes: Partial<SlaDraft> = {}): SlaDraft => ({
    name: 'Email',
    teamId: '',
    channel: 'CHANNEL_EMAIL',
    priority: 'PRIORITY_UNSPECIFIED',
    firstResponse: { amount: '2', unit: 'hours' },
    resolution: { amount: '0', unit: 'minutes' },
    businessTime: true,
    ...changes,
  });

  it('turns hours into minutes and shows whole hours as hours', () => {
    expect(durationMinutes({ amount: '2', unit: 'hours' })).toBe(120);
    expect(durationMinutes({ amount: '1.5', unit: 'hours' })).toBe(90);
    expect(durationMinutes({ amount: '45', unit: 'minutes' })).toBe(45);
    expect(durationMinutes({ amount: '0.01', unit: 'hours' })).toBeUndefined();
    expect(durationMinutes({ amount: '-5', unit: 'minutes' })).toBeUndefined();
    expect(durationMinutes({ amount: '', unit: 'minutes' })).toBeUndefined();
    expect(durationDraft(120)).toEqual({ amount: '2', unit: 'hours' });
    expect(durationDraft(90)).toEqual({ amount: '90', unit: 'minutes' });
    expect(durationDraft(0)).toEqual({ amount: '0', unit: 'minutes' });
  });

  it('saves a policy for any priority with the enum value the router reads as "any"', () => {
    expect(checkSla(draft())).toEqual({
      ok: true,
      value: {
        name: 'Email',
        teamId: '',
        channel: 'CHANNEL_EMAIL',
        priority: 'PRIORITY_UNSPECIFIED',
        firstResponseMinutes: 120,
        resolutionMinutes: 0,
        businessTime: true,
      },
    });
  });

  it('refuses a first response due at once and a target that is not whole minutes', () => {
    const problem = (changes: Partial<SlaDraft>) => {
      const checked = checkSla(draft(changes));
      return checked.ok ? undefined : checked.problem.key;
    };
    expect(problem({ firstResponse: { amount: '0', unit: 'hours' } })).toBe('sla.badFirstResponse');
    expect(problem({ resolution: { amount: 'soon', unit: 'hours' } })).toBe('sla.badResolution');
    expect(problem({ name: '' })).toBe('sla.noName');
  });

  it('reads an API entry with channel, priority and team left out as "any"', () => {
    expect(slaDraft({ name: 'Default', firstResponseMinutes: 240 })).toEqual({
      name: 'Default',
      teamId: '',
      channel: 'CHANNEL_UNSPECIFIED',
      priority: 'PRIORITY_UNSPECIFIED',
      firstResponse: { amount: '4', unit: 'hours' },
      resolution: { amount: '0', unit: 'minutes' },
      businessTime: false,
    });
  });
});
