import { Injectable } from '@nestjs/common';
import { Priority, type RoutingCommand } from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import { agentActor } from '../tickets/ticket-event-log';
import { enumValue, type PRIORITY_NAMES } from '../tickets/ticket';
import { RoutingCommands, type CommandAnswer } from './routing-commands';
import { TicketAccess } from './ticket-access';

/**
 * What supervisors change on a ticket beyond working it. Who works it and how urgent it is are
 * the router's facts (it counts capacity, orders queues by priority and raises priority on a
 * breach; docs/adr/0015): those changes are requests to it, answered like a claim. Tags are the
 * ticket's own once it exists, so tickets changes them and announces a TagsChanged event.
 */
@Injectable()
export class TicketSupervisionService {
  constructor(
    private readonly access: TicketAccess,
    private readonly commands: RoutingCommands,
    private readonly tickets: TicketRepository,
  ) {}

  /** Gives the ticket to a named agent; past their capacity only when `overrideCapacity`. */
  assign(
    ticketId: string,
    supervisor: SignedInAgent,
    assigneeId: string,
    overrideCapacity: boolean,
  ): Promise<CommandAnswer> {
    return this.ask(ticketId, supervisor, {
      case: 'assign',
      value: { $typeName: 'firstline.v1.AssignCommand', assigneeId, overrideCapacity },
    });
  }

  setPriority(
    ticketId: string,
    supervisor: SignedInAgent,
    priority: (typeof PRIORITY_NAMES)[number],
  ): Promise<CommandAnswer> {
    return this.ask(ticketId, supervisor, {
      case: 'setPriority',
      value: {
        $typeName: 'firstline.v1.SetPriorityCommand',
        priority: enumValue(Priority, priority) as Priority,
      },
    });
  }

  /** Sets the ticket's whole set of tags (already normalised); the same set changes nothing. */
  async setTags(ticketId: string, supervisor: SignedInAgent, tags: string[]) {
    return this.access.change(ticketId, supervisor, async (ticket, manager, log) => {
      if (sameSet(ticket.tags, tags)) return { tags: ticket.tags };
      log.record(ticket, agentActor(supervisor.id), new Date(), {
        case: 'tagsChanged',
        value: { $typeName: 'firstline.v1.TagsChanged', fromTags: ticket.tags, toTags: tags },
      });
      await this.tickets.updateTicket(manager, { ...ticket, tags });
      return { tags };
    });
  }

  private async ask(
    ticketId: string,
    supervisor: SignedInAgent,
    command: RoutingCommand['command'],
  ): Promise<CommandAnswer> {
    const commandId = await this.access.change(ticketId, supervisor, (ticket, manager, log) =>
      this.commands.request(manager, log, ticket, supervisor, command),
    );
    return this.commands.answer(commandId, ticketId);
  }
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((tag) => b.includes(tag));
}
