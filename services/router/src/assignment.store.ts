import type { EntityManager } from 'typeorm';
import { Presence, type Channel } from '@firstline/contracts';
import { write, type JoinableWrite } from '@firstline/persistence';
import {
  agentCapacity,
  drainQueue,
  type AgentState,
  type QueueAssignment,
} from '@firstline/routing';
import { lastAgentsUpdate } from './customers.store';
import { HOLDS_ITS_AGENT, type TicketRow } from './tickets.store';

interface AgentRow {
  id: string;
  active: boolean;
  presence: Presence;
  team_ids: string[];
  skill_levels: Record<string, number>;
  capacity: Record<string, number>;
  team_chat_defaults: number[];
  idle_since: Date;
}

/** The chat defaults of an agent's teams (`a`), for `agentCapacity`. */
export const TEAM_CHAT_DEFAULTS = `ARRAY(SELECT chats FROM routing.team_chat_capacity
  WHERE team_id = ANY(a.team_ids)) AS team_chat_defaults`;

const AGENT_COLUMNS = `id, active, presence, team_ids, skill_levels, capacity, idle_since,
  ${TEAM_CHAT_DEFAULTS}`;

/**
 * The online agents of these teams with their load counted now. With `lock`, their rows are
 * locked in id order, so that concurrent assignments take turns instead of deadlocking: every
 * assignment to an agent happens under that agent's row lock, which is what keeps two router
 * instances from both filling an agent's last free slot.
 */
export async function availableAgents(
  manager: EntityManager,
  teamIds: string[],
  lock: boolean,
): Promise<AgentState[]> {
  if (teamIds.length === 0) return [];
  if (!lock) {
    // A glance, for deciding whether locking is worth it: rows and loads in one round trip.
    const rows: Array<AgentRow & { load: Record<string, number> }> = await manager.query(
      `SELECT ${AGENT_COLUMNS}, coalesce((
         SELECT jsonb_object_agg(channel, open) FROM (
           SELECT channel, count(*)::int AS open FROM routing.ticket
            WHERE ${HOLDS_ITS_AGENT} AND assigned_agent_id = a.id GROUP BY channel) AS loads
       ), '{}') AS load
       FROM routing.agent a WHERE active AND presence = $1 AND team_ids && $2`,
      [Presence.ONLINE, teamIds],
    );
    return rows.map((row) => agentState(row, Object.entries(row.load)));
  }
  // Counted in a statement after the lock's: only its snapshot sees what the lock's previous
  // holder committed.
  const rows: AgentRow[] = await manager.query(
    `SELECT ${AGENT_COLUMNS} FROM routing.agent a
      WHERE active AND presence = $1 AND team_ids && $2
      ORDER BY id FOR UPDATE OF a`,
    [Presence.ONLINE, teamIds],
  );
  return agentStates(manager, rows);
}

/**
 * When an assignment made under the agents' locks is decided, for its RoutingDecision's
 * `decided_at`: after the locked load was counted, never before `now`. The decision log (tickets'
 * events) orders assignments and resolutions by these times; a time taken before waiting for the
 * locks would put an assignment before the resolution whose freed place it took.
 */
export function decisionTime(now: Date): Date {
  const counted = new Date();
  return counted > now ? counted : now;
}

/** Whether any of these agents has room in any channel. */
export function anyoneHasRoom(agents: AgentState[]): boolean {
  return agents.some((agent) =>
    [...agent.capacity].some(([channel, max]) => (agent.load.get(channel) ?? 0) < max),
  );
}

/**
 * Hands queued tickets of these teams to online agents with room. Locks the teams' agents in id
 * order (so that concurrent drains take turns instead of deadlocking) and plans with `drainQueue`;
 * then locks each planned ticket, skipping one another transaction holds (a message appending to
 * it): the next drain takes it. Returns the assignments made and when they were decided.
 */
export async function drainTeamQueues(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<{ made: Array<QueueAssignment & { ticket: TicketRow }>; decidedAt: Date }> {
  const none = { made: [], decidedAt: now };
  // Everyone busy, the usual case under load: a glance without locks settles it.
  if (!anyoneHasRoom(await availableAgents(manager, teamIds, false))) return none;
  const agents = await availableAgents(manager, teamIds, true);
  const decidedAt = decisionTime(now);
  if (!anyoneHasRoom(agents)) return none;
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
  if (plan.length === 0) return none;
  const locked: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket
      WHERE id = ANY($1) AND state = 'open' AND assigned_agent_id IS NULL
      ORDER BY id FOR UPDATE SKIP LOCKED`,
    [plan.map((assignment) => assignment.ticketId)],
  );
  const lockedById = new Map(locked.map((ticket) => [ticket.id, ticket]));
  const made = plan.flatMap((assignment) => {
    const ticket = lockedById.get(assignment.ticketId);
    return ticket
      ? [{ ...assignment, ticket: { ...ticket, assigned_agent_id: assignment.agentId } }]
      : [];
  });
  await manager.query(
    `UPDATE routing.ticket t SET assigned_agent_id = a.agent_id
       FROM unnest($1::text[], $2::text[]) AS a (ticket_id, agent_id) WHERE t.id = a.ticket_id`,
    [made.map((made) => made.ticketId), made.map((made) => made.agentId)],
  );
  await write(manager, [
    lastAgentsUpdate(new Map(made.map(({ ticket, agentId }) => [ticket.customer_id, agentId]))),
    assignedAgentsUpdate(
      made.map((made) => made.agentId),
      now,
    ),
  ]);
  return { made, decidedAt };
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

/** The teams these agents work in, to drain when they free up. */
export async function teamsOfAgents(manager: EntityManager, agentIds: string[]): Promise<string[]> {
  if (agentIds.length === 0) return [];
  const rows: Array<{ team_id: string }> = await manager.query(
    `SELECT DISTINCT unnest(team_ids) AS team_id FROM routing.agent WHERE id = ANY($1)`,
    [[...new Set(agentIds)]],
  );
  return rows.map((row) => row.team_id);
}

/** Restarts the idle clock of agents who just got work: the longest idle goes first next time. */
export function assignedAgentsUpdate(agentIds: string[], now: Date): JoinableWrite | undefined {
  if (agentIds.length === 0) return undefined;
  return (first) => ({
    sql: `UPDATE routing.agent SET idle_since = $${first + 1} WHERE id = ANY($${first})`,
    parameters: [[...new Set(agentIds)], now],
  });
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
      WHERE ${HOLDS_ITS_AGENT} AND assigned_agent_id = ANY($1)
      GROUP BY assigned_agent_id, channel`,
    [rows.map((row) => row.id)],
  );
  return rows.map((row) =>
    agentState(
      row,
      loads.filter((load) => load.agent_id === row.id).map((load) => [load.channel, load.open]),
    ),
  );
}

/** An agent row's capacity per channel, the teams' chat default applied (`agentCapacity`). */
export function capacityOf(row: Pick<AgentRow, 'capacity' | 'team_chat_defaults'>) {
  return agentCapacity(
    new Map(
      Object.entries(row.capacity).map(([channel, max]) => [Number(channel) as Channel, max]),
    ),
    row.team_chat_defaults,
  );
}

function agentState(row: AgentRow, loads: Array<[Channel | string, number]>): AgentState {
  return {
    id: row.id,
    active: row.active,
    presence: row.presence,
    teamIds: row.team_ids,
    skillLevels: new Map(Object.entries(row.skill_levels)),
    capacity: capacityOf(row),
    load: new Map(loads.map(([channel, open]) => [Number(channel) as Channel, open])),
    idleSince: row.idle_since,
  };
}
