import {
  agentDraft,
  calendarDraft,
  checkAgent,
  checkCalendar,
  checkSla,
  checkTeam,
  languageTags,
  looksLikeEmail,
  overflowSeconds,
  teamDraft,
  wholeCount,
  durationDraft,
  durationMinutes,
  isIsoDate,
  minutesOfTime,
  runsPastMidnight,
  slaDraft,
  timeOfMinutes,
  type AgentDraft,
  type CalendarDraft,
  type SlaDraft,
  type TeamDraft,
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

describe('the team form', () => {
  const draft = (changes: Partial<TeamDraft> = {}): TeamDraft => ({
    name: 'Returns',
    skillIds: ['billing'],
    calendarId: 'office',
    overflowTeamId: 'overflow',
    overflowAfterMinutes: '15',
    defaultChatCapacity: '',
    ...changes,
  });
  const problem = (changes: Partial<TeamDraft>) => {
    const checked = checkTeam(draft(changes));
    return checked.ok ? undefined : checked.problem.key;
  };

  it("stores the overflow time in seconds, the API's unit", () => {
    expect(checkTeam(draft({ name: ' Returns ' }))).toEqual({
      ok: true,
      value: {
        name: 'Returns',
        skillIds: ['billing'],
        calendarId: 'office',
        overflowTeamId: 'overflow',
        overflowAfterSeconds: 900,
      },
    });
    expect(overflowSeconds('1.5')).toBe(90);
    expect(overflowSeconds('0.1')).toBe(6);
    expect(overflowSeconds('')).toBe(0);
    expect(overflowSeconds('0.001')).toBeUndefined();
    expect(overflowSeconds('-1')).toBeUndefined();
    expect(overflowSeconds('soon')).toBeUndefined();
  });

  it('takes an empty or zero time as never overflowing, with or without a team', () => {
    const never = checkTeam(draft({ overflowTeamId: '', overflowAfterMinutes: '' }));
    expect(never.ok && never.value).toMatchObject({ overflowTeamId: '', overflowAfterSeconds: 0 });
    expect(problem({ overflowTeamId: '', overflowAfterMinutes: '0' })).toBeUndefined();
  });

  it('keeps the live chats per agent a team sets, 0 included, and leaves an empty one out', () => {
    const chats = (typed: string) => {
      const checked = checkTeam(draft({ defaultChatCapacity: typed }));
      return checked.ok ? checked.value : undefined;
    };
    expect(chats(' 4 ')).toMatchObject({ defaultChatCapacity: 4 });
    expect(chats('0')).toMatchObject({ defaultChatCapacity: 0 });
    expect(chats('')).not.toHaveProperty('defaultChatCapacity');
    expect(problem({ defaultChatCapacity: '2.5' })).toBe('team.badChatCapacity');
    expect(problem({ defaultChatCapacity: '-1' })).toBe('team.badChatCapacity');
    // Read back: 0 is left out of protobuf JSON only when unset, so a stored 0 shows as 0.
    expect(teamDraft({ name: 'Sales', defaultChatCapacity: 0 }).defaultChatCapacity).toBe('0');
    expect(teamDraft({ name: 'Sales', defaultChatCapacity: 5 }).defaultChatCapacity).toBe('5');
  });

  it('refuses a team without a name, a time that is not minutes, and a time with no team to go to', () => {
    expect(problem({ name: ' ' })).toBe('team.noName');
    expect(problem({ overflowAfterMinutes: 'soon' })).toBe('team.badOverflowAfter');
    expect(problem({ overflowTeamId: '' })).toBe('team.overflowWithoutTeam');
  });

  it('shows an API entry with its defaults left out, and odd seconds as minutes', () => {
    expect(teamDraft({ id: 'billing', name: 'Billing' })).toEqual({
      name: 'Billing',
      skillIds: [],
      calendarId: '',
      overflowTeamId: '',
      overflowAfterMinutes: '',
      defaultChatCapacity: '',
    });
    const draftOf90 = teamDraft({ overflowTeamId: 'overflow', overflowAfterSeconds: 90 });
    expect(draftOf90.overflowAfterMinutes).toBe('1.5');
    const saved = checkTeam({ ...draftOf90, name: 'Billing' });
    expect(saved.ok && saved.value.overflowAfterSeconds).toBe(90);
  });
});

describe('the agent form', () => {
  const draft = (changes: Partial<AgentDraft> = {}): AgentDraft => ({
    name: 'Rita Returns',
    email: 'rita@firstline.example',
    teamIds: ['returns'],
    skills: [{ skillId: 'billing', level: 3 }],
    capacity: { email: '2', telegram: '', vk: '0', webform: '3', ok: '4', chat: '3' },
    languages: 'en, RU',
    active: true,
    ...changes,
  });
  const problem = (changes: Partial<AgentDraft>) => {
    const checked = checkAgent(draft(changes));
    return checked.ok ? undefined : checked.problem;
  };

  it("lists only the channels the agent takes tickets of, with the API's enum names", () => {
    expect(checkAgent(draft())).toEqual({
      ok: true,
      value: {
        name: 'Rita Returns',
        email: 'rita@firstline.example',
        teamIds: ['returns'],
        skills: [{ skillId: 'billing', level: 3 }],
        capacity: [
          { channel: 'CHANNEL_EMAIL', maxConcurrent: 2 },
          { channel: 'CHANNEL_WEBFORM', maxConcurrent: 3 },
          { channel: 'CHANNEL_OK', maxConcurrent: 4 },
          { channel: 'CHANNEL_CHAT', maxConcurrent: 3 },
        ],
        languages: ['en', 'ru'],
        active: true,
      },
    });
  });

  it('leaves live chat out when empty, for the teams’ default, but keeps an own 0 chats', () => {
    const chatEntry = (chat: string) => {
      const checked = checkAgent(draft({ capacity: { ...draft().capacity, chat } }));
      return checked.ok
        ? checked.value.capacity.find((entry) => entry.channel === 'CHANNEL_CHAT')
        : undefined;
    };
    expect(chatEntry('')).toBeUndefined();
    expect(chatEntry('0')).toEqual({ channel: 'CHANNEL_CHAT', maxConcurrent: 0 });
    expect(chatEntry('2')).toEqual({ channel: 'CHANNEL_CHAT', maxConcurrent: 2 });
    // Read back, an own 0 (left out of protobuf JSON as the default) shows as 0, not empty.
    expect(agentDraft({ capacity: [{ channel: 'CHANNEL_CHAT' }] }).capacity.chat).toBe('0');
  });

  it('keeps the presence the agent set, which the form does not show, through an edit', () => {
    const stored = {
      id: 'ann',
      name: 'Ann Agent',
      email: 'ann@firstline.example',
      teamIds: ['first-line'],
      skills: [{ skillId: 'general', level: 4 }],
      capacity: [
        { channel: 'CHANNEL_EMAIL', maxConcurrent: 5 },
        { channel: 4, maxConcurrent: 1 },
        { channel: 'CHANNEL_VK' },
        { channel: 5, maxConcurrent: 2 },
        { channel: 6, maxConcurrent: 3 },
      ],
      presence: 'PRESENCE_ONLINE',
      languages: ['en'],
      active: true,
    };
    const shown = agentDraft(stored);
    expect(shown).toEqual({
      name: 'Ann Agent',
      email: 'ann@firstline.example',
      teamIds: ['first-line'],
      skills: [{ skillId: 'general', level: 4 }],
      capacity: { email: '5', telegram: '', vk: '0', webform: '1', ok: '2', chat: '3' },
      languages: 'en',
      active: true,
      presence: 'PRESENCE_ONLINE',
    });
    const saved = checkAgent({ ...shown, name: 'Ann Andersen' });
    expect(saved.ok && saved.value).toMatchObject({
      name: 'Ann Andersen',
      presence: 'PRESENCE_ONLINE',
      capacity: [
        { channel: 'CHANNEL_EMAIL', maxConcurrent: 5 },
        { channel: 'CHANNEL_WEBFORM', maxConcurrent: 1 },
        { channel: 'CHANNEL_OK', maxConcurrent: 2 },
        { channel: 'CHANNEL_CHAT', maxConcurrent: 3 },
      ],
    });
  });

  it('reads an agent who has left, with active left out, as inactive', () => {
    expect(agentDraft({ name: 'Old Timer' })).toMatchObject({
      active: false,
      teamIds: [],
      skills: [],
      languages: '',
      capacity: { email: '', telegram: '', vk: '', webform: '', ok: '', chat: '' },
    });
    expect(agentDraft({ name: 'Old Timer' })).not.toHaveProperty('presence');
  });

  it('refuses a missing name, an address that is not one, and capacity that is not a whole number', () => {
    expect(problem({ name: '' })?.key).toBe('agent.noName');
    expect(problem({ email: 'rita.firstline.example' })).toEqual({
      key: 'agent.badEmail',
      values: { email: 'rita.firstline.example' },
    });
    expect(problem({ email: '' })?.key).toBe('agent.badEmail');
    expect(
      problem({ capacity: { email: '2.5', telegram: '', vk: '', webform: '', ok: '', chat: '' } })
        ?.key,
    ).toBe('agent.badCapacity.email');
    expect(
      problem({ capacity: { email: '', telegram: '-1', vk: '', webform: '', ok: '', chat: '' } })
        ?.key,
    ).toBe('agent.badCapacity.telegram');
    expect(looksLikeEmail('rita@firstline.example')).toBe(true);
    expect(looksLikeEmail('rita@localhost')).toBe(false);
    expect(looksLikeEmail('rita @firstline.example')).toBe(false);
    expect(wholeCount(' 7 ')).toBe(7);
    expect(wholeCount('')).toBe(0);
    expect(wholeCount('1e3')).toBeUndefined();
  });

  it('refuses a skill row without a skill, a skill twice and a level out of 1 to 5', () => {
    expect(problem({ skills: [{ skillId: '', level: 3 }] })).toEqual({
      key: 'agent.skill.noSkill',
      values: { row: 1 },
    });
    expect(
      problem({
        skills: [
          { skillId: 'billing', level: 3 },
          { skillId: 'billing', level: 5 },
        ],
      }),
    ).toEqual({ key: 'agent.skill.twice', values: { skill: 'billing' } });
    expect(problem({ skills: [{ skillId: 'billing', level: 0 }] })).toEqual({
      key: 'agent.skill.badLevel',
      values: { row: 1, lowest: 1, highest: 5 },
    });
    expect(problem({ skills: [{ skillId: 'billing', level: 6 }] })?.key).toBe(
      'agent.skill.badLevel',
    );
  });

  it('reads languages as BCP 47 tags, once each, and refuses what is not one', () => {
    expect(languageTags('en, RU ,pt-br, en,')).toEqual({ ok: true, value: ['en', 'ru', 'pt-BR'] });
    expect(languageTags('')).toEqual({ ok: true, value: [] });
    expect(problem({ languages: 'en, english!' })).toEqual({
      key: 'agent.badLanguage',
      values: { language: 'english!' },
    });
  });
});
