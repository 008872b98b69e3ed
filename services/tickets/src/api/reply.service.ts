import { ConflictException, Injectable } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import { afterAgentReply, renderCannedReply } from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import { DirectoryRepository } from '../database/directory.repository';
import { TicketRepository } from '../database/ticket.repository';
import { CustomerWording } from '../directory/customer-wording';
import { kindName } from '../directory/directory.service';
import { withDueTimes, type Ticket } from '../tickets/ticket';
import { statusChanged } from '@firstline/ticketing';
import { agentActor } from '../tickets/ticket-event-log';
import { sendToCustomer } from './outbound';
import { TicketAccess } from './ticket-access';

/** Agents' replies to customers, and the canned replies they start from. */
@Injectable()
export class ReplyService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
    private readonly customers: CustomerRepository,
    private readonly directory: DirectoryRepository,
    private readonly wording: CustomerWording,
  ) {}

  async reply(ticketId: string, agent: SignedInAgent, text: string) {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      if (ticket.status === 'closed') {
        throw new ConflictException(
          `Ticket ${ticket.number} is closed; the customer's next message opens a follow-up`,
        );
      }
      const at = new Date();
      const messageId = await sendToCustomer(manager, this.tickets, log, ticket, {
        text,
        agent,
        at,
        wording: await this.wording.load(manager),
      });
      const next: Ticket = withDueTimes({ ...ticket, ...afterAgentReply(ticket, at) });
      if (next.status !== ticket.status) {
        log.record(ticket, agentActor(agent.id), at, statusChanged(ticket.status, next.status));
      }
      await this.tickets.updateTicket(manager, next);
      return { messageId, status: next.status };
    });
  }

  /** The canned replies of the ticket's team (and those for every team), filled in for it. */
  async cannedReplies(ticketId: string, agent: SignedInAgent) {
    const ticket = await this.access.read(ticketId, agent);
    const customer = await this.customers.findCustomer(ticket.customerId);
    const replies = await this.directory.list(kindName(DirectoryKind.CANNED_REPLY));
    return replies.flatMap((record) => {
      if (record.payload.case !== 'cannedReply') return [];
      const reply = record.payload.value;
      if (reply.teamId && reply.teamId !== ticket.teamId) return [];
      const rendered = renderCannedReply(reply.body, {
        customer: { name: customer?.displayName || ticket.recipient.displayName },
        agent: { name: agent.name },
        ticket: { number: ticket.number },
      });
      return [{ id: reply.id, title: reply.title, language: reply.language, ...rendered }];
    });
  }
}
