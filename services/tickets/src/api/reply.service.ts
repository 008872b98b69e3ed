import { createHash } from 'node:crypto';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import { afterAgentReply, renderCannedReply } from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import { DirectoryRepository } from '../database/directory.repository';
import { ReplyRequestRepository, type ReplyResponse } from '../database/reply-request.repository';
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
    private readonly requests: ReplyRequestRepository,
  ) {}

  /**
   * Sends the agent's reply. With an idempotency key, a repeat of the request (a double click,
   * a retry after a lost answer) returns the first one's result instead of sending again; the
   * same key with another ticket or text is refused, since it cannot be the same request.
   */
  async reply(
    ticketId: string,
    agent: SignedInAgent,
    text: string,
    idempotencyKey?: string,
  ): Promise<ReplyResponse & { replayed: boolean }> {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      if (idempotencyKey !== undefined) {
        const requestHash = hashOf({ ticketId, text });
        const earlier = await this.requests.claim(manager, {
          agentId: agent.id,
          key: idempotencyKey,
          requestHash,
          ticketId,
        });
        if (earlier && earlier.requestHash !== requestHash) {
          throw new UnprocessableEntityException(
            'This Idempotency-Key was used for another reply; send a new key with a new reply',
          );
        }
        if (earlier) return { ...earlier.response, replayed: true };
      }
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
      const response = { messageId, status: next.status };
      if (idempotencyKey !== undefined) {
        await this.requests.answered(manager, agent.id, idempotencyKey, response);
      }
      return { ...response, replayed: false };
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

function hashOf(request: { ticketId: string; text: string }): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
