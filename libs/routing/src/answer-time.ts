/**
 * The answer time a waiting customer is told: where they stand in their team's queue and when an
 * agent is likely to answer (docs/adr/0023-answer-time.md). A queued ticket starts when `position`
 * agent slots have freed; with every slot busy and handling times exponential, slots free one at a
 * time at rate slots / mean handling time, so the wait is Erlang-distributed with `position`
 * phases (the M/M/c waiting time of an arrival that finds the queue in front of it). The customer
 * is promised the time by which that wait ends with PROMISE_CONFIDENCE, never later than the SLA
 * due time, and counted on the team's calendar.
 */
import { addBusinessTime, type BusinessCalendar } from './calendar';

/** How sure a promise is: four customers in five are answered by the time they are told. */
export const PROMISE_CONFIDENCE = 0.8;

export interface QueueSnapshot {
  /** The ticket's place in its team's queue, 1 = next; 0 when an agent already has it. */
  position: number;
  /** Ticket slots of the team's online agents for the ticket's channel (agents × capacity). */
  slots: number;
  /** Mean time an agent's slot is held by a ticket, from the team's recent tickets; unset: unknown. */
  meanHandlingMs?: number;
}

export interface AnswerEstimate {
  position: number;
  /** When the customer is promised an answer. */
  answerAt: Date;
  /** What set it: the queue's forecast, or the SLA due time when that comes first or nothing else is known. */
  basis: 'queue' | 'sla';
}

/**
 * The promise for a ticket at `now`: the queue's forecast counted in the calendar's working time,
 * capped by the first-response due time. Without a forecast (no agent online, no handling times
 * yet, or an agent already has it) the due time is the promise; without either, there is none.
 */
export function estimateAnswerTime(
  queue: QueueSnapshot,
  calendar: BusinessCalendar,
  now: Date,
  firstResponseDueAt: Date | undefined,
  confidence = PROMISE_CONFIDENCE,
): AnswerEstimate | undefined {
  const waitMs = queueWaitMs(queue, confidence);
  const forecast =
    waitMs === undefined ? undefined : addBusinessTime(calendar, now, waitMs / 60_000);
  if (forecast && (!firstResponseDueAt || forecast < firstResponseDueAt)) {
    return { position: queue.position, answerAt: forecast, basis: 'queue' };
  }
  return firstResponseDueAt
    ? { position: queue.position, answerAt: firstResponseDueAt, basis: 'sla' }
    : undefined;
}

/** The working time by which a queued ticket reaches an agent with `confidence`; unset if unknown. */
export function queueWaitMs(queue: QueueSnapshot, confidence: number): number | undefined {
  const { position, slots, meanHandlingMs } = queue;
  if (position < 1 || slots < 1 || !meanHandlingMs || meanHandlingMs <= 0) return undefined;
  return erlangQuantile(position, slots / meanHandlingMs, confidence);
}

/** Mean wait of the `position`-th in line: position × mean handling time / slots. */
export function meanQueueWaitMs(position: number, slots: number, meanHandlingMs: number): number {
  return (position * meanHandlingMs) / slots;
}

/** P(wait ≤ t) for an Erlang wait of `phases` phases at `rate`: 1 − Poisson(phases − 1; rate·t). */
export function erlangCdf(phases: number, rate: number, t: number): number {
  if (t <= 0) return 0;
  const x = rate * t;
  let term = Math.exp(-x);
  let sum = term;
  for (let i = 1; i < phases; i += 1) {
    term *= x / i;
    sum += term;
  }
  return Math.max(0, 1 - sum);
}

/** The t with erlangCdf(phases, rate, t) = p, by bisection (the CDF rises monotonically). */
export function erlangQuantile(phases: number, rate: number, p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`erlangQuantile: p must be in (0, 1), got ${p}`);
  let low = 0;
  let high = phases / rate;
  while (erlangCdf(phases, rate, high) < p) high *= 2;
  for (let step = 0; step < 100 && high - low > high * 1e-12; step += 1) {
    const middle = (low + high) / 2;
    if (erlangCdf(phases, rate, middle) < p) low = middle;
    else high = middle;
  }
  return high;
}
