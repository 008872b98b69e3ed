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
import { claimMessage, OutboxRelay } from '@firstline/persistence';
import { teamsOfAgent } from './assignment.store';
import { drainAndAnnounce } from './sweeper';
import { cancelTicketTimers } from './timers.store';

/**
 * Follows what happens to tickets after routing: resolution and closing free the assignee's
 * capacity (and reopen windows start), and agents' answers stop the breach timer. Whatever frees
 * capacity drains the affected queues at once. Assignments and transfers are not learnt here:
 * the router made them (docs/adr/0015), and their events only echo its decisions.
 */
@Injectable()
export class TicketEventsConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
  ) {}

  @Consume({ topic: TOPICS.ticketEvents })
  async follow(messages: Array<Received<TicketEvent>>): Promise<void> {
    let assigned = 0;
    await this.dataSource.transaction(async (manager) => {
      const freedTeams = new Set<string>();
      for (const { record, message } of messages) {
        if (!(await claimMessage(manager, 'router.ticket-events', record.headers.messageId))) {
          continue;
        }
        for (const team of await applyTicketEvent(manager, message)) freedTeams.add(team);
      }
      assigned = await drainAndAnnounce(manager, [...freedTeams], new Date());
    });
    if (assigned > 0) this.relay.nudge();
  }
}

/** Applies one event; returns the teams whose queue may now move. */
async function applyTicketEvent(manager: EntityManager, event: TicketEvent): Promise<string[]> {
  const { details } = event;
  switch (details.case) {
    case 'statusChanged': {
      const state = stateOf(details.value.toStatus);
      if (!state) return [];
      const resolvedAt = event.occurredAt ? timestampDate(event.occurredAt) : new Date();
      // TypeORM answers an UPDATE with [returned rows, affected count].
      const [rows]: [Array<{ assigned_agent_id: string | null }>, number] = await manager.query(
        `UPDATE routing.ticket
            SET state = $2, resolved_at = CASE WHEN $2 = 'resolved' THEN $3::timestamptz END
          WHERE id = $1 RETURNING assigned_agent_id`,
        [event.ticketId, state, resolvedAt],
      );
      if (state === 'open') return [];
      await cancelTicketTimers(manager, [event.ticketId]);
      const agent = rows[0]?.assigned_agent_id;
      return agent ? teamsOfAgent(manager, agent) : [];
    }
    case 'messageAdded': {
      // An agent's answer: the first stops the breach timer, any means nobody is owed one now.
      const { direction, automatic } = details.value;
      if (direction !== MessageDirection.OUTBOUND || automatic) return [];
      await manager.query(
        `UPDATE routing.ticket
            SET first_responded_at = coalesce(first_responded_at, $2), awaiting_agent = false
          WHERE id = $1`,
        [event.ticketId, event.occurredAt ? timestampDate(event.occurredAt) : new Date()],
      );
      return [];
    }
    default:
      return [];
  }
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
