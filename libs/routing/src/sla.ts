/**
 * SLA arithmetic, the one place for it (docs/adr/0015): which policy applies, when a ticket is
 * due, how a pause moves it, which zone it is in, whether a target was met. The router, the
 * tickets service and the KPIs call these; none computes a due time or a zone of its own.
 */
import { Channel, Priority } from '@firstline/contracts';
import { businessDurationMs } from './business-duration';
import { addBusinessTime, type BusinessCalendar } from './calendar';

/** Response and resolution targets for a kind of ticket (the contract's `SlaPolicy`). */
export interface SlaPolicy {
  id: string;
  /** Empty: every team. */
  teamId: string;
  /** `Channel.UNSPECIFIED`: every channel. */
  channel: Channel;
  /** `Priority.UNSPECIFIED`: every priority. */
  priority: Priority;
  firstResponseMinutes: number;
  /** 0: no resolution target. */
  resolutionMinutes: number;
  /** True: minutes count only while the team's calendar is open. */
  businessTime: boolean;
}

export interface SlaSubject {
  teamId: string;
  channel: Channel;
  priority: Priority;
}

/**
 * What applies when the directory has no matching policy: people expect an answer within a minute
 * in a messenger or a live chat, within the hour on a web form, and within a working day and a half by email.
 */
export const DEFAULT_SLA_POLICIES: readonly SlaPolicy[] = [
  defaultPolicy('default-telegram', Channel.TELEGRAM, 1),
  defaultPolicy('default-vk', Channel.VK, 1),
  defaultPolicy('default-ok', Channel.OK, 1),
  defaultPolicy('default-chat', Channel.CHAT, 1),
  defaultPolicy('default-webform', Channel.WEBFORM, 60),
  defaultPolicy('default-email', Channel.EMAIL, 12 * 60),
];

function defaultPolicy(id: string, channel: Channel, firstResponseMinutes: number): SlaPolicy {
  return {
    id,
    teamId: '',
    channel,
    priority: Priority.UNSPECIFIED,
    firstResponseMinutes,
    resolutionMinutes: 0,
    businessTime: true,
  };
}

/**
 * Why the policy cannot be used, or undefined when it can: a first-response target of 0 would
 * breach every ticket on arrival (and raise its priority and notify the supervisor), and a
 * resolution due before the first response is a typing slip. The directory refuses such a policy.
 */
export function slaPolicyProblem(
  policy: Pick<SlaPolicy, 'firstResponseMinutes' | 'resolutionMinutes'>,
): string | undefined {
  if (!(policy.firstResponseMinutes >= 1)) {
    return 'firstResponseMinutes must be at least 1: a target of 0 breaches every ticket on arrival';
  }
  if (policy.resolutionMinutes !== 0 && policy.resolutionMinutes < policy.firstResponseMinutes) {
    return `resolutionMinutes must be 0 (no target) or at least firstResponseMinutes (${policy.firstResponseMinutes})`;
  }
  return undefined;
}

/**
 * The most specific policy whose set fields all match: a team match outweighs a channel match,
 * which outweighs a priority match. Falls back to the defaults; undefined when none applies.
 * Among equally specific policies the first listed wins.
 */
export function findSlaPolicy(
  policies: readonly SlaPolicy[],
  subject: SlaSubject,
): SlaPolicy | undefined {
  return mostSpecific(policies, subject) ?? mostSpecific(DEFAULT_SLA_POLICIES, subject);
}

function mostSpecific(policies: readonly SlaPolicy[], subject: SlaSubject): SlaPolicy | undefined {
  let best: SlaPolicy | undefined;
  let bestScore = -1;
  for (const policy of policies) {
    const score = specificity(policy, subject);
    if (score > bestScore) {
      best = policy;
      bestScore = score;
    }
  }
  return best;
}

/** -1 when the policy does not apply; otherwise higher is more specific. */
function specificity(policy: SlaPolicy, subject: SlaSubject): number {
  if (policy.teamId && policy.teamId !== subject.teamId) return -1;
  if (policy.channel !== Channel.UNSPECIFIED && policy.channel !== subject.channel) return -1;
  if (policy.priority !== Priority.UNSPECIFIED && policy.priority !== subject.priority) return -1;
  return (
    (policy.teamId ? 4 : 0) +
    (policy.channel !== Channel.UNSPECIFIED ? 2 : 0) +
    (policy.priority !== Priority.UNSPECIFIED ? 1 : 0)
  );
}

