import { slaOutcome, type SlaZone } from '@firstline/routing';
import { isOnTime, type CallbackTask } from './callbacks';
import type { TicketStatus } from './lifecycle';

/** What the KPIs read of a ticket; times are calendar times. */
export interface KpiTicket {
  channel: string;
  teamId: string;
  agentId?: string;
  status: TicketStatus;
  createdAt: Date;
  firstRespondedAt?: Date;
  /** Last resolution; unset while the ticket is unresolved. */
  resolvedAt?: Date;
  reopenCount: number;
  firstResponseDueAt?: Date;
  resolutionDueAt?: Date;
  /** The answer time the acknowledgement promised (docs/adr/0023); unset when none was told. */
  promisedAnswerAt?: Date;
  /** 1–5; unset until the customer answers the survey. */
  csatScore?: number;
  /** The callbacks the customer asked for on the ticket. */
  callbacks?: Array<Pick<CallbackTask, 'windowEndsAt' | 'doneAt' | 'attempts'>>;
}

export interface KpiSummary {
  tickets: number;
  /** Mean ms from creation to the first agent reply, over tickets answered; null when none. */
  firstResponseMs: number | null;
  /** Mean ms from creation to resolution, over tickets resolved; null when none. */
  resolutionMs: number | null;
  /** Tickets reopened at least once, over tickets resolved at least once. */
  reopenRate: number | null;
  csatAverage: number | null;
  /** Share of survey answers of 4 or 5. */
  csatSatisfiedShare: number | null;
  csatResponses: number;
  /** Targets met, over targets that were met or are past due (first response and resolution). */
  slaCompliance: number | null;
  /** Answer times promised to customers that came due: answered or past the promised time. */
  answerPromises: number;
  /** Of those, the share whose first response came by the promised time. */
  answerPromisesKept: number | null;
  /** Tickets neither resolved nor closed. */
  backlog: number;
  /** Callbacks customers asked for. */
  callbacks: number;
  /** Of those, done: the customer reached by a call or another way. */
  callbacksCompleted: number;
  /** Of those, done by the end of the window the customer asked for. */
  callbacksOnTime: number;
  /** Calls made for them, answered or not. */
  callbackAttempts: number;
}

export function summarise(tickets: readonly KpiTicket[], now: Date): KpiSummary {
  const answered = tickets.filter((t) => t.firstRespondedAt);
  const resolved = tickets.filter((t) => t.resolvedAt);
  const everResolved = tickets.filter((t) => t.resolvedAt || t.reopenCount > 0);
  const scores = tickets.flatMap((t) => (t.csatScore === undefined ? [] : [t.csatScore]));
  const targets = tickets.flatMap((t) => [
    slaOutcome(t.firstResponseDueAt, t.firstRespondedAt, now),
    slaOutcome(t.resolutionDueAt, t.resolvedAt, now),
  ]);
  const measured = targets.filter((outcome) => outcome !== 'pending');
  const promises = tickets
    .map((t) => slaOutcome(t.promisedAnswerAt, t.firstRespondedAt, now))
    .filter((outcome) => outcome !== 'pending');
  const callbacks = tickets.flatMap((t) => t.callbacks ?? []);
  return {
    tickets: tickets.length,
    firstResponseMs: mean(
      answered.map((t) => t.firstRespondedAt!.getTime() - t.createdAt.getTime()),
    ),
    resolutionMs: mean(resolved.map((t) => t.resolvedAt!.getTime() - t.createdAt.getTime())),
    reopenRate: ratio(everResolved.filter((t) => t.reopenCount > 0).length, everResolved.length),
    csatAverage: mean(scores),
    csatSatisfiedShare: ratio(scores.filter((score) => score >= 4).length, scores.length),
    csatResponses: scores.length,
    slaCompliance: ratio(measured.filter((outcome) => outcome === 'met').length, measured.length),
    answerPromises: promises.length,
    answerPromisesKept: ratio(
      promises.filter((outcome) => outcome === 'met').length,
      promises.length,
    ),
    backlog: tickets.filter((t) => t.status !== 'resolved' && t.status !== 'closed').length,
    callbacks: callbacks.length,
    callbacksCompleted: callbacks.filter((callback) => callback.doneAt).length,
    callbacksOnTime: callbacks.filter(isOnTime).length,
    callbackAttempts: callbacks.reduce((sum, callback) => sum + callback.attempts, 0),
  };
}

