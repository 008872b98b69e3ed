import type { EntityManager } from 'typeorm';
import {
  Escalation,
  Presence,
  TicketDisposition,
  type RoutingDecision,
} from '@firstline/contracts';
import { write, type JoinableWrite } from '@firstline/persistence';
import { escalatedPriority, overflowDueAt } from '@firstline/routing';
import { decision } from './decisions';
import type { RoutingPolicies } from './directory.store';
import { ticketsUpdate, type TicketRow } from './tickets.store';

/**
 * Timers are rows, written in the transaction of the decision that starts them, so a restart or a
 * crash loses none: whichever instance sweeps next fires them. Firing checks the ticket again, so
 * a timer overtaken by events (the ticket was assigned, answered, resolved) does nothing.
 */
type TimerKind = 'overflow' | 'first-response' | 'agent-away';

interface Timer {
  kind: TimerKind;
  subject: string;
  dueAt: Date;
}

/** A ticket whose first-response clock (re)started: its breach and overflow timers. */
export function ticketTimersUpsert(
  policies: RoutingPolicies,
  tickets: TicketRow[],
): JoinableWrite | undefined {
  return timersUpsert(
    tickets.flatMap((ticket) => {
      const timers: Timer[] = [];
      if (ticket.first_response_due_at) {
        timers.push({
          kind: 'first-response',
          subject: ticket.id,
          dueAt: ticket.first_response_due_at,
        });
      }
      const overflowAt = overflowDueAt(policies.teams.get(ticket.team_id), ticket.queued_at);
      if (overflowAt && !ticket.assigned_agent_id) {
        timers.push({ kind: 'overflow', subject: ticket.id, dueAt: overflowAt });
      }
      return timers;
    }),
  );
}

/** An agent went away or offline: their unanswered tickets go back after the grace period. */
export async function scheduleAgentAway(
  manager: EntityManager,
  agentId: string,
  dueAt: Date,
): Promise<void> {
  // The first going-away counts: a second "away" while still away does not push the timer back.
  await manager.query(
    `INSERT INTO routing.timer (kind, subject, due_at) VALUES ('agent-away', $1, $2)
     ON CONFLICT DO NOTHING`,
    [agentId, dueAt],
  );
}

export async function cancelAgentAway(manager: EntityManager, agentId: string): Promise<void> {
  await manager.query(`DELETE FROM routing.timer WHERE kind = 'agent-away' AND subject = $1`, [
    agentId,
  ]);
}

/** A resolved or closed ticket owes nobody an answer any more. */
export async function cancelTicketTimers(
  manager: EntityManager,
  ticketIds: string[],
): Promise<void> {
  if (ticketIds.length === 0) return;
  await manager.query(
    `DELETE FROM routing.timer WHERE kind IN ('overflow', 'first-response') AND subject = ANY($1)`,
    [ticketIds],
  );
}

export interface FiredTimers {
  decisions: RoutingDecision[];
  /** Teams whose queue got tickets: drain them next. */
  teams: Set<string>;
}

/**
 * Fires the timers due by `now`: overflow moves a still-unassigned ticket to its team's overflow
 * team; a passed first-response due time without an answer raises the priority (the tickets
 * service flags the breach and tells the supervisor); an agent still away after the grace period
 * gives their unanswered tickets back to the queue. Timers and tickets another transaction holds
 * are skipped, not waited for (a routing batch may hold a ticket and then want its timer row):
 * they fire in a later round.
 */
