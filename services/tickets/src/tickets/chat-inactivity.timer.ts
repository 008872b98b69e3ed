import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@firstline/persistence';
import { PeriodicSweep } from '@firstline/runtime';
import { changeStatus, isInactiveChat, statusChanged } from '@firstline/ticketing';
import { SatisfactionSurvey } from '../api/survey';
import { TicketRepository } from '../database/ticket.repository';
import { TeamCalendars } from '../directory/team-calendars';
import { TicketsSettings } from '../tickets-settings';
import { movesSlaClock, withSlaClock } from './sla-clock';
import { withDueTimes, type Ticket } from './ticket';
import { SYSTEM_CHAT_INACTIVITY, TicketEventLog } from './ticket-event-log';

const EVERY_MS = 15_000;
const PER_ROUND = 200;

/**
 * Ends live chats in which neither side wrote for TICKETS_CHAT_INACTIVITY_MINUTES: the chat is
 * resolved as an agent would resolve it (the visitor is asked to rate it, and the router frees the
 * agent's chat slot for the next one in the queue). Every replica runs it; each chat is taken
 * under its row lock and checked again there, so it ends once in the cluster.
 */
@Injectable()
export class ChatInactivityTimer extends PeriodicSweep {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly tickets: TicketRepository,
    private readonly settings: TicketsSettings,
    private readonly survey: SatisfactionSurvey,
    private readonly calendars: TeamCalendars,
  ) {
    super({ what: 'Chat inactivity round', everyMs: EVERY_MS });
  }

  protected round(): Promise<number> {
    return this.endQuietChats();
  }

  /** One round: resolves up to 200 quiet chats; returns how many. */
  async endQuietChats(now = new Date()): Promise<number> {
    const policy = this.settings.lifecycle;
    const before = new Date(now.getTime() - policy.chatInactivityMs);
    const ended = await this.dataSource.transaction(async (manager) => {
      const quiet = await this.tickets.lockQuietChats(manager, before, PER_ROUND);
      const log = new TicketEventLog();
      let count = 0;
      for (const chat of quiet.filter((chat) => isInactiveChat(chat, now, policy))) {
        const change = changeStatus(chat, 'resolved', now);
        if (!change.ok) continue;
        log.record(chat, SYSTEM_CHAT_INACTIVITY, now, statusChanged(chat.status, 'resolved'));
        await this.survey.send(manager, log, chat, now);
        const ticket: Ticket = chat;
        const changed: Ticket = { ...ticket, ...change.state };
        // A pending chat's SLA clock was stopped: the time it waited moves the due time.
        const next = movesSlaClock(ticket, changed)
          ? withSlaClock(ticket, changed, now, (await this.calendars.load(manager))(ticket.teamId))
          : withDueTimes(changed);
        await this.tickets.updateTicket(manager, next);
        count += 1;
      }
      await log.flush(manager);
      return count;
    });
    if (ended > 0) this.relay.nudge();
    return ended;
  }
}
