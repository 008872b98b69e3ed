import { intervalsStartingOn, utcToLocal, type BusinessCalendar } from './calendar';

/**
 * How much working time lies between two instants: the inverse of `addBusinessTime`, for
 * business-time KPIs and for moving SLA due times by a pause. Working stretches are read per local
 * date as the calendar reads them and merged first, so overlapping shifts count once.
 */

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
    for (const stretch of intervalsStartingOn(calendar, day)) {
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