export interface SlaDueTimes {
  firstResponseDueAt: Date;
  /** Unset when the policy has no resolution target. */
  resolutionDueAt?: Date;
}

/** When the first reply and the resolution are due for a ticket whose clock starts at `start`. */
export function computeDueTimes(
  policy: SlaPolicy,
  calendar: BusinessCalendar,
  start: Date,
): SlaDueTimes {
  const due = (minutes: number) =>
    policy.businessTime
      ? addBusinessTime(calendar, start, minutes)
      : new Date(start.getTime() + minutes * 60_000);
  return {
    firstResponseDueAt: due(policy.firstResponseMinutes),
    ...(policy.resolutionMinutes > 0 ? { resolutionDueAt: due(policy.resolutionMinutes) } : {}),
  };
}

/**
 * The due times of a new or reopened ticket from `start`: the policy's, in the team's calendar,
 * except that a callback request is due at the end of the window the customer asked for. No
 * policy: no targets (a callback is still due).
 */
export function ticketDueTimes(
  policy: SlaPolicy | undefined,
  calendar: BusinessCalendar,
  start: Date,
  callbackDueAt?: Date,
): { firstResponseDueAt?: Date; resolutionDueAt?: Date } {
  if (!policy) return callbackDueAt ? { firstResponseDueAt: callbackDueAt } : {};
  const due = computeDueTimes(policy, calendar, start);
  return { ...due, firstResponseDueAt: callbackDueAt ?? due.firstResponseDueAt };
}

/**
 * The resolution due time after a pause (the ticket waited on the customer from `pausedAt` to
 * `resumedAt`): moved on by the business time that passed, so waiting on the customer never
 * counts against the team.
 */
export function resumedResolutionDueAt(
  calendar: BusinessCalendar,
  resolutionDueAt: Date | null,
  pausedAt: Date,
  resumedAt: Date,
): Date | null {
  const pausedMs = businessDurationMs(calendar, pausedAt, resumedAt);
  return resolutionDueAt && pausedMs > 0
    ? addBusinessTime(calendar, resolutionDueAt, pausedMs / 60_000)
    : resolutionDueAt;
}

/** Traffic-light zones: how close a ticket is to its SLA due time. */
export type SlaZone = 'green' | 'yellow' | 'red';

export const SLA_ZONES: readonly SlaZone[] = ['green', 'yellow', 'red'];

/** Share of the time between start and due after which a ticket turns yellow. */
export const YELLOW_AFTER_SHARE = 0.75;

/**
 * The due time that matters now — first response until answered, then resolution — and the
 * moment the ticket turns yellow against it (at `YELLOW_AFTER_SHARE` of the time from its
 * creation). None while paused: the clock stands still, so the ticket is green. Stored beside the
 * ticket, they let a database filter by zone with two comparisons against now.
 */
export function currentDueTimes(ticket: {
  createdAt: Date;
  firstResponseDueAt: Date | null;
  resolutionDueAt: Date | null;
  firstRespondedAt: Date | null;
  pausedSince: Date | null;
}): { dueAt: Date | null; yellowAt: Date | null } {
  const dueAt = ticket.pausedSince
    ? null
    : ticket.firstRespondedAt
      ? ticket.resolutionDueAt
      : (ticket.firstResponseDueAt ?? ticket.resolutionDueAt);
  if (!dueAt) return { dueAt: null, yellowAt: null };
  const start = ticket.createdAt.getTime();
  return {
    dueAt,
    yellowAt: new Date(start + (dueAt.getTime() - start) * YELLOW_AFTER_SHARE),
  };
}

/** The zone at `now` from those two times: red once due, yellow once past the yellow time. */
export function slaZone(times: { dueAt: Date | null; yellowAt: Date | null }, now: Date): SlaZone {
  if (times.dueAt && times.dueAt <= now) return 'red';
  if (times.yellowAt && times.yellowAt <= now) return 'yellow';
  return 'green';
}

/** Whether a target was met: done by its due time, missed after it, pending while neither. */
export function slaOutcome(
  dueAt: Date | undefined,
  doneAt: Date | undefined,
  now: Date,
): 'met' | 'missed' | 'pending' {
  if (!dueAt) return 'pending';
  if (doneAt) return doneAt <= dueAt ? 'met' : 'missed';
  return now > dueAt ? 'missed' : 'pending';
}
