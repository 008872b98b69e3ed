import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { Channel } from '@firstline/contracts';
import { customerTexts, fillText, type CustomerTexts } from '@firstline/routing';
import { RATING_LINK_TTL_MS, signRatingLink } from '@firstline/webform';
import { TicketRepository } from '../database/ticket.repository';
import { CustomerWording } from '../directory/customer-wording';
import { TicketsSettings } from '../tickets-settings';
import type { Ticket } from '../tickets/ticket';
import type { TicketEventLog } from '../tickets/ticket-event-log';
import { sendToCustomer } from './outbound';

/** Channels whose adapters put the survey's 1–5 buttons under it. */
const BUTTON_CHANNELS = [Channel.TELEGRAM, Channel.VK, Channel.OK];

/**
 * The satisfaction survey a resolved ticket sends, in the customer's channel and language:
 * Telegram and VK show buttons under it; the live-chat widget shows its own stars and comment box
 * at the end of the chat; elsewhere it carries a signed link to the rating page, and a bare number
 * in answer counts too (the router reads it, docs/adr/0016).
 */
@Injectable()
export class SatisfactionSurvey {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly wording: CustomerWording,
    private readonly settings: TicketsSettings,
  ) {}

  async send(manager: EntityManager, log: TicketEventLog, ticket: Ticket, at: Date) {
    const wording = await this.wording.load(manager);
    const texts = customerTexts(ticket.language, wording);
    await sendToCustomer(manager, this.tickets, log, ticket, {
      text:
        ticket.channel === Channel.CHAT
          ? texts.chatSurvey
          : surveyText(ticket, texts, this.ratingUrl(ticket, at)),
      automaticKind: 'csat_survey',
      at,
      wording,
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

function surveyText(ticket: Ticket, texts: CustomerTexts, ratingUrl: string | undefined): string {
  const survey = fillText(texts.survey, { number: ticket.number });
  return ratingUrl ? `${survey}\n\n${fillText(texts.surveyLink, { link: ratingUrl })}` : survey;
}
