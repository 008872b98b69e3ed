/**
 * The staffing planner: a team's stored traffic of the last weeks as a typical week (weekday ×
 * hour in the team's time zone), the agents Erlang C needs for it, set beside the calendar's open
 * hours and the agents who were online (docs/adr/0025-staffing-planner.md).
 */
import {
  intervalsStartingOn,
  localToUtc,
  utcToLocal,
  type BusinessCalendar,
  type IsoWeekday,
} from '@firstline/routing';
import { agentsForServiceLevel, withShrinkage } from './erlang-c';

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const WEEK_MS = 7 * DAY_MS;

/** A conversation that reached the team: it needed a first response. */
export interface Arrival {
  channel: string;
  at: Date;
  /** Agent time spent until the first response; unset while unanswered. */
  handlingSeconds?: number;
}

/** An agent's state from `at` on, for this team: online in it or not. */
export interface PresenceChange {
  agentId: string;
  at: Date;
  online: boolean;
}

export interface StaffingPlanInput {
  calendar: BusinessCalendar;
  /** The end of the window; it starts `weeks` whole weeks earlier. */
  until: Date;
  weeks: number;
  arrivals: readonly Arrival[];
  /**
   * Every change of the team's agents in the window, and each agent's last one before it (their
   * state at its start). An agent is offline until their first change.
   */
  presence: readonly PresenceChange[];
  /** The first-response target of the team's SLA policy for a channel, in seconds. */
  targetSecondsOf: (channel: string) => number;
  /** Share to answer within the target (0.8 for 80 %). */
  serviceLevel: number;
  /** Share of paid time not spent answering (breaks, training); 0 by default. */
  shrinkage?: number;
  /** Highest share of time agents may be busy; 1 (no cap) by default. */
  maxOccupancy?: number;
}

export type StaffingFlag = 'understaffed' | 'overstaffed' | 'closed-with-traffic';

export interface StaffingHour {
  weekday: IsoWeekday;
  /** Local hour, 0–23. */
  hour: number;
  /** Mean arrivals in this hour of the week over the window, all channels. */
  arrivals: number;
  /** The same by channel, channels with arrivals only. */
  arrivalsByChannel: Record<string, number>;
  /** Agents to schedule (Erlang C per channel, summed, with shrinkage); null: no handling time known. */
  agentsNeeded: number | null;
  /** Mean number of the team's agents online in this hour over the window. */
  agentsOnline: number;
  /** Share of the hour the calendar was open, averaged over the window (holidays count as closed). */
  openShare: number;
  flags: StaffingFlag[];
}

export interface ChannelFigures {
  channel: string;
  arrivals: number;
  /** Mean handling time of the answered arrivals; null when none was answered (or all in 0 s). */
  handlingSeconds: number | null;
  targetSeconds: number;
}

export interface ClosedDayWithTraffic {
  /** Local date, "YYYY-MM-DD". */
  date: string;
  weekday: IsoWeekday;
  arrivals: number;
}

export interface StaffingPlan {
  from: Date;
  until: Date;
  weeks: number;
  timeZone: string;
  channels: ChannelFigures[];
  /** 168 hours, Monday 0:00 first. */
  hours: StaffingHour[];
  /** Dates in the window on which the calendar opens no working time but customers wrote. */
  closedDaysWithTraffic: ClosedDayWithTraffic[];
}

