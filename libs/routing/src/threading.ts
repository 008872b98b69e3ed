import { TicketDisposition } from '@firstline/contracts';

/** Where a conversation's latest ticket stands, as the router learned it from ticket events. */
export type ConversationTicket =
  | { ticketId: string; state: 'open' }
  | { ticketId: string; state: 'resolved'; resolvedAt: Date }
  | { ticketId: string; state: 'closed' };

export const DEFAULT_REOPEN_WINDOW_DAYS = 7;

export type ThreadingDecision =
  | { disposition: TicketDisposition.NEW_TICKET }
  | { disposition: TicketDisposition.APPEND | TicketDisposition.REOPEN; ticketId: string }
  | { disposition: TicketDisposition.FOLLOW_UP; previousTicketId: string };

/**
 * How a message relates to its conversation's latest ticket: an open ticket takes it; a resolved
 * one reopens within the window; after the window, or once closed, a new ticket follows up the old.
 */
export function decideThreading(
  latest: ConversationTicket | undefined,
  receivedAt: Date,
  reopenWindowDays = DEFAULT_REOPEN_WINDOW_DAYS,
): ThreadingDecision {
  if (!latest) return { disposition: TicketDisposition.NEW_TICKET };
  switch (latest.state) {
    case 'open':
      return { disposition: TicketDisposition.APPEND, ticketId: latest.ticketId };
    case 'resolved': {
      const windowEnd = latest.resolvedAt.getTime() + reopenWindowDays * 86_400_000;
      return receivedAt.getTime() <= windowEnd
        ? { disposition: TicketDisposition.REOPEN, ticketId: latest.ticketId }
        : { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: latest.ticketId };
    }
    case 'closed':
      return { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: latest.ticketId };
  }
}
