import { BadRequestException, Injectable } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { DirectoryRepository } from '../database/directory.repository';
import { kindName } from '../directory/directory.service';
import { RoutingCommands, type CommandAnswer } from './routing-commands';
import { TicketAccess } from './ticket-access';

/**
 * Moves a ticket to another team's queue, or hands it to a colleague, through the router, which
 * alone assigns (docs/adr/0015). The ticket keeps its messages, notes and history, and the
 * transfer note travels with it, so the next agent never has to ask the customer again.
 */
@Injectable()
export class TransferService {
  constructor(
    private readonly access: TicketAccess,
    private readonly directory: DirectoryRepository,
    private readonly commands: RoutingCommands,
  ) {}

  async transfer(
    ticketId: string,
    agent: SignedInAgent,
    request: { teamId: string; note: string; skillIds?: string[] },
  ): Promise<CommandAnswer> {
    const team = await this.directory.find(kindName(DirectoryKind.TEAM), request.teamId);
    if (team?.payload.case !== 'team')
      throw new BadRequestException(`teamId: no team ${request.teamId}`);
    const teamSkillIds = team.payload.value.skillIds;
    // The router decides whether the ticket moves (not to its own team, never once closed); the
    // note is written with the move, as its reason.
    const commandId = await this.access.change(ticketId, agent, (ticket, manager, log) =>
      this.commands.request(
        manager,
        log,
        ticket,
        agent,
        {
          case: 'transfer',
          value: {
            $typeName: 'firstline.v1.TransferCommand',
            toTeamId: request.teamId,
            skillIds: request.skillIds ?? teamSkillIds,
          },
        },
        request.note,
      ),
    );
    return this.commands.answer(commandId, ticketId);
  }

  /**
   * Hands the ticket to a colleague of its team, as an assignment the router checks like a
   * supervisor's (the colleague must be known, active, in the team and have room in the ticket's
   * channel, a chat slot for a chat) but never past their capacity: an agent cannot choose more
   * work for someone else.
   */
  async handOver(
    ticketId: string,
    agent: SignedInAgent,
    request: { agentId: string; note: string },
  ): Promise<CommandAnswer> {
    const commandId = await this.access.change(ticketId, agent, (ticket, manager, log) =>
      this.commands.request(
        manager,
        log,
        ticket,
        agent,
        {
          case: 'assign',
          value: {
            $typeName: 'firstline.v1.AssignCommand',
            assigneeId: request.agentId,
            overrideCapacity: false,
          },
        },
        request.note,
      ),
    );
    return this.commands.answer(commandId, ticketId);
  }
}
