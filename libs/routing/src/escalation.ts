import { Priority } from '@firstline/contracts';

/** A breached first response makes the ticket one level more urgent, up to urgent. */
export function escalatedPriority(priority: Priority): Priority {
  return Math.min(Math.max(priority, Priority.LOW) + 1, Priority.URGENT) as Priority;
}

/** When a ticket queued at `queuedAt` overflows its team, or undefined when the team has no overflow. */
export function overflowDueAt(
  team: { overflowTeamId: string; overflowAfterSeconds: number } | undefined,
  queuedAt: Date,
): Date | undefined {
  if (!team?.overflowTeamId || team.overflowAfterSeconds <= 0) return undefined;
  return new Date(queuedAt.getTime() + team.overflowAfterSeconds * 1000);
}
