import { createHash } from 'node:crypto';
import { ConflictException, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { DirectoryKind } from '@firstline/contracts';
import { afterAgentReply, renderCannedReply } from '@firstline/ticketing';
import { attachmentProblem } from '@firstline/channel';
import type { EntityManager } from 'typeorm';
import { AttachmentRepository, type MessageFile } from '../attachments/attachment.repository';
import type { SignedInAgent } from '../auth/auth.service';
import { CustomerRepository } from '../database/customer.repository';
import { DirectoryRepository } from '../database/directory.repository';
import { ReplyRequestRepository, type ReplyResponse } from '../database/reply-request.repository';
import { TicketRepository, ticketUpdate } from '../database/ticket.repository';
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
    private readonly attachments: AttachmentRepository,
  ) {}

  /**
   * The files a reply names, as the agent uploaded them to the ticket; refused before anything is
   * sent when one was not uploaded here or the channel cannot carry them.
   */
  private async attachedFiles(
    manager: EntityManager,
    ticket: Ticket,
    agent: SignedInAgent,
    storageKeys: readonly string[],
  ): Promise<MessageFile[]> {
    if (storageKeys.length === 0) return [];
    const keys = [...new Set(storageKeys)];
    const files = await this.attachments.uploadsOf(manager, ticket.id, agent.id, keys);
    const missing = keys.filter((key) => !files.some((file) => file.storageKey === key));
    if (missing.length > 0) {
      throw new UnprocessableEntityException(
        `Upload ${missing.join(', ')} to ticket ${ticket.number} first (POST /api/v1/tickets/${ticket.id}/attachments)`,
      );
    }
    const problem = attachmentProblem(ticket.channel, files);
    if (problem) throw new UnprocessableEntityException(problem);
    return files;
  }

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
    attachmentKeys: readonly string[] = [],
  ): Promise<ReplyResponse & { replayed: boolean }> {
    const requestHash = hashOf(
      attachmentKeys.length ? { ticketId, text, attachmentKeys } : { ticketId, text },
    );
    const claim =
      idempotencyKey === undefined
        ? undefined
        : this.requests.claim({ agentId: agent.id, key: idempotencyKey, requestHash, ticketId });
    return this.access.answer(ticketId, agent, claim, async (ticket, manager, log, answering) => {
      if (idempotencyKey !== undefined && !answering.claimed) {
        const earlier = await this.requests.earlier(manager, agent.id, idempotencyKey);
        if (earlier.requestHash !== requestHash) {
          throw new UnprocessableEntityException(
            'This Idempotency-Key was used for another reply; send a new key with a new reply',
          );
        }
        return { ...earlier.response, replayed: true };
      }
      if (ticket.status === 'closed') {
        throw new ConflictException(
          `Ticket ${ticket.number} is closed; the customer's next message opens a follow-up`,
        );
      }
      const files = await this.attachedFiles(manager, ticket, agent, attachmentKeys);
      const at = new Date();
      const messageId = await sendToCustomer(manager, this.tickets, log, ticket, {
        text,
        agent,
        at,
        files,
        threadRefs: answering.threadRefs,
        wording: await this.wording.load(manager),
      });
      const next: Ticket = withDueTimes({ ...ticket, ...afterAgentReply(ticket, at) });
      if (next.status !== ticket.status) {
        log.record(ticket, agentActor(agent.id), at, statusChanged(ticket.status, next.status));
      }
      log.write((first) => ticketUpdate(next, first));
      const response = { messageId, status: next.status };
      if (idempotencyKey !== undefined) {
        log.write(this.requests.answered(agent.id, idempotencyKey, response));
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

function hashOf(request: {
  ticketId: string;
  text: string;
  attachmentKeys?: readonly string[];
}): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
