import { ConflictException, Injectable } from '@nestjs/common';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import { agentActor, assignment } from '../tickets/ticket-event-log';
import { TicketAccess } from './ticket-access';

/** Taking a ticket from the queue, and giving it back. */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
  ) {}

  /** Only an unassigned ticket can be claimed, except by a supervisor, who may take it over. */
  async claim(ticketId: string, agent: SignedInAgent) {
    return this.assign(ticketId, agent, agent.id);
  }

  async unassign(ticketId: string, agent: SignedInAgent) {
    return this.assign(ticketId, agent, null);
  }

  private async assign(ticketId: string, agent: SignedInAgent, assigneeId: string | null) {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      if (ticket.assigneeId === assigneeId) return { assigneeId };
      const takingOver = assigneeId !== null && ticket.assigneeId !== null;
      const releasingOthers = assigneeId === null && ticket.assigneeId !== agent.id;
      if ((takingOver || releasingOthers) && agent.role === 'agent') {
        throw new ConflictException(`Ticket ${ticket.number} is assigned to ${ticket.assigneeId}`);
      }
      log.record(
        ticket,
        agentActor(agent.id),
        new Date(),
        assignment(ticket.assigneeId, assigneeId),
      );
      await this.tickets.updateTicket(manager, { ...ticket, assigneeId });
      return { assigneeId };
    });
  }
}
