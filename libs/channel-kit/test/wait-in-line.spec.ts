import {
  create,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampFromDate,
} from '@firstline/contracts';
import { waitInLine } from '../src';

describe('waitInLine', () => {
  const at = new Date('2026-12-03T10:07:00Z');
  const decision = (fields: Parameters<typeof create<typeof RoutingDecisionSchema>>[1]) =>
    create(RoutingDecisionSchema, { ticketId: 't1', conversationKey: 'chat:x', ...fields });

  it.each([
    [
      'a promise: the place and time now',
      {
        disposition: TicketDisposition.QUEUE_MOVED,
        queuePosition: 2,
        expectedAnswerAt: timestampFromDate(at),
      },
      { position: 2, promisedAt: at, withAgent: false },
    ],
    [
      'an agent: the wait is over',
      {
        disposition: TicketDisposition.ASSIGNED_FROM_QUEUE,
        assignedAgentId: 'ann',
        queuePosition: 3,
      },
      { position: 0, promisedAt: undefined, withAgent: true },
    ],
    [
      'an agent at once, with the due time as the promise',
      {
        disposition: TicketDisposition.NEW_TICKET,
        assignedAgentId: 'ann',
        expectedAnswerAt: timestampFromDate(at),
      },
      { position: 0, promisedAt: at, withAgent: true },
    ],
  ])('%s', (_, fields, expected) => {
    expect(waitInLine(decision(fields))).toEqual(expected);
  });

  it('says nothing of a message appended to a waiting ticket', () => {
    expect(waitInLine(decision({ disposition: TicketDisposition.APPEND }))).toBeUndefined();
  });
});