export type KpiDimension = 'channel' | 'team' | 'agent' | 'day' | 'week';

/** KPIs per channel, team, agent, day or ISO week (of creation, UTC), keys in ascending order. */
export function summariseBy(
  tickets: readonly KpiTicket[],
  dimension: KpiDimension,
  now: Date,
): Array<{ key: string; summary: KpiSummary }> {
  const groups = new Map<string, KpiTicket[]>();
  for (const ticket of tickets) {
    const key = dimensionKey(ticket, dimension);
    groups.set(key, [...(groups.get(key) ?? []), ticket]);
  }
  return [...groups.keys()]
    .sort()
    .map((key) => ({ key, summary: summarise(groups.get(key)!, now) }));
}

function dimensionKey(ticket: KpiTicket, dimension: KpiDimension): string {
  switch (dimension) {
    case 'channel':
      return ticket.channel;
    case 'team':
      return ticket.teamId;
    case 'agent':
      return ticket.agentId ?? '';
    case 'day':
      return ticket.createdAt.toISOString().slice(0, 10);
    case 'week':
      return isoWeek(ticket.createdAt);
  }
}

/** ISO 8601 week of a UTC date, e.g. "2026-W48". */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday); // the week's Thursday decides its year
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

/** A KPI's target: green at or better than `green`, yellow up to `yellow`, red beyond. */
export interface KpiThresholds {
  green: number;
  yellow: number;
  /** True for rates like CSAT and compliance, false for times and reopen rates. */
  higherIsBetter: boolean;
}

export function kpiZone(value: number, thresholds: KpiThresholds): SlaZone {
  const better = (a: number, b: number) => (thresholds.higherIsBetter ? a >= b : a <= b);
  if (better(value, thresholds.green)) return 'green';
  if (better(value, thresholds.yellow)) return 'yellow';
  return 'red';
}

/** A target per KPI: each KPI with one gets a traffic-light zone. */
export type KpiTargets = Partial<Record<keyof KpiSummary, KpiThresholds>>;

const HOUR_MS = 60 * 60 * 1000;

/** Defaults a support lead can start from; each one is configurable. */
export const DEFAULT_KPI_TARGETS: KpiTargets = {
  firstResponseMs: { green: 1 * HOUR_MS, yellow: 4 * HOUR_MS, higherIsBetter: false },
  resolutionMs: { green: 24 * HOUR_MS, yellow: 72 * HOUR_MS, higherIsBetter: false },
  reopenRate: { green: 0.05, yellow: 0.1, higherIsBetter: false },
  csatAverage: { green: 4.5, yellow: 4, higherIsBetter: true },
  csatSatisfiedShare: { green: 0.9, yellow: 0.8, higherIsBetter: true },
  slaCompliance: { green: 0.95, yellow: 0.9, higherIsBetter: true },
  // Promises are made at 80% confidence (PROMISE_CONFIDENCE): kept that often, they are honest.
  answerPromisesKept: { green: 0.8, yellow: 0.65, higherIsBetter: true },
  backlog: { green: 50, yellow: 100, higherIsBetter: false },
};

/** The zone of every KPI of a summary that has a target and a value. */
export function kpiZones(
  summary: KpiSummary,
  targets: KpiTargets,
): Partial<Record<keyof KpiSummary, SlaZone>> {
  const zones: Partial<Record<keyof KpiSummary, SlaZone>> = {};
  for (const [name, thresholds] of Object.entries(targets) as Array<
    [keyof KpiSummary, KpiThresholds]
  >) {
    const value = summary[name];
    if (value !== null) zones[name] = kpiZone(value, thresholds);
  }
  return zones;
}
