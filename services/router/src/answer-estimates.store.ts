import type { EntityManager } from 'typeorm';
import { Presence } from '@firstline/contracts';
import { estimateAnswerTime, type AnswerEstimate, type BusinessCalendar } from '@firstline/routing';
import { capacityOf, TEAM_CHAT_DEFAULTS } from './assignment.store';
import { queuePositions, type TicketRow } from './tickets.store';

/** The handling times a forecast learns from: the team's latest resolved tickets of the week. */
const HANDLING_SAMPLE = 50;
const HANDLING_WINDOW_MS = 7 * 24 * 60 * 60_000;

/**
 * What each of these tickets' customers is promised now (libs/routing answer-time.ts): their
 * place in the team's queue, the team's online slots for the ticket's channel and its recent
 * handling times, in three statements whatever the number of tickets. A ticket an agent already
 * has is promised its first-response due time.
 */
export async function answerEstimates(
  manager: EntityManager,
  calendarOf: (teamId: string) => BusinessCalendar,
  tickets: TicketRow[],
  now: Date,
): Promise<Map<string, AnswerEstimate>> {
  if (tickets.length === 0) return new Map();
  const teamIds = [...new Set(tickets.map((ticket) => ticket.team_id))];
  // One after another: the statements share the transaction's connection.
  const positions = await queuePositions(
    manager,
    tickets.filter((ticket) => !ticket.assigned_agent_id),
  );
  const slots = await onlineSlots(manager, teamIds);
  const handling = await meanHandlingTimes(manager, teamIds, now);
  const estimates = new Map<string, AnswerEstimate>();
  for (const ticket of tickets) {
    const estimate = estimateAnswerTime(
      {
        position: positions.get(ticket.id) ?? 0,
        slots: slots.get(`${ticket.team_id} ${ticket.channel}`) ?? 0,
        meanHandlingMs: handling.get(ticket.team_id),
      },
      calendarOf(ticket.team_id),
      now,
      ticket.first_response_due_at ?? undefined,
    );
    if (estimate) estimates.set(ticket.id, estimate);
  }
  return estimates;
}

/**
 * Tickets the online agents of these teams can hold at once, by "team channel": each agent's
 * capacity as assignment counts it (a team's chat default included), added up per team.
 */
async function onlineSlots(
  manager: EntityManager,
  teamIds: string[],
): Promise<Map<string, number>> {
  const agents: Array<{
    team_ids: string[];
    capacity: Record<string, number>;
    team_chat_defaults: number[];
  }> = await manager.query(
    `SELECT team_ids, capacity, ${TEAM_CHAT_DEFAULTS}
       FROM routing.agent a WHERE active AND presence = $1 AND team_ids && $2`,
    [Presence.ONLINE, teamIds],
  );
  const slots = new Map<string, number>();
  for (const agent of agents) {
    for (const [channel, max] of capacityOf(agent)) {
      for (const teamId of agent.team_ids) {
        const key = `${teamId} ${channel}`;
        slots.set(key, (slots.get(key) ?? 0) + max);
      }
    }
  }
  return slots;
}

/**
 * How long a ticket held an agent's slot, per team, over its latest resolved tickets: from
 * queueing to resolution, since the router does not keep the moment of assignment. For a ticket
 * that waited this counts its wait too, which errs towards later promises (docs/adr/0023).
 */
async function meanHandlingTimes(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<Map<string, number>> {
  const rows: Array<{ team_id: string; mean_ms: number }> = await manager.query(
    `SELECT team_id, avg(handling_ms)::float8 AS mean_ms FROM (
       SELECT team_id, extract(epoch FROM resolved_at - queued_at) * 1000 AS handling_ms,
              row_number() OVER (PARTITION BY team_id ORDER BY resolved_at DESC) AS recent
         FROM routing.ticket
        WHERE team_id = ANY($1) AND resolved_at > $2 AND resolved_at > queued_at
     ) AS resolved
     WHERE recent <= $3
     GROUP BY team_id`,
    [teamIds, new Date(now.getTime() - HANDLING_WINDOW_MS), HANDLING_SAMPLE],
  );
  return new Map(rows.map((row) => [row.team_id, row.mean_ms]));
}
