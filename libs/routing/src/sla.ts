import { Channel, Priority } from '@firstline/contracts';
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
 * in a messenger, within the hour on a web form, and within a working day and a half by email.
 */
export const DEFAULT_SLA_POLICIES: readonly SlaPolicy[] = [
  defaultPolicy('default-telegram', Channel.TELEGRAM, 1),
  defaultPolicy('default-vk', Channel.VK, 1),
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
