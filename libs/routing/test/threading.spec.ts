import { TicketDisposition } from '@firstline/contracts';
import { decideThreading, type ConversationTicket } from '../src';

const now = new Date('2026-03-20T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe('decideThreading', () => {
  it.each<[string, ConversationTicket | undefined, object]>([
    [
      'a first message starts a new ticket',
      undefined,
      { disposition: TicketDisposition.NEW_TICKET },
    ],
    [
      'a message on an open ticket appends to it',
      { ticketId: 't1', state: 'open' },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a reply on a ticket resolved 2 days ago reopens it',
      { ticketId: 't1', state: 'resolved', resolvedAt: daysAgo(2) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'a reply exactly 7 days after resolution still reopens it',
      { ticketId: 't1', state: 'resolved', resolvedAt: daysAgo(7) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'a reply 8 days after resolution follows up with a new ticket',
      { ticketId: 't1', state: 'resolved', resolvedAt: daysAgo(8) },
      { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: 't1' },
    ],
    [
      'a reply on a closed ticket follows up with a new ticket',
      { ticketId: 't1', state: 'closed' },
      { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: 't1' },
    ],
  ])('%s', (_case, latest, expected) => {
    expect(decideThreading(latest, now)).toEqual(expected);
  });

  it('honours a shorter reopen window', () => {
    const latest: ConversationTicket = {
      ticketId: 't1',
      state: 'resolved',
      resolvedAt: daysAgo(2),
    };
    expect(decideThreading(latest, now, 1).disposition).toBe(TicketDisposition.FOLLOW_UP);
  });
});
