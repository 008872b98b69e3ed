import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  MessageDirection,
  TicketStatus,
  timestampDate,
  TOPICS,
  type TicketEvent,
} from '@firstline/contracts';
import { claimMessages, OutboxRelay } from '@firstline/persistence';
import { teamsOfAgents } from './assignment.store';
import { drainAndAnnounce } from './sweeper';
import { cancelTicketTimers } from './timers.store';
import { HOLDS_ITS_AGENT } from './tickets.store';

/**
 * Follows what happens to tickets after routing: resolution and closing free the assignee's
 * capacity (and reopen windows start) once tickets has recorded every message routed to the
 * ticket, and agents' answers stop the breach timer. Whatever frees
 * capacity drains the affected queues at once. Assignments and transfers are not learnt here:
 * the router made them (docs/adr/0015), and their events only echo its decisions.
 */
@Injectable()
export class TicketEventsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  // A ticket's life brings several events for every customer message (created, assigned, the
  // agent's answer, the resolution): a batch is applied in a fixed number of statements.
  // One transaction per fetch, not per partition.
  @Consume({ topic: TOPICS.ticketEvents, gatherPartitions: true })
  async follow(messages: Array<Received<TicketEvent>>): Promise<void> {
    // A record delivered twice within one batch is applied once, like one delivered in two.
    const events = [
      ...new Map(messages.map(({ record, message }) => [record.headers.messageId, message])),
    ];
    let assigned = 0;
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        'router.ticket-events',
        events.map(([messageId]) => messageId),
      );
      const freedTeams = await applyTicketEvents(
        manager,
        events.flatMap(([messageId, event]) => (claimed.has(messageId) ? [event] : [])),
      );
      assigned = await drainAndAnnounce(manager, freedTeams, new Date());
    });
    if (assigned > 0) this.relay.nudge();
  }
}

/**
 * Applies the events, in their order, in one statement (and one more for the timers of tickets
 * closed); returns the teams whose queue may now move. A ticket's status is what its last status change says (each change
 * sets state and resolution time whole); its first answer is the earliest agent's answer; each
 * customer message recorded counts down the ticket's unrecorded messages (`HOLDS_ITS_AGENT`).
 */
async function applyTicketEvents(manager: EntityManager, events: TicketEvent[]): Promise<string[]> {
  const statuses = new Map<string, { state: 'open' | 'resolved' | 'closed'; at: Date }>();
  const closedAtSomePoint = new Set<string>();
  const answeredAt = new Map<string, Date>();
  const recorded = new Map<string, number>();
  for (const event of events) {
    const { details } = event;
    const at = event.occurredAt ? timestampDate(event.occurredAt) : new Date();
    if (details.case === 'statusChanged') {
      const state = stateOf(details.value.toStatus);
      if (!state) continue;
      statuses.set(event.ticketId, { state, at });
      if (state !== 'open') closedAtSomePoint.add(event.ticketId);
    } else if (details.case === 'messageAdded') {
      const { direction, automatic } = details.value;
      if (direction === MessageDirection.INBOUND) {
        recorded.set(event.ticketId, (recorded.get(event.ticketId) ?? 0) + 1);
        continue;
      }
      // An agent's answer: the first stops the breach timer, any means nobody is owed one now.
      if (direction !== MessageDirection.OUTBOUND || automatic) continue;
      if (!answeredAt.has(event.ticketId)) answeredAt.set(event.ticketId, at);
    }
  }
  const touched = [...new Set([...statuses.keys(), ...answeredAt.keys(), ...recorded.keys()])];
  if (touched.length === 0) return [];
  touched.sort();
  // One statement. The tickets are locked first, in id order, as routing locks them: concurrent
  // batches take turns instead of deadlocking (MATERIALIZED keeps that locking scan a step of
  // its own, which the update reads). TypeORM answers an UPDATE with [returned rows, affected count].
  const [rows]: [
    Array<{ id: string; assigned_agent_id: string | null; holds: boolean; changing: boolean }>,
    number,
  ] = await manager.query(
    `WITH locked AS MATERIALIZED (
       SELECT id FROM routing.ticket WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE
     )
     UPDATE routing.ticket t
        SET state = coalesce(s.new_state, t.state),
            resolved_at = CASE WHEN s.new_state IS NULL THEN t.resolved_at
                               WHEN s.new_state = 'resolved' THEN s.at END,
            unrecorded_messages = greatest(t.unrecorded_messages - s.recorded, 0),
            first_responded_at = coalesce(t.first_responded_at, s.answered_at),
            awaiting_agent = t.awaiting_agent AND s.answered_at IS NULL
       FROM locked
       JOIN unnest($1::text[], $2::text[], $3::timestamptz[], $4::int[], $5::timestamptz[])
            AS s (id, new_state, at, recorded, answered_at) USING (id)
      WHERE t.id = s.id
      RETURNING t.id, t.assigned_agent_id, ${HOLDS_ITS_AGENT} AS holds,
                s.new_state IS NOT NULL OR s.recorded > 0 AS changing`,
    [
      touched,
      touched.map((id) => statuses.get(id)?.state ?? null),
      touched.map((id) => statuses.get(id)?.at ?? null),
      touched.map((id) => recorded.get(id) ?? 0),
      touched.map((id) => answeredAt.get(id) ?? null),
    ],
  );
  await cancelTicketTimers(manager, [...closedAtSomePoint]);
  // An answer alone frees nobody; a status change or a recorded message may end a hold.
  const freedAgents = rows.flatMap((row) =>
    row.changing && !row.holds && row.assigned_agent_id ? [row.assigned_agent_id] : [],
  );
  return teamsOfAgents(manager, freedAgents);
}

function stateOf(status: TicketStatus): 'open' | 'resolved' | 'closed' | undefined {
  switch (status) {
    case TicketStatus.NEW:
    case TicketStatus.OPEN:
    case TicketStatus.PENDING:
      return 'open';
    case TicketStatus.RESOLVED:
      return 'resolved';
    case TicketStatus.CLOSED:
      return 'closed';
    default:
      return undefined;
  }
}
