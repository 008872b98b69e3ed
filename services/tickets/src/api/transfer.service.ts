import { BadRequestException, ConflictException, Injectable } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { DirectoryRepository } from '../database/directory.repository';
import { TicketRepository } from '../database/ticket.repository';
import { kindName } from '../directory/directory.service';
import { agentActor, assignment } from '../tickets/ticket-event-log';
import { NoteService } from './note.service';
import { TicketAccess } from './ticket-access';

/**
 * Moves a ticket to another team's queue. The ticket keeps its messages, notes and history, and
 * the transfer note travels with it, so the next agent never has to ask the customer again.
 */
@Injectable()
export class TransferService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
    private readonly directory: DirectoryRepository,
    private readonly notes: NoteService,
  ) {}

  async transfer(
    ticketId: string,
    agent: SignedInAgent,
    request: { teamId: string; note: string; skillIds?: string[] },
  ) {
    const team = await this.directory.find(kindName(DirectoryKind.TEAM), request.teamId);
    if (team?.payload.case !== 'team')
      throw new BadRequestException(`teamId: no team ${request.teamId}`);
    const teamSkillIds = team.payload.value.skillIds;
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      if (ticket.teamId === request.teamId) {
        throw new ConflictException(`Ticket ${ticket.number} is already with ${request.teamId}`);
      }
      if (ticket.status === 'closed')
        throw new ConflictException(`Ticket ${ticket.number} is closed`);
      const at = new Date();
      const skillIds = request.skillIds ?? teamSkillIds;
      await this.notes.writeNote(manager, log, ticket, agent, request.note, at);
      log.record(ticket, agentActor(agent.id), at, {
        case: 'transferred',
        value: {
          $typeName: 'firstline.v1.Transferred',
          fromTeamId: ticket.teamId,
          toTeamId: request.teamId,
          skillIds,
          reason: request.note,
        },
      });
      if (ticket.assigneeId)
        log.record(ticket, agentActor(agent.id), at, assignment(ticket.assigneeId, null));
      // Unassigned in the new team: the router (on the event) or an agent there picks it up.
      await this.tickets.updateTicket(manager, {
        ...ticket,
        teamId: request.teamId,
        skillIds,
        assigneeId: null,
      });
      return { teamId: request.teamId };
    });
  }
}
