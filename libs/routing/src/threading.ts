import { TicketDisposition } from '@firstline/contracts';
import { readSurveyAnswer, type SurveyAnswer } from './survey-answer';

/**
 * Threading: which ticket an inbound message continues. The router is its one authority; the
 * adapters only hand it hints (docs/adr/0013).
 */

/** A ticket as threading sees it: whose it is and where it stands, from ticket events. */
export type KnownTicket = { ticketId: string; customerId: string } & (
  { state: 'open' } | { state: 'resolved'; resolvedAt: Date } | { state: 'closed' }
);

/** What the router found for a message's hints. */
export interface ThreadingHints {
  /** The latest ticket of the message's conversation (same conversation key). */
  conversation?: KnownTicket;
  /** The ticket of the nearest earlier message it answers that the router knows, ours or theirs. */
  replied?: KnownTicket;
  /** The ticket it names by number ("[#N]" in a subject, a number in our Message-ID). */
  named?: KnownTicket;
  /** For an answer to a satisfaction survey: the ticket the survey asked about. */
  rated?: KnownTicket;
}

export interface ThreadedMessage {
  /** The customer the sender resolved to. */
  customerId: string;
  /** Written by a machine: an out-of-office reply, a bounce, a mailing list. */
  autoResponse: boolean;
  receivedAt: Date;
  /** What the customer wrote, without quoted history: a bare score answers the survey. */
  replyText?: string;
}

export const DEFAULT_REOPEN_WINDOW_DAYS = 7;

/** An automatic message that threads to no ticket: nobody needs to see it. */
export const DROPPED = 'dropped';

export type ThreadingDecision =
  | { disposition: TicketDisposition.NEW_TICKET; linkedTicketId?: string }
  | { disposition: TicketDisposition.APPEND; ticketId: string; surveyAnswer?: SurveyAnswer }
  | { disposition: TicketDisposition.REOPEN; ticketId: string }
  | { disposition: TicketDisposition.FOLLOW_UP; previousTicketId: string }
  | { disposition: typeof DROPPED };

/**
 * Which ticket a message continues and how:
 *
 * - a survey answer rates the ticket it was asked about, if that is the sender's, whatever has
 *   happened since: it joins it and never reopens it; any other is routed like a message;
 * - its conversation's latest ticket, else the ticket of a message it answers, else the ticket
 *   it names by number when the sender is that ticket's customer; a number is easy to quote, so
 *   a stranger naming one gets a new ticket linked to it, never somebody else's thread;
 * - an open ticket takes the message; a resolved one reopens within the reopen window; after
 *   the window, or once closed, a new ticket follows it up;
 * - a robot's message (auto-response, bounce) only ever joins the ticket it threads to, in any
 *   state, and is dropped when it threads to none: robots never open or reopen a ticket;
 * - a resolved or closed ticket asked its customer for a rating: their reply that reads as a
 *   score ("5", "2 — slow to answer") answers the survey and joins the ticket without reopening.
 */
export function decideThreading(
  message: ThreadedMessage,
  hints: ThreadingHints,
  reopenWindowDays = DEFAULT_REOPEN_WINDOW_DAYS,
): ThreadingDecision {
  if (hints.rated?.customerId === message.customerId) {
    return { disposition: TicketDisposition.APPEND, ticketId: hints.rated.ticketId };
  }
  const named = hints.named?.customerId === message.customerId ? hints.named : undefined;
  const ticket = hints.conversation ?? hints.replied ?? named;
  if (!ticket) {
    if (message.autoResponse) return { disposition: DROPPED };
    return hints.named
      ? { disposition: TicketDisposition.NEW_TICKET, linkedTicketId: hints.named.ticketId }
      : { disposition: TicketDisposition.NEW_TICKET };
  }
  if (message.autoResponse || ticket.state === 'open') {
    return { disposition: TicketDisposition.APPEND, ticketId: ticket.ticketId };
  }
  const surveyAnswer =
    ticket.customerId === message.customerId
      ? readSurveyAnswer(message.replyText ?? '')
      : undefined;
  if (surveyAnswer) {
    return { disposition: TicketDisposition.APPEND, ticketId: ticket.ticketId, surveyAnswer };
  }
  if (ticket.state === 'resolved') {
    const windowEnd = ticket.resolvedAt.getTime() + reopenWindowDays * 86_400_000;
    if (message.receivedAt.getTime() <= windowEnd) {
      return { disposition: TicketDisposition.REOPEN, ticketId: ticket.ticketId };
    }
  }
  return { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: ticket.ticketId };
}
