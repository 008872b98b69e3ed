import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TicketEvent } from '../tickets/ticket-event-log';

/** Tickets whose team a replica keeps in mind; the longest unchanged are forgotten first. */
const REMEMBERED_TICKETS = 10_000;

/**
 * The team of each ticket as the last ticket event this replica read says, so that a push about
 * a ticket from elsewhere (a reply's delivery receipt) reaches the agents this replica last told
 * of the ticket, without a query each. A ticket it does not know is looked up.
 */
@Injectable()
export class TicketTeams {
  private readonly teams = new Map<string, string>();

  constructor(private readonly dataSource: DataSource) {}

  /**
   * Events in the order read. One without a team (from a version before TicketEvent.team_id)
   * makes it forget the ticket: it may have been a transfer.
   */
  learn(events: TicketEvent[]): void {
    for (const event of events) {
      this.teams.delete(event.ticketId); // set again, it counts as the newest
      if (event.teamId) this.teams.set(event.ticketId, event.teamId);
    }
    for (const ticketId of this.teams.keys()) {
      if (this.teams.size <= REMEMBERED_TICKETS) break;
      this.teams.delete(ticketId);
    }
  }

  /** For events left unread: what it knew may be stale now. */
  forgetAll(): void {
    this.teams.clear();
  }

  /** The teams of the tickets that exist: known ones from memory, the others in one query. */
  async of(ticketIds: string[]): Promise<Map<string, string>> {
    const teamOf = new Map<string, string>();
    const unknown = new Set<string>();
    for (const ticketId of ticketIds) {
      const teamId = this.teams.get(ticketId);
      if (teamId) teamOf.set(ticketId, teamId);
      else unknown.add(ticketId);
    }
    if (unknown.size === 0) return teamOf;
    const rows = await this.dataSource.query<Array<{ id: string; team_id: string }>>(
      'SELECT id, team_id FROM tickets.ticket WHERE id = ANY($1::text[])',
      [[...unknown]],
    );
    for (const row of rows) teamOf.set(row.id, row.team_id);
    return teamOf;
  }
}
