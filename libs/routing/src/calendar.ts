/**
 * Business calendars: when a team works, in its own time zone, and how far a number of working
 * minutes reaches. Local wall-clock times are converted with the built-in `Intl` API, so DST rules
 * come from the platform's time-zone database.
 */

/** ISO 8601 weekday: Monday = 1 … Sunday = 7 (the values of the contract's `Weekday`). */
export type IsoWeekday = number;

/** One stretch of a regular week; `closeMinute` past 1440 runs into the next day (night shift). */
export interface WeeklyHours {
  weekday: IsoWeekday;
  openMinute: number;
  closeMinute: number;
}

/** A local date, "YYYY-MM-DD", closed all day. */
export interface Holiday {
  date: string;
}

/** A local date with its own hours, replacing the weekly ones and any holiday on that date. */
export interface SpecialWorkingDay {
  date: string;
  openMinute: number;
  closeMinute: number;
}

export interface BusinessCalendar {
  /** IANA time zone of every local time in the calendar ("Europe/Berlin"). */
  timeZone: string;
  weeklyHours: WeeklyHours[];
  holidays: Holiday[];
  specialWorkingDays: SpecialWorkingDay[];
}

/** Around the clock in UTC: what a team without a calendar of its own works by. */
export const ALWAYS_OPEN_CALENDAR: BusinessCalendar = {
  timeZone: 'UTC',
  weeklyHours: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
    weekday,
    openMinute: 0,
    closeMinute: 1440,
  })),
  holidays: [],
  specialWorkingDays: [],
};

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** How far ahead to look for working time before deciding that a calendar has none. */
const HORIZON_DAYS = 400;

/** A half-open stretch of working time [start, end) in epoch milliseconds. */
interface Interval {
  start: number;
  end: number;
}

/** True when `at` falls within the calendar's working time. */
export function isOpen(calendar: BusinessCalendar, at: Date): boolean {
  const t = at.getTime();
  const [first] = workingIntervalsFrom(calendar, t, 1);
  // Stretches come in order of start: if the earliest one still running has not begun, none has.
  return first !== undefined && first.start <= t;
}

/**
 * The first moment at or after `at` when the calendar is open: `at` itself when open already.
 * Undefined when the calendar has no working time within the next 400 days.
 */
export function nextOpen(calendar: BusinessCalendar, at: Date): Date | undefined {
  const t = at.getTime();
  const [first] = workingIntervalsFrom(calendar, t, 1);
  return first ? new Date(Math.max(first.start, t)) : undefined;
}

/**
 * The moment `minutes` of working time after `start`: the clock runs only while the calendar is
 * open. Throws when the calendar has no working time to spend them in.
 */
export function addBusinessTime(calendar: BusinessCalendar, start: Date, minutes: number): Date {
  if (!Number.isFinite(minutes) || minutes < 0) {
    throw new RangeError(`addBusinessTime: minutes must be a finite number ≥ 0, got ${minutes}`);
  }
  let t = start.getTime();
  let remaining = minutes * MINUTE_MS;
  if (remaining === 0) return nextOpen(calendar, start) ?? noWorkingTime(calendar);
  for (const interval of workingIntervalsFrom(calendar, t, Number.POSITIVE_INFINITY)) {
    if (interval.end <= t) continue; // overlapped by the stretch just counted
    const from = Math.max(interval.start, t);
    const available = interval.end - from;
    if (available >= remaining) return new Date(from + remaining);
    remaining -= available;
    t = interval.end;
  }
  return noWorkingTime(calendar);
}

function noWorkingTime(calendar: BusinessCalendar): never {
  throw new Error(
    `calendar in ${calendar.timeZone} has no working hours within ${HORIZON_DAYS} days`,
  );
}

/**
 * Working stretches that end after `t`, in order of their start, up to `limit` of them, looking at
 * most HORIZON_DAYS ahead. Starts a day early so that last night's shift running into today counts.
 * Overlapping stretches are not merged (that would read ahead without end on an around-the-clock
 * calendar); callers never count the same moment twice because they move past each end.
 */
function* workingIntervalsFrom(
  calendar: BusinessCalendar,
  t: number,
  limit: number,
): Generator<Interval> {
  const firstDay = localEpochDay(calendar.timeZone, t) - 1;
  let yielded = 0;
  for (let day = firstDay; day <= firstDay + HORIZON_DAYS; day += 1) {
    for (const interval of intervalsStartingOn(calendar, day)) {
      if (interval.end <= t) continue;
      yield interval;
      yielded += 1;
      if (yielded >= limit) return;
    }
  }
}

/** The working stretches that start on a local date (days since 1970-01-01), sorted by start. */
export function intervalsStartingOn(calendar: BusinessCalendar, day: number): Interval[] {
  const date = new Date(day * DAY_MS).toISOString().slice(0, 10);
  const special = calendar.specialWorkingDays.filter((entry) => entry.date === date);
  const weekday = ((new Date(day * DAY_MS).getUTCDay() + 6) % 7) + 1;
  const hours =
    special.length > 0
      ? special
      : calendar.holidays.some((holiday) => holiday.date === date)
        ? []
        : calendar.weeklyHours.filter((entry) => entry.weekday === weekday);
  return hours
    .filter((entry) => entry.closeMinute > entry.openMinute)
    .map((entry) => ({
      start: localToUtc(calendar.timeZone, day * DAY_MS + entry.openMinute * MINUTE_MS),
      end: localToUtc(calendar.timeZone, day * DAY_MS + entry.closeMinute * MINUTE_MS),
    }))
    .sort((a, b) => a.start - b.start);
}

