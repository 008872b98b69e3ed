import type { EntityManager } from 'typeorm';
import { Presence, type Channel } from '@firstline/contracts';
import {
  canTake,
  chooseAgent,
  drainQueue,
  type AgentState,
  type QueueAssignment,
  type TicketNeeds,
} from '@firstline/routing';
import type { TicketRow } from './tickets.store';

interface AgentRow {
  id: string;
  active: boolean;
  presence: Presence;
  team_ids: string[];
  skill_levels: Record<string, number>;
  capacity: Record<string, number>;
  idle_since: Date;
}

const AGENT_COLUMNS = 'id, active, presence, team_ids, skill_levels, capacity, idle_since';

/**
 * Picks an agent for a ticket and counts it against their capacity, or returns undefined to
 * queue it. Candidates are read without locks; the chosen one's row is then locked and their load
 * counted again, so that two router instances can never both fill an agent's last free slot.
 */
export async function assignAgent(
  manager: EntityManager,
  ticket: TicketNeeds,
  now: Date,
): Promise<string | undefined> {
  let candidates = await agentStates(
    manager,
    await manager.query(
      `SELECT ${AGENT_COLUMNS} FROM routing.agent
        WHERE active AND presence = $1 AND $2 = ANY(team_ids)`,
      [Presence.ONLINE, ticket.teamId],
    ),
  );
  // Each pass either assigns or drops a candidate another instance filled meanwhile.
  while (candidates.length > 0) {
    const chosen = chooseAgent(ticket, candidates);
    if (!chosen) return undefined;
    const [locked] = await agentStates(
      manager,
      await manager.query(`SELECT ${AGENT_COLUMNS} FROM routing.agent WHERE id = $1 FOR UPDATE`, [
        chosen.id,
      ]),
    );
    if (locked && canTake(locked, ticket)) {
      await markAssigned(manager, chosen.id, now);
      return chosen.id;
    }
    candidates = candidates.filter((candidate) => candidate.id !== chosen.id);
  }
  return undefined;
}

/**
 * Hands queued tickets of these teams to online agents with room. Locks the teams' agents in id
 * order (so that concurrent drains take turns instead of deadlocking) and plans with `drainQueue`;
 * then locks each planned ticket, skipping one another transaction holds (a message appending to
 * it): the next drain takes it. Returns the assignments made.
 */
export async function drainTeamQueues(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<Array<QueueAssignment & { ticket: TicketRow }>> {
  if (teamIds.length === 0) return [];
  const agents = await agentStates(
    manager,
    await manager.query(
      `SELECT ${AGENT_COLUMNS} FROM routing.agent
        WHERE active AND presence = $1 AND team_ids && $2
        ORDER BY id FOR UPDATE`,
      [Presence.ONLINE, teamIds],
    ),
  );
  const hasRoom = agents.some((agent) =>
    [...agent.capacity].some(([channel, max]) => (agent.load.get(channel) ?? 0) < max),
  );
  if (!hasRoom) return [];
  const queued: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket
      WHERE state = 'open' AND assigned_agent_id IS NULL AND team_id = ANY($1)
      ORDER BY priority DESC, first_response_due_at NULLS LAST, queued_at, id
      LIMIT 1000`,
    [teamIds],
  );
  const lastAgents = await lastAgentsOf(
    manager,
    queued.map((ticket) => ticket.customer_id),
  );
  const plan = drainQueue(
    queued.map((ticket) => ({
      ticketId: ticket.id,
      teamId: ticket.team_id,
      skillIds: ticket.skill_ids,
      channel: ticket.channel,
      lastAgentId: lastAgents.get(ticket.customer_id),
      priority: ticket.priority,
      firstResponseDueAt: ticket.first_response_due_at ?? undefined,
      queuedAt: ticket.queued_at,
    })),
    agents,
    now,
  );
  const made: Array<QueueAssignment & { ticket: TicketRow }> = [];
  for (const assignment of plan) {
    const [ticket]: TicketRow[] = await manager.query(
      `SELECT * FROM routing.ticket
        WHERE id = $1 AND state = 'open' AND assigned_agent_id IS NULL
        FOR UPDATE SKIP LOCKED`,
      [assignment.ticketId],
    );
    if (!ticket) continue;
    await manager.query(`UPDATE routing.ticket SET assigned_agent_id = $2 WHERE id = $1`, [
      ticket.id,
      assignment.agentId,
    ]);
    await manager.query(`UPDATE routing.customer SET last_agent_id = $2 WHERE id = $1`, [
      ticket.customer_id,
      assignment.agentId,
    ]);
    await markAssigned(manager, assignment.agentId, now);
    made.push({ ...assignment, ticket: { ...ticket, assigned_agent_id: assignment.agentId } });
  }
  return made;
}

/** Teams with tickets waiting in their queue. */
export async function teamsWithQueuedTickets(manager: EntityManager): Promise<string[]> {
  const rows: Array<{ team_id: string }> = await manager.query(
    `SELECT DISTINCT team_id FROM routing.ticket WHERE state = 'open' AND assigned_agent_id IS NULL`,
  );
  return rows.map((row) => row.team_id);
}

/** The teams an agent works in, to drain when the agent frees up. */
export async function teamsOfAgent(manager: EntityManager, agentId: string): Promise<string[]> {
  const rows: Array<{ team_ids: string[] }> = await manager.query(
    `SELECT team_ids FROM routing.agent WHERE id = $1`,
    [agentId],
  );
  return rows[0]?.team_ids ?? [];
}

async function markAssigned(manager: EntityManager, agentId: string, now: Date): Promise<void> {
  await manager.query(`UPDATE routing.agent SET idle_since = $2 WHERE id = $1`, [agentId, now]);
}

async function lastAgentsOf(
  manager: EntityManager,
  customerIds: string[],
): Promise<Map<string, string>> {
  const rows: Array<{ id: string; last_agent_id: string }> = await manager.query(
    `SELECT id, last_agent_id FROM routing.customer
      WHERE id = ANY($1) AND last_agent_id IS NOT NULL`,
    [customerIds],
  );
  return new Map(rows.map((row) => [row.id, row.last_agent_id]));
}

/** Agent rows with their open tickets per channel, counted now. */
async function agentStates(manager: EntityManager, rows: AgentRow[]): Promise<AgentState[]> {
  if (rows.length === 0) return [];
  const loads: Array<{ agent_id: string; channel: Channel; open: number }> = await manager.query(
    `SELECT assigned_agent_id AS agent_id, channel, count(*)::int AS open FROM routing.ticket
      WHERE state = 'open' AND assigned_agent_id = ANY($1)
      GROUP BY assigned_agent_id, channel`,
    [rows.map((row) => row.id)],
  );
  return rows.map((row) => ({
    id: row.id,
    active: row.active,
    presence: row.presence,
    teamIds: row.team_ids,
    skillLevels: new Map(Object.entries(row.skill_levels)),
    capacity: new Map(
      Object.entries(row.capacity).map(([channel, max]) => [Number(channel) as Channel, max]),
    ),
    load: new Map(
      loads.filter((load) => load.agent_id === row.id).map((load) => [load.channel, load.open]),
    ),
    idleSince: row.idle_since,
  }));
}
