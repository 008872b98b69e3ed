import { Injectable } from '@nestjs/common';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import { TicketRepository } from '../database/ticket.repository';
import { messageView, ticketSummary } from './ticket-presenter';
import { TicketAccess, mayWorkOn } from './ticket-access';

/** One ticket with everything an agent needs to answer: the customer and their history on every channel. */
@Injectable()
export class TicketViewService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
    private readonly customers: CustomerRepository,
  ) {}

  async view(ticketId: string, agent: SignedInAgent, now = new Date()) {
    const ticket = await this.access.read(ticketId, agent);
    const [customer, notes, events, customerTickets, previous] = await Promise.all([
      this.customers.findCustomer(ticket.customerId),
      this.tickets.notesOfTicket(ticket.id),
      this.tickets.eventsOfTicket(ticket.id),
      this.tickets.ticketsOfCustomer(ticket.customerId),
      ticket.previousTicketId ? this.tickets.findTicket(ticket.previousTicketId) : undefined,
    ]);
    // The customer's other tickets are listed, but their messages only where the agent may read them.
    const readable = customerTickets.filter((other) => mayWorkOn(agent, other));
    const messages = await this.tickets.messagesOfTickets(readable.map((other) => other.id));
    return {
      ticket: {
        ...ticketSummary(ticket, now),
        conversationKey: ticket.conversationKey,
        skillIds: ticket.skillIds,
        // The ticket this one follows up, or the one a stranger quoted by number: its number
        // only, since it may be another customer's.
        previousTicketId: ticket.previousTicketId,
        previousTicketNumber: previous?.number ?? null,
        csatComment: ticket.csatComment,
      },
      customer,
      messages: messages.filter((message) => message.ticketId === ticket.id).map(messageView),
      notes,
      events,
      history: customerTickets
        .filter((other) => other.id !== ticket.id)
        .map((other) => ({
          ...ticketSummary(other, now),
          messages: messages.filter((message) => message.ticketId === other.id).map(messageView),
        })),
    };
  }
}
