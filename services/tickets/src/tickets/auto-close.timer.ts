import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from '@firstline/persistence';
import { PeriodicSweep } from '@firstline/runtime';
import { isDueForAutoClose } from '@firstline/ticketing';
import { TicketRepository } from '../database/ticket.repository';
import { TicketsSettings } from '../tickets-settings';
import { statusChanged } from '@firstline/ticketing';
import { SYSTEM_AUTO_CLOSE, TicketEventLog } from './ticket-event-log';

const EVERY_MS = 60_000;
const PER_ROUND = 500;

/** Closes resolved tickets once they have waited TICKETS_AUTO_CLOSE_HOURS without a reply. */
@Injectable()
export class AutoCloseTimer extends PeriodicSweep {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly tickets: TicketRepository,
    private readonly settings: TicketsSettings,
  ) {
    super({ what: 'Auto-close', everyMs: EVERY_MS });
  }

  protected round(): Promise<number> {
    return this.closeDue();
  }

  /** One round: closes up to 500 due tickets; returns how many. */
  async closeDue(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.settings.lifecycle.autoCloseAfterMs);
    const closed = await this.dataSource.transaction(async (manager) => {
      const due = await this.tickets.lockResolvedBefore(manager, before, PER_ROUND);
      const log = new TicketEventLog();
      for (const ticket of due.filter((t) => isDueForAutoClose(t, now, this.settings.lifecycle))) {
        log.record(ticket, SYSTEM_AUTO_CLOSE, now, statusChanged('resolved', 'closed'));
        await this.tickets.updateTicket(manager, { ...ticket, status: 'closed', closedAt: now });
      }
      await log.flush(manager);
      return due.length;
    });
    if (closed > 0) this.relay.nudge();
    return closed;
  }
}