/** The planner's figures for one team; pure, so a scripted week can be checked by hand. */
export function planStaffing(input: StaffingPlanInput): StaffingPlan {
  const { calendar, weeks } = input;
  if (!(Number.isInteger(weeks) && weeks >= 1)) {
    throw new RangeError(`weeks must be a whole number ≥ 1, got ${weeks}`);
  }
  const until = input.until.getTime();
  const from = until - weeks * WEEK_MS;
  const inWindow = input.arrivals.filter((a) => a.at.getTime() >= from && a.at.getTime() < until);
  const channels = channelFigures(inWindow, input.targetSecondsOf);
  const arrivalCounts = new Map<string, number[]>(channels.map((c) => [c.channel, slots()]));
  for (const arrival of inWindow) {
    arrivalCounts.get(arrival.channel)![slotOf(calendar.timeZone, arrival.at.getTime())] += 1;
  }
  const online = onlineAgentHours(calendar.timeZone, input.presence, from, until);
  const open = openHours(calendar, from, until);
  const hours = slots().map((_, slot): StaffingHour => {
    const arrivalsByChannel: Record<string, number> = {};
    let needed: number | null = 0;
    for (const figures of channels) {
      const perHour = arrivalCounts.get(figures.channel)![slot] / weeks;
      if (perHour === 0) continue;
      arrivalsByChannel[figures.channel] = perHour;
      const handlingSeconds = figures.handlingSeconds ?? teamHandlingSeconds(channels);
      if (needed === null || handlingSeconds === null) {
        needed = null;
        continue;
      }
      // Each channel's queue is served on its own target, so their agents add up.
      needed += agentsForServiceLevel({
        arrivalsPerHour: perHour,
        handlingSeconds,
        targetSeconds: figures.targetSeconds,
        serviceLevel: input.serviceLevel,
        maxOccupancy: input.maxOccupancy,
      }).agents;
    }
    const agentsNeeded = needed === null ? null : withShrinkage(needed, input.shrinkage ?? 0);
    const arrivals = Object.values(arrivalsByChannel).reduce((sum, n) => sum + n, 0);
    const agentsOnline = online[slot] / weeks;
    const openShare = open[slot] / weeks;
    return {
      weekday: Math.floor(slot / 24) + 1,
      hour: slot % 24,
      arrivals,
      arrivalsByChannel,
      agentsNeeded,
      agentsOnline,
      openShare,
      flags: flagsOf(agentsNeeded, agentsOnline, openShare, arrivals),
    };
  });
  return {
    from: new Date(from),
    until: new Date(until),
    weeks,
    timeZone: calendar.timeZone,
    channels,
    hours,
    closedDaysWithTraffic: closedDaysWithTraffic(calendar, inWindow),
  };
}

/**
 * Fewer agents online than needed is understaffed; a whole agent or more beyond the need is
 * overstaffed (a fraction more is what rounding agents up to whole people leaves).
 */
function flagsOf(
  needed: number | null,
  online: number,
  openShare: number,
  arrivals: number,
): StaffingFlag[] {
  const flags: StaffingFlag[] = [];
  if (needed !== null && online < needed) flags.push('understaffed');
  if (needed !== null && online >= needed + 1) flags.push('overstaffed');
  if (openShare === 0 && arrivals > 0) flags.push('closed-with-traffic');
  return flags;
}

function channelFigures(
  arrivals: readonly Arrival[],
  targetSecondsOf: (channel: string) => number,
): ChannelFigures[] {
  const byChannel = new Map<string, { arrivals: number; handled: number; seconds: number }>();
  for (const arrival of arrivals) {
    const figures = byChannel.get(arrival.channel) ?? { arrivals: 0, handled: 0, seconds: 0 };
    figures.arrivals += 1;
    if (arrival.handlingSeconds !== undefined) {
      figures.handled += 1;
      figures.seconds += arrival.handlingSeconds;
    }
    byChannel.set(arrival.channel, figures);
  }
  return [...byChannel.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([channel, figures]) => ({
      channel,
      arrivals: figures.arrivals,
      // A mean of 0 s (every answer stamped the moment it was taken) tells nothing of the work.
      handlingSeconds: figures.seconds > 0 ? figures.seconds / figures.handled : null,
      targetSeconds: targetSecondsOf(channel),
    }));
}

/**
 * What a channel without an answered arrival is planned with: the team's mean over the channels
 * that have one, weighted by answered arrivals — better than planning no agents for it.
 */
