import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import type { Ticket } from '../tickets/ticket';
import { agentActor, type TicketEventLog } from '../tickets/ticket-event-log';
import { TicketAccess } from './ticket-access';

/** Internal notes: for colleagues only, never sent to the customer (the event says only that one exists). */
@Injectable()
export class NoteService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
  ) {}

  async addNote(ticketId: string, agent: SignedInAgent, text: string) {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => ({
      noteId: await this.writeNote(manager, log, ticket, agent, text, new Date()),
    }));
  }

  async writeNote(
    manager: EntityManager,
    log: TicketEventLog,
    ticket: Ticket,
    agent: SignedInAgent,
    text: string,
    at: Date,
  ): Promise<string> {
    const noteId = randomUUID();
    await this.tickets.insertNote(manager, {
      id: noteId,
      ticketId: ticket.id,
      agentId: agent.id,
      text,
    });
    log.record(ticket, agentActor(agent.id), at, {
      case: 'noteAdded',
      value: { $typeName: 'firstline.v1.NoteAdded', noteId },
    });
    return noteId;
  }
}