/**
 * Why the calendar cannot be worked by, or undefined when it can: a time zone the platform does
 * not know, a weekday outside Monday–Sunday, a stretch that is empty, starts outside its day or
 * lasts more than a day, a date that is not "YYYY-MM-DD". The directory refuses such a calendar
 * rather than fail every message routed by it.
 */
export function calendarProblem(calendar: BusinessCalendar): string | undefined {
  try {
    formatterFor(calendar.timeZone);
  } catch (error) {
    return (error as Error).message;
  }
  for (const [index, stretch] of calendar.weeklyHours.entries()) {
    const where = `weekly hours ${index + 1}`;
    if (!(Number.isInteger(stretch.weekday) && stretch.weekday >= 1 && stretch.weekday <= 7)) {
      return `${where}: weekday must be 1 (Monday) to 7 (Sunday), got ${stretch.weekday}`;
    }
    const problem = stretchProblem(stretch);
    if (problem) return `${where}: ${problem}`;
  }
  for (const [index, holiday] of calendar.holidays.entries()) {
    if (!isLocalDate(holiday.date)) {
      return `holiday ${index + 1}: date must be YYYY-MM-DD, got "${holiday.date}"`;
    }
  }
  for (const [index, day] of calendar.specialWorkingDays.entries()) {
    const where = `special working day ${index + 1}`;
    if (!isLocalDate(day.date)) return `${where}: date must be YYYY-MM-DD, got "${day.date}"`;
    const problem = stretchProblem(day);
    if (problem) return `${where}: ${problem}`;
  }
  return undefined;
}

function stretchProblem({ openMinute, closeMinute }: Omit<WeeklyHours, 'weekday'>) {
  if (!(Number.isInteger(openMinute) && openMinute >= 0 && openMinute < 1440)) {
    return `openMinute must be 0 to 1439, got ${openMinute}`;
  }
  if (!(
    Number.isInteger(closeMinute) &&
    closeMinute > openMinute &&
    closeMinute <= openMinute + 1440
  )) {
    return `closeMinute must be after openMinute (${openMinute}) and at most a day later, got ${closeMinute}`;
  }
  return undefined;
}

function isLocalDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  // Rolled over ("2026-02-30" is 2 March) or out of range ("2026-13-01"): not a date.
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(date);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new RangeError(`unknown time zone "${timeZone}"`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The local wall-clock time at instant `t`, as milliseconds of a UTC-based epoch. */
export function utcToLocal(timeZone: string, t: number): number {
  return t + offsetAt(timeZone, t);
}

/**
 * Offsets by time zone and quarter hour. Reading the platform's time-zone data is what calendar
 * arithmetic spends its time on, and offsets change only at a few instants a year, so a quarter
 * hour whose two ends agree is computed once. One where they differ holds a change and is never
 * cached. Cleared when large, so a long-running process does not grow it without end.
 */
const offsetsByQuarterHour = new Map<string, Map<number, number>>();
const QUARTER_HOUR_MS = 15 * MINUTE_MS;
const MAX_CACHED_OFFSETS = 100_000;
let cachedOffsets = 0;

function offsetAt(timeZone: string, t: number): number {
  const quarter = Math.floor(t / QUARTER_HOUR_MS);
  let offsets = offsetsByQuarterHour.get(timeZone);
  const cached = offsets?.get(quarter);
  if (cached !== undefined) return cached;
  const start = quarter * QUARTER_HOUR_MS;
  const offset = platformOffsetAt(timeZone, start);
  if (platformOffsetAt(timeZone, start + QUARTER_HOUR_MS - 1) !== offset) {
    return platformOffsetAt(timeZone, t);
  }
  if (cachedOffsets >= MAX_CACHED_OFFSETS) {
    offsetsByQuarterHour.clear();
    cachedOffsets = 0;
  }
  if (!offsets) {
    offsets = new Map();
    offsetsByQuarterHour.set(timeZone, offsets);
  }
  offsets.set(quarter, offset);
  cachedOffsets += 1;
  return offset;
}

/** Local wall-clock time minus UTC at instant `t`, from the platform's time-zone data. */
function platformOffsetAt(timeZone: string, t: number): number {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(t)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const wall = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - (t - (((t % 1000) + 1000) % 1000));
}

/**
 * The instant a local wall-clock time names. A time skipped by a DST change (02:30 on the spring
 * morning) moves forward by the gap, as clocks do; a repeated one resolves to one of its instants.
 */
export function localToUtc(timeZone: string, wall: number): number {
  const guess = wall - offsetAt(timeZone, wall);
  return wall - offsetAt(timeZone, guess);
}

function localEpochDay(timeZone: string, t: number): number {
  return Math.floor(utcToLocal(timeZone, t) / DAY_MS);
}
