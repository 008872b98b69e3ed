import { Injectable } from '@nestjs/common';
import type { RoutingCommand } from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { RoutingCommands, type CommandAnswer } from './routing-commands';
import { TicketAccess } from './ticket-access';

/**
 * Taking a ticket from the queue, and giving it back: requests to the router, which alone
 * assigns (docs/adr/0015). Tickets checks who may work on the ticket and says how far the
 * agent's role goes (supervisors take over and give back anyone's); the router decides.
 */
@Injectable()
export class AssignmentService {
  constructor(
    private readonly access: TicketAccess,
    private readonly commands: RoutingCommands,
  ) {}

  /** Agents take unassigned tickets; supervisors may take one over. */
  async claim(ticketId: string, agent: SignedInAgent): Promise<CommandAnswer> {
    const takeOver = agent.role !== 'agent';
    return this.ask(ticketId, agent, {
      case: 'claim',
      value: { $typeName: 'firstline.v1.ClaimCommand', takeOver },
    });
  }

  /** Agents give back their own tickets; supervisors anyone's. */
  async unassign(ticketId: string, agent: SignedInAgent): Promise<CommandAnswer> {
    const releaseOthers = agent.role !== 'agent';
    return this.ask(ticketId, agent, {
      case: 'unassign',
      value: { $typeName: 'firstline.v1.UnassignCommand', releaseOthers },
    });
  }

  private async ask(
    ticketId: string,
    agent: SignedInAgent,
    command: RoutingCommand['command'],
  ): Promise<CommandAnswer> {
    const commandId = await this.access.change(ticketId, agent, (ticket, manager, log) =>
      this.commands.request(manager, log, ticket, agent, command),
    );
    return this.commands.answer(commandId, ticketId);
  }
}
