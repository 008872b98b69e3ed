/** The part of a Team that says where its unclaimed tickets overflow to. */
export interface TeamOverflow {
  id: string;
  overflowTeamId: string;
  overflowAfterSeconds: number;
}

/**
 * Why a team's overflow setting cannot work, or undefined when it can: the overflow team must be
 * another team that exists, and a waiting time needs a team to overflow to.
 */
export function overflowProblem(
  team: TeamOverflow,
  overflowTeamExists: boolean,
): string | undefined {
  if (!team.overflowTeamId) {
    return team.overflowAfterSeconds > 0
      ? 'overflowAfterSeconds: set overflowTeamId too, or 0 for no overflow'
      : undefined;
  }
  if (team.overflowTeamId === team.id) {
    return `overflowTeamId: team ${team.id} cannot overflow to itself`;
  }
  if (!overflowTeamExists) return `overflowTeamId: no team ${team.overflowTeamId}`;
  return undefined;
}
