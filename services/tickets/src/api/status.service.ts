import { ConflictException, Injectable } from '@nestjs/common';
import { Channel } from '@firstline/contracts';
import { customerTexts, fillText, type CustomerTexts } from '@firstline/routing';
import { changeStatus, type TicketStatus } from '@firstline/ticketing';
import { RATING_LINK_TTL_MS, signRatingLink } from '@firstline/webform';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketRepository } from '../database/ticket.repository';
import { CustomerWording } from '../directory/customer-wording';
import { TeamCalendars } from '../directory/team-calendars';
import { TicketsSettings } from '../tickets-settings';
import { movesSlaClock, withSlaClock } from '../tickets/sla-clock';
import { withDueTimes, type Ticket } from '../tickets/ticket';
import { statusChanged } from '@firstline/ticketing';
import { agentActor } from '../tickets/ticket-event-log';
import { sendToCustomer } from './outbound';
import { TicketAccess } from './ticket-access';

/**
 * Agents' status changes. Resolving asks the customer for a rating in their channel and language:
 * Telegram and VK show buttons under the survey; elsewhere it carries a signed link to the rating
 * page, and a bare number in answer counts too (the router reads it, docs/adr/0016).
 */
@Injectable()
export class StatusService {
  constructor(
    private readonly access: TicketAccess,
    private readonly tickets: TicketRepository,
    private readonly calendars: TeamCalendars,
    private readonly wording: CustomerWording,
    private readonly settings: TicketsSettings,
  ) {}

  async setStatus(ticketId: string, agent: SignedInAgent, status: TicketStatus) {
    return this.access.change(ticketId, agent, async (ticket, manager, log) => {
      const at = new Date();
      const change = changeStatus(ticket, status, at);
      if (!change.ok) throw new ConflictException(`Ticket ${ticket.number}: ${change.reason}`);
      log.record(ticket, agentActor(agent.id), at, statusChanged(ticket.status, status));
      if (status === 'resolved') {
        const wording = await this.wording.load(manager);
        await sendToCustomer(manager, this.tickets, log, ticket, {
          text: surveyText(
            ticket,
            customerTexts(ticket.language, wording),
            this.ratingUrl(ticket, at),
          ),
          automaticKind: 'csat_survey',
          at,
          wording,
        });
      }
      const changed: Ticket = {
        ...ticket,
        ...change.state,
        closedAt: status === 'closed' ? at : ticket.closedAt,
      };
      // Waiting on the customer stops the SLA clock; the time spent waiting moves the due time.
      const next = movesSlaClock(ticket, changed)
        ? withSlaClock(ticket, changed, at, (await this.calendars.load(manager))(ticket.teamId))
        : withDueTimes(changed);
      await this.tickets.updateTicket(manager, next);
      return { status };
    });
  }

  /** The rating page's signed link, for channels whose survey has no buttons. */
  private ratingUrl(ticket: Ticket, at: Date): string | undefined {
    const links = this.settings.ratingLinks;
    if (!links || BUTTON_CHANNELS.includes(ticket.channel)) return undefined;
    const token = signRatingLink(
      {
        ticketId: ticket.id,
        ticketNumber: ticket.number,
        conversationKey: ticket.conversationKey,
        channel: ticket.channel,
        customer: ticket.recipient,
        language: ticket.language,
        expiresAt: new Date(at.getTime() + RATING_LINK_TTL_MS),
      },
      links.secret,
    );
    return `${links.pageUrl}${token}`;
  }
}

/** Channels whose adapters put the survey's 1–5 buttons under it. */
const BUTTON_CHANNELS = [Channel.TELEGRAM, Channel.VK, Channel.OK];

function surveyText(ticket: Ticket, texts: CustomerTexts, ratingUrl: string | undefined): string {
  const survey = fillText(texts.survey, { number: ticket.number });
  return ratingUrl ? `${survey}\n\n${fillText(texts.surveyLink, { link: ratingUrl })}` : survey;
}
