import { BadRequestException, ForbiddenException, Injectable } from '@nestjs/common';
import { Channel, Priority } from '@firstline/contracts';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository, type QueueFilter } from '../database/ticket.repository';
import { enumValue } from '../tickets/ticket';
import type { QueueQuery } from './dto';
import { ticketSummary } from './ticket-presenter';

/** The unified queue: every channel in one list, soonest due first. */
@Injectable()
export class QueueService {
  constructor(private readonly tickets: TicketRepository) {}

  async queue(agent: SignedInAgent, query: QueueQuery, now = new Date()) {
    const filter: QueueFilter = {
      statuses: query.status ? [query.status] : ['new', 'open', 'pending'],
      channel: query.channel && enumValue(Channel, query.channel),
      priority: query.priority && enumValue(Priority, query.priority),
      zone: query.zone,
      tag: query.tag,
      limit: query.limit,
      after: query.after ? readCursor(query.after) : undefined,
    };
    if (query.view === 'mine') filter.assigneeId = agent.id;
    if (query.view === 'team') {
      filter.teamIds = agent.teamIds;
      filter.unassignedOnly = true;
    }
    if (query.view === 'all' && agent.role === 'agent') {
      throw new ForbiddenException('The view of every team is for supervisors');
    }
    const tickets = await this.tickets.queue(filter, now);
    const last = tickets.at(-1);
    return {
      tickets: tickets.map((ticket) => ticketSummary(ticket, now)),
      next:
        last && tickets.length === query.limit
          ? Buffer.from(JSON.stringify([last.dueAt, last.number])).toString('base64url')
          : null,
    };
  }
}

function readCursor(cursor: string): QueueFilter['after'] {
  try {
    const [dueAt, number] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [
      string | null,
      string,
    ];
    if (!/^\d+$/.test(number)) throw new Error('bad number');
    return { dueAt: dueAt === null ? null : new Date(dueAt), number };
  } catch {
    throw new BadRequestException('after: not a cursor this API returned');
  }
}
