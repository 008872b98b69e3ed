import { capacityBreaches } from '../src/harness/capacity';
import { chaosLine, reconcile } from '../src/harness/ledger';

const counts = (entries: object) => new Map(Object.entries(entries) as Array<[string, number]>);

describe('reconciling what entry points accepted with what arrived', () => {
  it.each([
    {
      case: 'everything arrived once',
      accepted: ['a', 'b'],
      stored: { a: 1, b: 1 },
      expected: { accepted: 2, stored: 2, lost: 0, duplicated: 0 },
    },
    {
      case: 'a message never stored is lost',
      accepted: ['a', 'b'],
      stored: { a: 1 },
      expected: { accepted: 2, stored: 1, lost: 1, duplicated: 0, lostMarkers: ['b'] },
    },
    {
      case: 'each extra copy counts as one duplicate',
      accepted: ['a', 'b'],
      stored: { a: 3, b: 1 },
      expected: { accepted: 2, stored: 2, lost: 0, duplicated: 2, duplicatedMarkers: ['a'] },
    },
    {
      case: 'a message accepted twice (a retried request) is one message',
      accepted: ['a', 'a'],
      stored: { a: 1 },
      expected: { accepted: 1, stored: 1, lost: 0, duplicated: 0 },
    },
    {
      case: 'what was stored without being accepted is neither lost nor doubled',
      accepted: ['a'],
      stored: { a: 1, z: 1 },
      expected: { accepted: 1, stored: 1, lost: 0, duplicated: 0 },
    },
  ])('$case', ({ accepted, stored, expected }) => {
    const result = reconcile({
      accepted,
      stored: counts(stored),
      replies: [],
      received: new Map(),
    });
    expect(result).toMatchObject(expected);
  });

  it('counts replies apart from customer messages, and prints the one closing line', () => {
    const result = reconcile({
      accepted: ['a'],
      stored: counts({ a: 1 }),
      replies: ['r1', 'r2', 'r3'],
      received: counts({ r1: 1, r2: 2 }),
    });
    expect(result).toMatchObject({ replies: 3, repliesLost: 1, repliesDuplicated: 1 });
    expect(chaosLine(result)).toBe(
      'chaos: 1 accepted, 1 stored, 0 lost, 0 duplicated; 3 replies, 1 lost, 1 duplicated',
    );
  });
});

describe('agents over capacity, from the decision log', () => {
  const assign = (ticketId: string, assignee: string, channel = 1) => ({
    ticketId,
    channel,
    assignee,
  });
  const close = (ticketId: string, closed = true, channel = 1) => ({ ticketId, channel, closed });

  it.each([
    { case: 'within capacity', events: [assign('t1', 'ann'), assign('t2', 'ann')], breaches: 0 },
    {
      case: 'a third ticket while two are open',
      events: [assign('t1', 'ann'), assign('t2', 'ann'), assign('t3', 'ann')],
      breaches: 1,
    },
    {
      case: 'a resolved ticket frees its place',
      events: [assign('t1', 'ann'), assign('t2', 'ann'), close('t1'), assign('t3', 'ann')],
      breaches: 0,
    },
    {
      case: 'a reopened ticket takes its place again',
      events: [
        assign('t1', 'ann'),
        assign('t2', 'ann'),
        close('t1'),
        assign('t3', 'ann'),
        close('t1', false),
      ],
      breaches: 1,
    },
    {
      case: 'a transfer to another agent moves the load',
      events: [assign('t1', 'ann'), assign('t2', 'ann'), assign('t1', 'bob'), assign('t3', 'ann')],
      breaches: 0,
    },
    {
      case: 'channels have capacities of their own',
      events: [assign('t1', 'ann', 1), assign('t2', 'ann', 1), assign('t3', 'ann', 2)],
      breaches: 0,
    },
  ])('$case', ({ events, breaches }) => {
    expect(capacityBreaches(events, 2)).toHaveLength(breaches);
  });
});

describe('a reopen and its assignment, recorded together', () => {
  it('count as one change: a reopened ticket that goes to another agent never loads the first', () => {
    const events = [
      { ticketId: 't1', channel: 1, at: 1, assignee: 'ann' },
      { ticketId: 't1', channel: 1, at: 2, closed: true },
      { ticketId: 't2', channel: 1, at: 3, assignee: 'ann' },
      { ticketId: 't1', channel: 1, at: 4, closed: false },
      { ticketId: 't1', channel: 1, at: 4, assignee: 'bob' },
    ];
    expect(capacityBreaches(events, 1)).toEqual([]);
  });
});