export async function fireDueTimers(
  manager: EntityManager,
  policies: RoutingPolicies,
  now: Date,
): Promise<FiredTimers> {
  const due: Array<{ kind: TimerKind; subject: string }> = await manager.query(
    `SELECT kind, subject FROM routing.timer WHERE due_at <= $1
      ORDER BY due_at LIMIT 500 FOR UPDATE SKIP LOCKED`,
    [now],
  );
  const fired: FiredTimers = { decisions: [], teams: new Set() };
  if (due.length === 0) return fired;

  const ticketTimers = due.filter((timer) => timer.kind !== 'agent-away');
  const tickets: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket WHERE id = ANY($1) ORDER BY id FOR UPDATE SKIP LOCKED`,
    [ticketTimers.map((timer) => timer.subject)],
  );
  const byId = new Map(tickets.map((ticket) => [ticket.id, ticket]));
  const done = due.filter((timer) => timer.kind === 'agent-away' || byId.has(timer.subject));
  const changed = new Set<TicketRow>();
  const overflowed: TicketRow[] = [];
  const postponed: Timer[] = [];
  for (const timer of ticketTimers) {
    const ticket = byId.get(timer.subject);
    if (!ticket || ticket.state !== 'open') continue;
    if (timer.kind === 'overflow' && !ticket.assigned_agent_id) {
      const team = policies.teams.get(ticket.team_id);
      const dueAt = overflowDueAt(team, ticket.queued_at);
      if (!dueAt) continue;
      // The team's threshold grew since the timer was set.
      if (dueAt > now) {
        postponed.push({ ...timer, dueAt });
        continue;
      }
      ticket.team_id = team!.overflowTeamId;
      ticket.queued_at = now;
      changed.add(ticket);
      overflowed.push(ticket);
      fired.teams.add(ticket.team_id);
      fired.decisions.push(escalation(ticket, Escalation.OVERFLOW, now));
    }
    if (timer.kind === 'first-response' && !ticket.first_responded_at) {
      ticket.priority = escalatedPriority(ticket.priority);
      changed.add(ticket);
      fired.decisions.push(escalation(ticket, Escalation.FIRST_RESPONSE_BREACHED, now));
    }
  }

  const stillAway = await giveBackTicketsOfAwayAgents(
    manager,
    due.filter((timer) => timer.kind === 'agent-away').map((timer) => timer.subject),
    now,
    fired,
    changed,
  );

  await manager.query(
    `DELETE FROM routing.timer t USING unnest($1::text[], $2::text[]) AS d (kind, subject)
      WHERE t.kind = d.kind AND t.subject = d.subject`,
    [done.map((timer) => timer.kind), done.map((timer) => timer.subject)],
  );
  await write(manager, [
    ticketsUpdate([...changed]),
    ticketTimersUpsert(
      policies,
      overflowed.map((ticket) => ({ ...ticket, first_response_due_at: null })),
    ),
  ]);
  // Apart: an overflowed ticket's new timer and a postponed one may be the same row, which one
  // statement cannot write twice.
  await write(manager, [timersUpsert(postponed)]);
  // Tickets a routing batch held this round go back in the next one.
  for (const agentId of stillAway) {
    await scheduleAgentAway(manager, agentId, new Date(now.getTime() + 1_000));
  }
  return fired;
}

/** Returns the agents who still hold unanswered tickets another transaction had locked. */
async function giveBackTicketsOfAwayAgents(
  manager: EntityManager,
  agentIds: string[],
  now: Date,
  fired: FiredTimers,
  changed: Set<TicketRow>,
): Promise<string[]> {
  if (agentIds.length === 0) return [];
  const away: Array<{ id: string }> = await manager.query(
    `SELECT id FROM routing.agent WHERE id = ANY($1) AND (presence <> $2 OR NOT active)`,
    [agentIds, Presence.ONLINE],
  );
  const awayIds = away.map((agent) => agent.id);
  if (awayIds.length === 0) return [];
  const unanswered = `state = 'open' AND awaiting_agent AND assigned_agent_id = ANY($1)`;
  const tickets: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket WHERE ${unanswered} ORDER BY id FOR UPDATE SKIP LOCKED`,
    [awayIds],
  );
  for (const ticket of tickets) {
    ticket.assigned_agent_id = null;
    ticket.queued_at = now;
    changed.add(ticket);
    fired.teams.add(ticket.team_id);
    fired.decisions.push(escalation(ticket, Escalation.AGENT_AWAY, now));
  }
  const skipped: Array<{ agent_id: string }> = await manager.query(
    `SELECT DISTINCT assigned_agent_id AS agent_id FROM routing.ticket
      WHERE ${unanswered} AND NOT id = ANY($2)`,
    [awayIds, tickets.map((ticket) => ticket.id)],
  );
  return skipped.map((row) => row.agent_id);
}

function escalation(ticket: TicketRow, reason: Escalation, now: Date): RoutingDecision {
  return decision(ticket, { disposition: TicketDisposition.ESCALATED, escalation: reason, now });
}

function timersUpsert(timers: Timer[]): JoinableWrite | undefined {
  if (timers.length === 0) return undefined;
  // In key order, so that concurrent batches lock the rows in one order.
  const sorted = [...timers].sort(
    (a, b) => a.kind.localeCompare(b.kind) || a.subject.localeCompare(b.subject),
  );
  return (first) => ({
    sql: `INSERT INTO routing.timer (kind, subject, due_at)
          SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::timestamptz[])
          ON CONFLICT (kind, subject) DO UPDATE SET due_at = excluded.due_at`,
    parameters: [
      sorted.map((timer) => timer.kind),
      sorted.map((timer) => timer.subject),
      sorted.map((timer) => timer.dueAt),
    ],
  });
}
