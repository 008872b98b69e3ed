import { TicketDisposition } from '@firstline/contracts';
import {
  decideThreading,
  DROPPED,
  type KnownTicket,
  type ThreadedMessage,
  type ThreadingHints,
} from '../src';

const now = new Date('2026-03-20T12:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * 86_400_000);

const open = (ticketId: string, customerId = 'ann'): KnownTicket => ({
  ticketId,
  customerId,
  state: 'open',
});
const resolved = (ticketId: string, days: number, customerId = 'ann'): KnownTicket => ({
  ticketId,
  customerId,
  state: 'resolved',
  resolvedAt: daysAgo(days),
});
const closed = (ticketId: string): KnownTicket => ({
  ticketId,
  customerId: 'ann',
  state: 'closed',
});

const fromAnn: ThreadedMessage = { customerId: 'ann', autoResponse: false, receivedAt: now };
const robotToAnn: ThreadedMessage = { ...fromAnn, autoResponse: true };
const fromBob: ThreadedMessage = { ...fromAnn, customerId: 'bob' };

describe('decideThreading', () => {
  it.each<[string, ThreadedMessage, ThreadingHints, object]>([
    [
      'a first message starts a new ticket',
      fromAnn,
      {},
      { disposition: TicketDisposition.NEW_TICKET },
    ],
    [
      'a message in a conversation with an open ticket appends to it',
      fromAnn,
      { conversation: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a reply naming only our message (In-Reply-To) continues that message’s ticket',
      fromAnn,
      { replied: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'anybody answering a message we know continues its ticket (a colleague in Cc)',
      fromBob,
      { replied: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'the conversation’s latest ticket wins over an older ticket the reply names',
      fromAnn,
      { conversation: open('t2'), replied: closed('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't2' },
    ],
    [
      'a "[#N]" from the ticket’s customer continues ticket N',
      fromAnn,
      { named: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a "[#N]" from a stranger starts a new ticket linked to N',
      fromBob,
      { named: open('t1') },
      { disposition: TicketDisposition.NEW_TICKET, linkedTicketId: 't1' },
    ],
    [
      'a thread hint wins over a number in the subject',
      fromAnn,
      { replied: open('t1'), named: open('t9') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a reply on a ticket resolved 2 days ago reopens it',
      fromAnn,
      { conversation: resolved('t1', 2) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'a reply exactly 7 days after resolution still reopens it',
      fromAnn,
      { replied: resolved('t1', 7) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'a "[#N]" from the customer reopens N within the window',
      fromAnn,
      { named: resolved('t1', 1) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'a reply 8 days after resolution follows up with a new ticket',
      fromAnn,
      { replied: resolved('t1', 8) },
      { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: 't1' },
    ],
    [
      'a reply on a closed ticket follows up with a new ticket',
      fromAnn,
      { conversation: closed('t1') },
      { disposition: TicketDisposition.FOLLOW_UP, previousTicketId: 't1' },
    ],
    [
      'an out-of-office reply joins the open ticket it threads to',
      robotToAnn,
      { replied: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'an out-of-office reply to a resolved ticket joins it without reopening it',
      robotToAnn,
      { replied: resolved('t1', 1) },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'an auto-reply long after resolution joins the old ticket instead of following it up',
      robotToAnn,
      { conversation: closed('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'an auto-reply that threads to no ticket is dropped',
      robotToAnn,
      {},
      { disposition: DROPPED },
    ],
    [
      'an auto-reply naming a stranger’s ticket by number is dropped',
      { ...robotToAnn, customerId: 'bob' },
      { named: open('t1') },
      { disposition: DROPPED },
    ],
    [
      'a bare score on a resolved ticket answers the survey: recorded, never reopened',
      { ...fromAnn, replyText: '2 — долго отвечали' },
      { replied: resolved('t1', 1) },
      {
        disposition: TicketDisposition.APPEND,
        ticketId: 't1',
        surveyAnswer: { score: 2, comment: 'долго отвечали' },
      },
    ],
    [
      'a score long after resolution still rates the closed ticket',
      { ...fromAnn, replyText: '5' },
      { conversation: closed('t1') },
      {
        disposition: TicketDisposition.APPEND,
        ticketId: 't1',
        surveyAnswer: { score: 5, comment: '' },
      },
    ],
    [
      'a number on an open ticket is just a message',
      { ...fromAnn, replyText: '5' },
      { conversation: open('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a sentence starting with a number reopens as any reply does',
      { ...fromAnn, replyText: '5 more orders failed today' },
      { conversation: resolved('t1', 1) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'somebody else’s score (a colleague in Cc) does not rate the customer’s ticket',
      { ...fromBob, replyText: '1' },
      { replied: resolved('t1', 1) },
      { disposition: TicketDisposition.REOPEN, ticketId: 't1' },
    ],
    [
      'an out-of-office reply to the survey joins the ticket as a robot’s, with no score',
      { ...robotToAnn, replyText: '1' },
      { replied: resolved('t1', 1) },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a survey answer rates its resolved ticket without reopening it, past a newer one',
      fromAnn,
      { rated: resolved('t1', 1), conversation: open('t2') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a survey answer for a ticket closed long ago still rates it',
      fromAnn,
      { rated: closed('t1') },
      { disposition: TicketDisposition.APPEND, ticketId: 't1' },
    ],
    [
      'a survey answer naming somebody else’s ticket is routed like any message',
      fromBob,
      { rated: resolved('t1', 1) },
      { disposition: TicketDisposition.NEW_TICKET },
    ],
  ])('%s', (_case, message, hints, expected) => {
    expect(decideThreading(message, hints)).toEqual(expected);
  });

  it('honours a shorter reopen window', () => {
    expect(decideThreading(fromAnn, { conversation: resolved('t1', 2) }, 1).disposition).toBe(
      TicketDisposition.FOLLOW_UP,
    );
  });
});
