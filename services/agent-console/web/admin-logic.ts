// The directory admin's forms' rules that need no browser: times and dates as typed, calendars
// and SLA policies checked before they are saved. Loaded with the admin screen only; unit-tested
// in test/admin-logic.spec.ts.

/** A problem with what an admin typed: a text key of the admin screen and what fills it in. */
export interface Problem {
  key: string;
  values?: Record<string, string | number>;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problem: Problem };

const MINUTES_PER_DAY = 1440;

/** "09:30" (or "09:30:00", as time inputs give with seconds) → 570; undefined for anything else. */
export function minutesOfTime(time: string): number | undefined {
  const match = /^(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(time);
  if (!match) return undefined;
  const [hours, minutes] = [Number(match[1]), Number(match[2])];
  return hours < 24 && minutes < 60 ? hours * 60 + minutes : undefined;
}

/** 1080 → "18:00"; a minute past midnight of the next day (1800) reads as that day's "06:00". */
export function timeOfMinutes(minutes: number): string {
  const inDay = ((minutes % MINUTES_PER_DAY) + MINUTES_PER_DAY) % MINUTES_PER_DAY;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(inDay / 60))}:${pad(inDay % 60)}`;
}

/** A real calendar date written "YYYY-MM-DD", as the directory stores holidays. */
export function isIsoDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
}

/** An IANA time zone name the browser knows ("Europe/Berlin"). */
export function isTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A closing time at or before the opening time is the next day's: a night shift, or, when they
 * are equal, 24 hours (00:00 to 00:00 is around the clock).
 */
export function runsPastMidnight(opens: string, closes: string): boolean {
  const [open, close] = [minutesOfTime(opens), minutesOfTime(closes)];
  return open !== undefined && close !== undefined && close <= open;
}

/** A calendar as its form holds it: times "HH:MM", dates "YYYY-MM-DD", weekday 1 (Monday)–7. */
export interface CalendarDraft {
  name: string;
  timeZone: string;
  weeklyHours: Array<{ weekday: number; opens: string; closes: string }>;
  holidays: Array<{ date: string; name: string }>;
  specialWorkingDays: Array<{ date: string; opens: string; closes: string }>;
}

/** A calendar as the directory API takes it (protobuf JSON of directory.proto's Calendar). */
export interface CalendarJson {
  name: string;
  timeZone: string;
  weeklyHours: Array<{ weekday: number; openMinute: number; closeMinute: number }>;
  holidays: Array<{ date: string; name: string }>;
  specialWorkingDays: Array<{ date: string; openMinute: number; closeMinute: number }>;
}

const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];

/** A protobuf JSON enum value, which the API writes as its name ("WEEKDAY_MONDAY"), as a number. */
function enumNumber(value: unknown, prefix: string, names: readonly string[]): number {
  if (typeof value === 'number') return value;
  const index = names.indexOf(String(value).replace(prefix, ''));
  return index + 1;
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
// Protobuf JSON leaves zeros out: a stretch from midnight has no openMinute.
const count = (value: unknown): number => (typeof value === 'number' ? value : 0);

/** The form's view of a calendar from the API, where fields at their defaults are left out. */
export function calendarDraft(calendar: Json): CalendarDraft {
  return {
    name: text(calendar.name),
    timeZone: text(calendar.timeZone),
    weeklyHours: list(calendar.weeklyHours).map((stretch) => ({
      weekday: enumNumber(stretch.weekday, 'WEEKDAY_', WEEKDAYS),
      opens: timeOfMinutes(count(stretch.openMinute)),
      closes: timeOfMinutes(count(stretch.closeMinute)),
    })),
    holidays: list(calendar.holidays).map((day) => ({
      date: text(day.date),
      name: text(day.name),
    })),
    specialWorkingDays: list(calendar.specialWorkingDays).map((day) => ({
      date: text(day.date),
      opens: timeOfMinutes(count(day.openMinute)),
      closes: timeOfMinutes(count(day.closeMinute)),
    })),
  };
}

/**
 * Opening and closing minutes of a stretch in row `row` of the weekly hours or the special days
 * (`table`); a close at or before the open is the next day's.
 */
function stretch(
  opens: string,
  closes: string,
  table: 'weekly' | 'special',
  row: number,
): Checked<{ openMinute: number; closeMinute: number }> {
  const [open, close] = [minutesOfTime(opens), minutesOfTime(closes)];
  const fail = (problem: string, values: Problem['values'] = {}) => ({
    ok: false as const,
    problem: { key: `calendar.${table}.${problem}`, values: { row, ...values } },
  });
  if (open === undefined) return fail('noOpens');
  if (close === undefined) return fail('noCloses');
  return {
    ok: true,
    value: { openMinute: open, closeMinute: close <= open ? close + MINUTES_PER_DAY : close },
  };
}

/** What the form holds as the API's Calendar, or the first thing that keeps it from being one. */
export function checkCalendar(draft: CalendarDraft): Checked<CalendarJson> {
  const fail = (key: string, values?: Problem['values']): Checked<CalendarJson> => ({
    ok: false,
    problem: { key, values },
  });
  if (!draft.name.trim()) return fail('calendar.noName');
  if (!isTimeZone(draft.timeZone)) return fail('calendar.badTimeZone', { zone: draft.timeZone });
  const weeklyHours: CalendarJson['weeklyHours'] = [];
  for (const [index, hours] of draft.weeklyHours.entries()) {
    if (!(hours.weekday >= 1 && hours.weekday <= 7))
      return fail('calendar.weekly.noWeekday', { row: index + 1 });
    const checked = stretch(hours.opens, hours.closes, 'weekly', index + 1);
    if (!checked.ok) return checked;
    weeklyHours.push({ weekday: hours.weekday, ...checked.value });
  }
  for (const [index, holiday] of draft.holidays.entries()) {
    if (!isIsoDate(holiday.date)) return fail('calendar.holiday.badDate', { row: index + 1 });
  }
  const specialWorkingDays: CalendarJson['specialWorkingDays'] = [];
  for (const [index, day] of draft.specialWorkingDays.entries()) {
    if (!isIsoDate(day.date)) return fail('calendar.special.badDate', { row: index + 1 });
    const checked = stretch(day.opens, day.closes, 'special', index + 1);
    if (!checked.ok) return checked;
    specialWorkingDays.push({ date: day.date, ...checked.value });
  }
  return {
    ok: true,
    value: {
      name: draft.name.trim(),
      timeZone: draft.timeZone.trim(),
      weeklyHours,
      holidays: draft.holidays.map((holiday) => ({
        date: holiday.date,
        name: holiday.name.trim(),
      })),
      specialWorkingDays,
    },
  };
}

export type DurationUnit = 'minutes' | 'hours';

/** A target as typed: an amount and its unit. */
export interface DurationDraft {
  amount: string;
  unit: DurationUnit;
}

/** 120 minutes read as 2 hours; 90 stay 90 minutes. */
export function durationDraft(minutes: number): DurationDraft {
  return minutes > 0 && minutes % 60 === 0
    ? { amount: String(minutes / 60), unit: 'hours' }
    : { amount: String(minutes), unit: 'minutes' };
}

/** Whole minutes of a typed target ("1.5" hours → 90); undefined unless that is a whole number ≥ 0. */
export function durationMinutes(duration: DurationDraft): number | undefined {
  const amount = duration.amount.trim();
  if (!/^\d+(\.\d+)?$/.test(amount)) return undefined;
  const minutes = Number(amount) * (duration.unit === 'hours' ? 60 : 1);
  return Number.isInteger(minutes) ? minutes : undefined;
}

/**
 * An SLA policy as its form holds it. Channel and priority are the API's enum names;
 * CHANNEL_UNSPECIFIED and PRIORITY_UNSPECIFIED match any (libs/routing's findSlaPolicy), as an
 * empty teamId matches every team.
 */
export interface SlaDraft {
  name: string;
  teamId: string;
  channel: string;
  priority: string;
  firstResponse: DurationDraft;
  resolution: DurationDraft;
  businessTime: boolean;
}

export interface SlaJson {
  name: string;
  teamId: string;
  channel: string;
  priority: string;
  firstResponseMinutes: number;
  resolutionMinutes: number;
  businessTime: boolean;
}

export const ANY_CHANNEL = 'CHANNEL_UNSPECIFIED';
export const ANY_PRIORITY = 'PRIORITY_UNSPECIFIED';

/** The form's view of a policy from the API, which leaves out fields at their defaults. */
export function slaDraft(policy: Json): SlaDraft {
  const enumName = (value: unknown, any: string) => (typeof value === 'string' ? value : any);
  return {
    name: text(policy.name),
    teamId: text(policy.teamId),
    channel: enumName(policy.channel, ANY_CHANNEL),
    priority: enumName(policy.priority, ANY_PRIORITY),
    firstResponse: durationDraft(count(policy.firstResponseMinutes)),
    resolution: durationDraft(count(policy.resolutionMinutes)),
    businessTime: policy.businessTime === true,
  };
}

/** What the form holds as the API's SlaPolicy, or the first thing that keeps it from being one. */
export function checkSla(draft: SlaDraft): Checked<SlaJson> {
  const fail = (key: string): Checked<SlaJson> => ({ ok: false, problem: { key } });
  if (!draft.name.trim()) return fail('sla.noName');
  const firstResponseMinutes = durationMinutes(draft.firstResponse);
  // A first reply due at once would breach every ticket on arrival.
  if (!firstResponseMinutes) return fail('sla.badFirstResponse');
  const resolutionMinutes = durationMinutes(draft.resolution);
  if (resolutionMinutes === undefined) return fail('sla.badResolution');
  return {
    ok: true,
    value: {
      name: draft.name.trim(),
      teamId: draft.teamId,
      channel: draft.channel,
      priority: draft.priority,
      firstResponseMinutes,
      resolutionMinutes,
      businessTime: draft.businessTime,
    },
  };
}

/** The largest value of a protobuf uint32, which the API refuses to go beyond. */
const UINT32_MAX = 4_294_967_295;

/** A whole number ≥ 0 as typed, empty meaning 0; undefined for anything else. */
export function wholeCount(typed: string): number | undefined {
  const value = typed.trim();
  if (!value) return 0;
  if (!/^\d+$/.test(value)) return undefined;
  const number = Number(value);
  return number <= UINT32_MAX ? number : undefined;
}

/**
 * A team as its form holds it; the overflow time in minutes as typed, empty or 0 for never; the
 * chats each of its agents holds at once as typed, empty for the built-in default.
 */
export interface TeamDraft {
  name: string;
  skillIds: string[];
  calendarId: string;
  overflowTeamId: string;
  overflowAfterMinutes: string;
  defaultChatCapacity: string;
}

export interface TeamJson {
  name: string;
  skillIds: string[];
  calendarId: string;
  overflowTeamId: string;
  overflowAfterSeconds: number;
  /** Left out: the built-in default (libs/routing DEFAULT_CHAT_CAPACITY). */
  defaultChatCapacity?: number;
}

const texts = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** The form's view of a team from the API, where fields at their defaults are left out. */
export function teamDraft(team: Json): TeamDraft {
  const seconds = count(team.overflowAfterSeconds);
  return {
    name: text(team.name),
    skillIds: texts(team.skillIds),
    calendarId: text(team.calendarId),
    overflowTeamId: text(team.overflowTeamId),
    overflowAfterMinutes: seconds ? String(seconds / 60) : '',
    defaultChatCapacity:
      team.defaultChatCapacity === undefined ? '' : String(count(team.defaultChatCapacity)),
  };
}

/** Whole seconds of a typed number of minutes ("1.5" → 90), empty meaning 0; else undefined. */
export function overflowSeconds(minutes: string): number | undefined {
  const typed = minutes.trim();
  if (!typed) return 0;
  if (!/^\d+(\.\d+)?$/.test(typed)) return undefined;
  const seconds = Number(typed) * 60;
  const whole = Math.round(seconds);
  // 1.5 minutes are 90 seconds, though 0.1 × 60 is not exactly 6 in floating point.
  return Math.abs(seconds - whole) < 1e-6 && whole <= UINT32_MAX ? whole : undefined;
}

/** What the form holds as the API's Team, or the first thing that keeps it from being one. */
export function checkTeam(draft: TeamDraft): Checked<TeamJson> {
  const fail = (key: string): Checked<TeamJson> => ({ ok: false, problem: { key } });
  if (!draft.name.trim()) return fail('team.noName');
  const overflowAfterSeconds = overflowSeconds(draft.overflowAfterMinutes);
  if (overflowAfterSeconds === undefined) return fail('team.badOverflowAfter');
  // The API refuses this too: a waiting time with nowhere to overflow to.
  if (overflowAfterSeconds > 0 && !draft.overflowTeamId) return fail('team.overflowWithoutTeam');
  // Empty is no default of the team's (the built-in one), unlike 0: no chats for its agents.
  const chats = draft.defaultChatCapacity.trim();
  const defaultChatCapacity = chats ? wholeCount(chats) : undefined;
  if (chats && defaultChatCapacity === undefined) return fail('team.badChatCapacity');
  return {
    ok: true,
    value: {
      name: draft.name.trim(),
      skillIds: draft.skillIds,
      calendarId: draft.calendarId,
      overflowTeamId: draft.overflowTeamId,
      overflowAfterSeconds,
      ...(defaultChatCapacity !== undefined && { defaultChatCapacity }),
    },
  };
}

/** The channels an agent takes tickets of, as Channel names them without "CHANNEL_", lower-cased. */
export const CAPACITY_CHANNELS = ['email', 'telegram', 'vk', 'webform', 'ok', 'chat'] as const;
export type CapacityChannel = (typeof CAPACITY_CHANNELS)[number];

export const LOWEST_LEVEL = 1;
export const HIGHEST_LEVEL = 5;

/**
 * An agent as its form holds it: capacity per channel as typed (empty or 0: none, but live chat
 * left empty takes the teams' default chats per agent), languages
 * comma-separated. Presence is the agent's own to set and not in the form, but kept, so that an
 * admin's save does not change it.
 */
export interface AgentDraft {
  name: string;
  email: string;
  teamIds: string[];
  skills: Array<{ skillId: string; level: number }>;
  capacity: Record<CapacityChannel, string>;
  languages: string;
  active: boolean;
  presence?: string | number;
}

export interface AgentJson {
  name: string;
  email: string;
  teamIds: string[];
  skills: Array<{ skillId: string; level: number }>;
  capacity: Array<{ channel: string; maxConcurrent: number }>;
  languages: string[];
  active: boolean;
  presence?: string | number;
}

/** "CHANNEL_WEBFORM" or 4, as protobuf JSON may give a Channel, as "webform". */
function capacityChannel(value: unknown): CapacityChannel | undefined {
  const name =
    typeof value === 'number'
      ? CAPACITY_CHANNELS[value - 1]
      : String(value).replace('CHANNEL_', '').toLowerCase();
  return CAPACITY_CHANNELS.find((channel) => channel === name);
}

/** The form's view of an agent from the API, where fields at their defaults are left out. */
export function agentDraft(agent: Json): AgentDraft {
  const capacity = Object.fromEntries(CAPACITY_CHANNELS.map((channel) => [channel, ''])) as Record<
    CapacityChannel,
    string
  >;
  for (const entry of list(agent.capacity)) {
    const channel = capacityChannel(entry.channel);
    if (channel) capacity[channel] = String(count(entry.maxConcurrent));
  }
  const presence = agent.presence;
  return {
    name: text(agent.name),
    email: text(agent.email),
    teamIds: texts(agent.teamIds),
    skills: list(agent.skills).map((skill) => ({
      skillId: text(skill.skillId),
      level: count(skill.level),
    })),
    capacity,
    languages: texts(agent.languages).join(', '),
    active: agent.active === true,
    ...((typeof presence === 'string' || typeof presence === 'number') && { presence }),
  };
}

/** An address with something before the @ and a domain with a dot after it. */
export function looksLikeEmail(email: string): boolean {
  return /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/.test(email.trim());
}

/** "en, RU ,pt-br" → ["en", "ru", "pt-BR"]; the first typed tag that is not BCP 47 otherwise. */
export function languageTags(typed: string): Checked<string[]> {
  const tags: string[] = [];
  for (const tag of typed.split(',').map((item) => item.trim())) {
    if (!tag) continue;
    let canonical: string;
    try {
      [canonical] = Intl.getCanonicalLocales(tag);
    } catch {
      return { ok: false, problem: { key: 'agent.badLanguage', values: { language: tag } } };
    }
    if (!tags.includes(canonical)) tags.push(canonical);
  }
  return { ok: true, value: tags };
}

/** What the form holds as the API's Agent, or the first thing that keeps it from being one. */
export function checkAgent(draft: AgentDraft): Checked<AgentJson> {
  const fail = (key: string, values?: Problem['values']): Checked<AgentJson> => ({
    ok: false,
    problem: { key, values },
  });
  if (!draft.name.trim()) return fail('agent.noName');
  if (!looksLikeEmail(draft.email)) return fail('agent.badEmail', { email: draft.email.trim() });
  const seen = new Set<string>();
  for (const [index, skill] of draft.skills.entries()) {
    const row = index + 1;
    if (!skill.skillId) return fail('agent.skill.noSkill', { row });
    if (seen.has(skill.skillId)) return fail('agent.skill.twice', { skill: skill.skillId });
    seen.add(skill.skillId);
    if (!(
      Number.isInteger(skill.level) &&
      skill.level >= LOWEST_LEVEL &&
      skill.level <= HIGHEST_LEVEL
    ))
      return fail('agent.skill.badLevel', { row, lowest: LOWEST_LEVEL, highest: HIGHEST_LEVEL });
  }
  const capacity: AgentJson['capacity'] = [];
  for (const channel of CAPACITY_CHANNELS) {
    const maxConcurrent = wholeCount(draft.capacity[channel]);
    if (maxConcurrent === undefined) return fail(`agent.badCapacity.${channel}`);
    // A channel left out is one the agent takes no tickets of, as with 0; but chat left out takes
    // the teams' default, so an agent's 0 chats is an entry of its own.
    const ownChatEntry = channel === 'chat' && draft.capacity.chat.trim() !== '';
    if (maxConcurrent > 0 || ownChatEntry)
      capacity.push({ channel: `CHANNEL_${channel.toUpperCase()}`, maxConcurrent });
  }
  const languages = languageTags(draft.languages);
  if (!languages.ok) return languages;
  return {
    ok: true,
    value: {
      name: draft.name.trim(),
      email: draft.email.trim(),
      teamIds: draft.teamIds,
      skills: draft.skills,
      capacity,
      languages: languages.value,
      active: draft.active,
      ...(draft.presence !== undefined && { presence: draft.presence }),
    },
  };
}
