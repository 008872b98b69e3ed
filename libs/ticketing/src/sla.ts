/** Traffic-light zones: how close a ticket is to its SLA due time, or a KPI to its target. */
export type SlaZone = 'green' | 'yellow' | 'red';

export const SLA_ZONES: readonly SlaZone[] = ['green', 'yellow', 'red'];

export interface SlaZoneThresholds {
  /** Share of the time between start and due after which a ticket turns yellow (0–1). */
  yellowAfterShare: number;
}

export const DEFAULT_SLA_ZONE_THRESHOLDS: SlaZoneThresholds = { yellowAfterShare: 0.75 };

/**
 * Where a ticket stands against a due time: green with time to spare, yellow once most of the
 * time is used, red when it is past due. A ticket without a due time is green.
 */
export function slaZone(
  window: { startedAt: Date; dueAt?: Date },
  now: Date,
  thresholds: SlaZoneThresholds = DEFAULT_SLA_ZONE_THRESHOLDS,
): SlaZone {
  if (!window.dueAt) return 'green';
  const due = window.dueAt.getTime();
  if (now.getTime() >= due) return 'red';
  const total = due - window.startedAt.getTime();
  const used = now.getTime() - window.startedAt.getTime();
  return total > 0 && used / total >= thresholds.yellowAfterShare ? 'yellow' : 'green';
}

/**
 * The moment a ticket turns yellow: stored beside the due time, it lets a database filter tickets
 * by zone with two comparisons against now.
 */
export function yellowFrom(
  window: { startedAt: Date; dueAt: Date },
  thresholds: SlaZoneThresholds = DEFAULT_SLA_ZONE_THRESHOLDS,
): Date {
  const start = window.startedAt.getTime();
  return new Date(start + (window.dueAt.getTime() - start) * thresholds.yellowAfterShare);
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
