import { utcToLocal, type BusinessCalendar } from './calendar';

/**
 * How much working time lies between two instants: the inverse of `addBusinessTime`, for
 * business-time KPIs and for moving SLA due times by a pause. Working stretches are read per local
 * date the way calendar.ts reads them (special days replace weekly hours and holidays; a close past
 * 1440 runs into the next day) and merged first, so overlapping shifts count once.
 */

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Milliseconds of working time in [from, to); 0 when `to` is not after `from`. */
export function businessDurationMs(calendar: BusinessCalendar, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (!(end > start)) return 0;
  // A day early: last night's shift may run into the first day.
  const firstDay = Math.floor(utcToLocal(calendar.timeZone, start) / DAY_MS) - 1;
  const lastDay = Math.floor(utcToLocal(calendar.timeZone, end) / DAY_MS);
  const stretches: Array<{ start: number; end: number }> = [];
  for (let day = firstDay; day <= lastDay; day += 1) {
    for (const stretch of stretchesStartingOn(calendar, day)) {
      const clipped = { start: Math.max(stretch.start, start), end: Math.min(stretch.end, end) };
      if (clipped.end > clipped.start) stretches.push(clipped);
    }
  }
  stretches.sort((a, b) => a.start - b.start);
  let total = 0;
  let countedUntil = start;
  for (const stretch of stretches) {
    const from = Math.max(stretch.start, countedUntil);
    if (stretch.end > from) {
      total += stretch.end - from;
      countedUntil = stretch.end;
    }
  }
  return total;
}

/** The working stretches that start on a local date (days since 1970-01-01), as instants. */
function stretchesStartingOn(calendar: BusinessCalendar, day: number) {
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
      start: localToInstant(calendar.timeZone, day * DAY_MS + entry.openMinute * MINUTE_MS),
      end: localToInstant(calendar.timeZone, day * DAY_MS + entry.closeMinute * MINUTE_MS),
    }));
}

/** The instant a local wall-clock time names; a time skipped by DST moves forward by the gap. */
function localToInstant(timeZone: string, wall: number): number {
  const guess = wall - (utcToLocal(timeZone, wall) - wall);
  return wall - (utcToLocal(timeZone, guess) - guess);
}
