import { ConflictException, Injectable } from '@nestjs/common';
import { changeStatus, type TicketStatus } from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import { TeamCalendars } from '../directory/team-calendars';
import { movesSlaClock, withSlaClock } from '../tickets/sla-clock';
import { withDueTimes, type Ticket } from '../tickets/ticket';
import { statusChanged } from '@firstline/ticketing';
import { agentActor } from '../tickets/ticket-event-log';
import { SatisfactionSurvey } from './survey';
import { TicketAccess } from './ticket-access';

/** Agents' status changes. Resolving asks the customer for a rating (`SatisfactionSurvey`). */
@Injectable()
export class StatusService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
    private readonly calendars: TeamCalendars,
    private readonly survey: SatisfactionSurvey,
  ) {}

  async setStatus(ticketId: string, agent: SignedInAgent, status: TicketStatus) {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      const at = new Date();
      const change = changeStatus(ticket, status, at);
      if (!change.ok) throw new ConflictException(`Ticket ${ticket.number}: ${change.reason}`);
      log.record(ticket, agentActor(agent.id), at, statusChanged(ticket.status, status));
      if (status === 'resolved') await this.survey.send(manager, log, ticket, at);
      const changed: Ticket = {
        ...ticket,
        ...change.state,
        closedAt: status === 'closed' ? at : ticket.closedAt,
      };
      // Waiting on the customer stops the SLA clock; the time spent waiting moves the due time.
      const next = movesSlaClock(ticket, changed)
        ? withSlaClock(ticket, changed, at, (await this.calendars.load(manager))(ticket.teamId))
        : withDueTimes(changed);
      await this.tickets.updateTicket(manager, next);
      return { status };
    });
  }
}
