import type { EntityManager } from 'typeorm';
import { TicketDisposition, type RoutingDecision } from '@firstline/contracts';
import { answerEstimates } from './answer-estimates.store';
import { decision } from './decisions';
import { loadRoutingPolicies } from './directory.store';
import { teamCalendar } from './route-batch';
import type { TicketRow } from './tickets.store';

/**
 * How many of a team's waiting customers are told their new place when the queue moves. Those
 * further back keep their last promise until they come this near: announcing everyone on every
 * assignment would cost a decision per waiting ticket per assignment.
 */
const ANNOUNCED_PER_TEAM = 50;

/**
 * QUEUE_MOVED decisions for the tickets waiting at the front of these teams' queues, after
 * tickets ahead of them were assigned: their place and promise now (docs/adr/0023).
 */
export async function queueMoves(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<RoutingDecision[]> {
  if (teamIds.length === 0) return [];
  const waiting: TicketRow[] = await manager.query(
    `SELECT * FROM (
       SELECT *, row_number() OVER (
                PARTITION BY team_id
                ORDER BY priority DESC, first_response_due_at NULLS LAST, queued_at, id
              ) AS place
         FROM routing.ticket
        WHERE state = 'open' AND assigned_agent_id IS NULL AND team_id = ANY($1)
     ) AS queue
     WHERE place <= $2`,
    [teamIds, ANNOUNCED_PER_TEAM],
  );
  if (waiting.length === 0) return [];
  const policies = await loadRoutingPolicies(manager);
  const estimates = await answerEstimates(
    manager,
    (teamId) => teamCalendar(policies, teamId),
    waiting,
    now,
  );
  return waiting.flatMap((ticket) => {
    const answerEstimate = estimates.get(ticket.id);
    return answerEstimate
      ? [decision(ticket, { disposition: TicketDisposition.QUEUE_MOVED, now, answerEstimate })]
      : [];
  });
}
