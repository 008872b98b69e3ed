import {
  afterAgentReply,
  afterCustomerReply,
  changeStatus,
  isDueForAutoClose,
  isInactiveChat,
  type LifecyclePolicy,
  type TicketLifecycleState,
  type TicketStatus,
} from '../src';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
const MINUTE = 60 * 1000;
const policy: LifecyclePolicy = { autoCloseAfterMs: 3 * DAY, chatInactivityMs: 10 * MINUTE };
const resolvedAt = new Date('2026-11-01T10:00:00Z');
const later = (ms: number) => new Date(resolvedAt.getTime() + ms);
const ticket = (
  status: TicketStatus,
  extra: Partial<TicketLifecycleState> = {},
): TicketLifecycleState => ({
  status,
  reopenCount: 0,
  firstRespondedAt: null,
  resolvedAt: status === 'resolved' || status === 'closed' ? resolvedAt : null,
  ...extra,
});

describe('a customer reply', () => {
  it.each`
    status        | expected    | reopened | reopenCount
    ${'new'}      | ${'new'}    | ${false} | ${0}
    ${'open'}     | ${'open'}   | ${false} | ${0}
    ${'pending'}  | ${'open'}   | ${false} | ${0}
    ${'resolved'} | ${'open'}   | ${true}  | ${1}
    ${'closed'}   | ${'closed'} | ${false} | ${0}
  `(
    'on a $status ticket leaves it $expected (reopened: $reopened)',
    ({ status, expected, reopened, reopenCount }) => {
      const step = afterCustomerReply(ticket(status));
      expect(step.state.status).toBe(expected);
      expect(step.reopened).toBe(reopened);
      expect(step.state.reopenCount).toBe(reopenCount);
    },
  );

  it('counts every reopen of the same ticket', () => {
    const once = afterCustomerReply(ticket('resolved', { reopenCount: 2 }));
    expect(once.state).toMatchObject({ status: 'open', reopenCount: 3, resolvedAt: null });
  });
});

describe('an agent reply', () => {
  it('opens a new ticket and records the first response once', () => {
    const first = afterAgentReply(ticket('new'), later(HOUR));
    const second = afterAgentReply(first, later(2 * HOUR));
    expect(first).toMatchObject({ status: 'open', firstRespondedAt: later(HOUR) });
    expect(second.firstRespondedAt).toEqual(later(HOUR));
  });

  it('leaves a pending ticket pending', () => {
    expect(afterAgentReply(ticket('pending'), later(HOUR)).status).toBe('pending');
  });
});

describe('a status change by an agent', () => {
  it.each`
    from          | to            | allowed
    ${'new'}      | ${'open'}     | ${true}
    ${'new'}      | ${'resolved'} | ${true}
    ${'open'}     | ${'pending'}  | ${true}
    ${'pending'}  | ${'open'}     | ${true}
    ${'open'}     | ${'resolved'} | ${true}
    ${'resolved'} | ${'closed'}   | ${true}
    ${'resolved'} | ${'open'}     | ${true}
    ${'open'}     | ${'new'}      | ${false}
    ${'open'}     | ${'closed'}   | ${false}
    ${'closed'}   | ${'open'}     | ${false}
    ${'open'}     | ${'open'}     | ${false}
  `('from $from to $to is allowed: $allowed', ({ from, to, allowed }) => {
    const change = changeStatus(ticket(from), to, later(HOUR));
    expect(change.ok).toBe(allowed);
    if (!change.ok) expect(change.reason).toBe(`a ${from} ticket cannot become ${to}`);
  });

  it('stamps the resolution time', () => {
    const change = changeStatus(ticket('open'), 'resolved', later(HOUR));
    expect(change).toEqual({
      ok: true,
      state: expect.objectContaining({ resolvedAt: later(HOUR) }),
    });
  });

  it('counts reopening a resolved ticket by hand as a reopen', () => {
    const change = changeStatus(ticket('resolved'), 'open', later(HOUR));
    expect(change).toEqual({
      ok: true,
      state: expect.objectContaining({ status: 'open', reopenCount: 1, resolvedAt: null }),
    });
  });
});

describe('auto-close', () => {
  it.each`
    status        | after          | due
    ${'resolved'} | ${3 * DAY - 1} | ${false}
    ${'resolved'} | ${3 * DAY}     | ${true}
    ${'open'}     | ${30 * DAY}    | ${false}
    ${'closed'}   | ${30 * DAY}    | ${false}
  `('a $status ticket $after ms after resolution is due: $due', ({ status, after, due }) => {
    expect(isDueForAutoClose(ticket(status), later(after), policy)).toBe(due);
  });
});

describe('chat inactivity', () => {
  const lastMessageAt = new Date('2026-11-01T10:00:00Z');
  const after = (ms: number) => new Date(lastMessageAt.getTime() + ms);

  it.each`
    status        | assigneeId | quiet              | ends
    ${'open'}     | ${'ann'}   | ${10 * MINUTE - 1} | ${false}
    ${'open'}     | ${'ann'}   | ${10 * MINUTE}     | ${true}
    ${'new'}      | ${'ann'}   | ${10 * MINUTE}     | ${true}
    ${'pending'}  | ${'ann'}   | ${10 * MINUTE}     | ${true}
    ${'open'}     | ${null}    | ${60 * MINUTE}     | ${false}
    ${'resolved'} | ${'ann'}   | ${60 * MINUTE}     | ${false}
    ${'closed'}   | ${'ann'}   | ${60 * MINUTE}     | ${false}
  `(
    'a $status chat held by $assigneeId, quiet for $quiet ms, ends: $ends',
    ({ status, assigneeId, quiet, ends }) => {
      expect(isInactiveChat({ status, assigneeId, lastMessageAt }, after(quiet), policy)).toBe(
        ends,
      );
    },
  );
});