function teamHandlingSeconds(channels: readonly ChannelFigures[]): number | null {
  let seconds = 0;
  let arrivals = 0;
  for (const figures of channels) {
    if (figures.handlingSeconds === null) continue;
    seconds += figures.handlingSeconds * figures.arrivals;
    arrivals += figures.arrivals;
  }
  return arrivals > 0 ? seconds / arrivals : null;
}

/** Agent-hours online per slot of the week, summed over the window. */
function onlineAgentHours(
  timeZone: string,
  presence: readonly PresenceChange[],
  from: number,
  until: number,
): number[] {
  const hours = slots();
  const byAgent = new Map<string, PresenceChange[]>();
  for (const change of presence) {
    byAgent.set(change.agentId, [...(byAgent.get(change.agentId) ?? []), change]);
  }
  for (const changes of byAgent.values()) {
    changes.sort((a, b) => a.at.getTime() - b.at.getTime());
    changes.forEach((change, index) => {
      if (!change.online) return;
      const start = Math.max(change.at.getTime(), from);
      const end = Math.min(changes[index + 1]?.at.getTime() ?? until, until);
      spreadOverSlots(timeZone, start, end, hours);
    });
  }
  return hours;
}

/** Calendar hours open per slot of the week, summed over the window's dates. */
function openHours(calendar: BusinessCalendar, from: number, until: number): number[] {
  const hours = slots();
  const firstDay = Math.floor(utcToLocal(calendar.timeZone, from) / DAY_MS) - 1;
  const lastDay = Math.floor(utcToLocal(calendar.timeZone, until) / DAY_MS);
  for (let day = firstDay; day <= lastDay; day += 1) {
    for (const interval of intervalsStartingOn(calendar, day)) {
      spreadOverSlots(
        calendar.timeZone,
        Math.max(interval.start, from),
        Math.min(interval.end, until),
        hours,
      );
    }
  }
  return hours;
}

/** Adds the hours of [start, end) to the slots of the local hours they fall in. */
function spreadOverSlots(timeZone: string, start: number, end: number, hours: number[]) {
  let t = start;
  while (t < end) {
    const localHourStart = Math.floor(utcToLocal(timeZone, t) / HOUR_MS) * HOUR_MS;
    // Never less than a step forward, also where a DST change makes the next local hour odd.
    const next = Math.max(localToUtc(timeZone, localHourStart + HOUR_MS), t + 1);
    const stop = Math.min(next, end);
    hours[slotOf(timeZone, t)] += (stop - t) / HOUR_MS;
    t = stop;
  }
}

function closedDaysWithTraffic(
  calendar: BusinessCalendar,
  arrivals: readonly Arrival[],
): ClosedDayWithTraffic[] {
  const byDay = new Map<number, number>();
  for (const arrival of arrivals) {
    const day = Math.floor(utcToLocal(calendar.timeZone, arrival.at.getTime()) / DAY_MS);
    byDay.set(day, (byDay.get(day) ?? 0) + 1);
  }
  return [...byDay.entries()]
    .filter(([day]) => intervalsStartingOn(calendar, day).length === 0)
    .sort(([a], [b]) => a - b)
    .map(([day, count]) => ({
      date: new Date(day * DAY_MS).toISOString().slice(0, 10),
      weekday: weekdayOf(day),
      arrivals: count,
    }));
}

/** The slot of the week an instant falls in locally: (weekday − 1) × 24 + hour. */
function slotOf(timeZone: string, t: number): number {
  const local = utcToLocal(timeZone, t);
  const day = Math.floor(local / DAY_MS);
  return (weekdayOf(day) - 1) * 24 + Math.floor((local - day * DAY_MS) / HOUR_MS);
}

/** ISO weekday of a day counted from 1970-01-01, a Thursday. */
function weekdayOf(day: number): IsoWeekday {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

function slots(): number[] {
  return new Array<number>(7 * 24).fill(0);
}
