import { ForbiddenException, Injectable, NotFoundException } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { OutboxRelay, type JoinableWrite } from '@firstline/persistence';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import type { Ticket } from '../tickets/ticket';
import { TicketEventLog } from '../tickets/ticket-event-log';

/** Agents work their teams' tickets; supervisors and admins see every team. */
export function mayWorkOn(agent: SignedInAgent, ticket: Pick<Ticket, 'teamId'>): boolean {
  return agent.role !== 'agent' || agent.teamIds.includes(ticket.teamId);
}

/** The teams whose tickets `mayWorkOn` lets the agent see, for SQL; undefined for every team. */
export function teamsVisibleTo(agent: SignedInAgent): string[] | undefined {
  return agent.role === 'agent' ? agent.teamIds : undefined;
}

/**
 * Reading and changing one ticket on behalf of an agent: 404 when it does not exist, 403 when it
 * belongs to a team the agent is not in. A change runs in one transaction under the ticket's row
 * lock, with its events and outbound records written by the same commit.
 */
@Injectable()
export class TicketAccess {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly tickets: TicketRepository,
  ) {}

  async read(ticketId: string, agent: SignedInAgent): Promise<Ticket> {
    return this.authorise(await this.tickets.findTicket(ticketId), ticketId, agent);
  }

  async change<T>(
    ticketId: string,
    agent: SignedInAgent,
    work: (ticket: Ticket, manager: EntityManager, log: TicketEventLog) => Promise<T>,
  ): Promise<T> {
    return this.underLock(
      ticketId,
      agent,
      async (manager) => {
        const ticket = await this.tickets.lockTicket(manager, ticketId);
        return ticket && { ticket };
      },
      ({ ticket }, manager, log) => work(ticket, manager, log),
    );
  }

  /**
   * A change that answers the customer: `work` also gets the channel references of their newest
   * message, to keep the answer in their thread, and whether `claim` (an idempotency key's INSERT
   * … RETURNING) claimed anything; both come with the lock (lockTicketToAnswer).
   */
  async answer<T>(
    ticketId: string,
    agent: SignedInAgent,
    claim: JoinableWrite | undefined,
    work: (
      ticket: Ticket,
      manager: EntityManager,
      log: TicketEventLog,
      answering: { threadRefs: Record<string, string>; claimed: boolean },
    ) => Promise<T>,
  ): Promise<T> {
    return this.underLock(
      ticketId,
      agent,
      (manager) => this.tickets.lockTicketToAnswer(manager, ticketId, claim),
      ({ ticket, ...answering }, manager, log) => work(ticket, manager, log, answering),
    );
  }

  private async underLock<Locked extends { ticket: Ticket }, T>(
    ticketId: string,
    agent: SignedInAgent,
    lock: (manager: EntityManager) => Promise<Locked | undefined>,
    work: (locked: Locked, manager: EntityManager, log: TicketEventLog) => Promise<T>,
  ): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      const locked = await lock(manager);
      if (!locked) throw new NotFoundException(`No ticket ${ticketId}`);
      this.authorise(locked.ticket, ticketId, agent);
      const log = new TicketEventLog();
      const outcome = await work(locked, manager, log);
      await log.flush(manager);
      return outcome;
    });
    this.relay.nudge();
    return result;
  }

  private authorise(ticket: Ticket | undefined, ticketId: string, agent: SignedInAgent): Ticket {
    if (!ticket) throw new NotFoundException(`No ticket ${ticketId}`);
    if (!mayWorkOn(agent, ticket)) {
      throw new ForbiddenException(`Ticket ${ticket.number} belongs to a team you are not in`);
    }
    return ticket;
  }
}
