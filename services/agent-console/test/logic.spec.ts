import {
  appendPage,
  complianceZone,
  formatDuration,
  formatMetric,
  heatMap,
  fileSize,
  isPreviewable,
  laterDelivery,
  latestVisitorMessage,
  mergePreview,
  moveSelection,
  parseTags,
  queueTabs,
  replySending,
  slaCountdown,
  tabQuery,
  timeline,
  typingWorthTelling,
  unfilledPlaceholders,
  unreadNotifications,
  windowText,
  type ApiMessage,
  type QueueTicket,
} from '../web/logic';

const now = Date.parse('2026-11-23T12:00:00Z');
const minutes = (n: number) => new Date(now + n * 60_000).toISOString();

describe('the SLA countdown', () => {
  it('counts down to the due time in the zone the server gave', () => {
    expect(slaCountdown({ dueAt: minutes(65), zone: 'green', slaPausedSince: null }, now)).toEqual({
      text: '1h 05m',
      zone: 'green',
      paused: false,
      overdue: false,
    });
    expect(
      slaCountdown({ dueAt: minutes(4.5), zone: 'yellow', slaPausedSince: null }, now).text,
    ).toBe('4m 30s');
  });

  it('turns red with a minus once the due time has passed, whatever the zone was', () => {
    expect(
      slaCountdown({ dueAt: minutes(-12), zone: 'yellow', slaPausedSince: null }, now),
    ).toEqual({
      text: '−12m 00s',
      zone: 'red',
      paused: false,
      overdue: true,
    });
  });

  it('stands still while the ticket waits on the customer', () => {
    const paused = { dueAt: minutes(30), zone: 'green' as const, slaPausedSince: minutes(-60) };
    expect(slaCountdown(paused, now)).toMatchObject({ text: '1h 30m', paused: true });
    expect(slaCountdown(paused, now + 3_600_000).text).toBe('1h 30m');
  });

  it('shows nothing without a due time', () => {
    expect(slaCountdown({ dueAt: null, zone: 'green', slaPausedSince: null }, now).text).toBe('');
  });

  it('writes days and hours for long stretches', () => {
    expect(formatDuration(2 * 86_400_000 + 3 * 3_600_000 + 59_000)).toBe('2d 3h');
  });
});

describe('the queue', () => {
  it('gives agents their own and their teams’ tickets, supervisors also the unassigned and all', () => {
    expect(queueTabs('agent')).toEqual(['mine', 'team']);
    expect(queueTabs('supervisor')).toEqual(['mine', 'team', 'unassigned', 'all']);
    expect(tabQuery('unassigned')).toEqual({ view: 'all', unassignedOnly: true });
    expect(tabQuery('team')).toEqual({ view: 'team', unassignedOnly: false });
  });

  it('moves the selection with arrows, j/k, Home and End, within the rows', () => {
    expect(moveSelection(0, 'ArrowDown', 3)).toBe(1);
    expect(moveSelection(2, 'j', 3)).toBe(2);
    expect(moveSelection(1, 'k', 3)).toBe(0);
    expect(moveSelection(0, 'ArrowUp', 3)).toBe(0);
    expect(moveSelection(0, 'End', 3)).toBe(2);
    expect(moveSelection(2, 'Home', 3)).toBe(0);
    expect(moveSelection(1, 'x', 3)).toBe(1);
    expect(moveSelection(0, 'ArrowDown', 0)).toBe(-1);
  });

  const queued = (id: string, assigneeId: string | null = null): QueueTicket => ({
    id,
    number: id,
    subject: `Ticket ${id}`,
    channel: 'email',
    status: 'open',
    priority: 'normal',
    teamId: 'first-line',
    assigneeId,
    dueAt: null,
    zone: 'green',
    slaPausedSince: null,
    tags: [],
    createdAt: minutes(0),
  });

  it('adds the next page below the shown tickets, a ticket moved across pages only once', () => {
    const shown = [queued('1'), queued('2')];
    expect(appendPage(shown, [queued('2'), queued('3')], false).map((t) => t.id)).toEqual([
      '1',
      '2',
      '3',
    ]);
    expect(appendPage([], [queued('1')], false).map((t) => t.id)).toEqual(['1']);
    expect(shown).toHaveLength(2);
  });

  it('keeps only the unassigned tickets of each page on the unassigned tab', () => {
    const page = [queued('3', 'ann'), queued('4'), queued('5', 'bill')];
    expect(appendPage([queued('1')], page, true).map((t) => t.id)).toEqual(['1', '4']);
    expect(appendPage([], page, false)).toHaveLength(3);
  });
});

describe('the conversation', () => {
  const message = (id: string, at: string, channel: ApiMessage['channel']): ApiMessage => ({
    id,
    ticketId: 't',
    direction: 'in',
    author: { kind: 'customer', id: 'c' },
    channel,
    subject: '',
    text: id,
    html: '',
    attachments: [],
    automatic: false,
    automaticKind: null,
    expectedAnswerAt: null,
    createdAt: at,
    delivery: null,
  });

  it('puts earlier tickets’ messages, this ticket’s messages, notes and events in time order', () => {
    const entries = timeline({
      ticket: { number: '2' },
      messages: [message('telegram now', minutes(0), 'telegram')],
      notes: [{ id: 'n', agentId: 'ann', text: 'note', createdAt: minutes(1) }],
      events: [
        { eventId: 'e1', type: 'TICKET_EVENT_TYPE_MESSAGE_ADDED', occurredAt: minutes(0) },
        {
          eventId: 'e2',
          type: 'TICKET_EVENT_TYPE_TRANSFERRED',
          occurredAt: minutes(2),
          transferred: { fromTeamId: 'first-line', toTeamId: 'billing' },
        },
      ],
      history: [{ number: '1', messages: [message('email last week', minutes(-10_000), 'email')] }],
    });
    expect(entries.map((entry) => [entry.kind, entry.ticketNumber])).toEqual([
      ['message', '1'],
      ['message', '2'],
      ['note', '2'],
      ['event', '2'],
    ]);
  });

  it('previews stored pictures, and nothing else', () => {
    const path = '/api/v1/tickets/t/attachments/ab';
    expect(isPreviewable({ downloadPath: path, contentType: 'image/png' })).toBe(true);
    expect(isPreviewable({ downloadPath: path, contentType: 'image/svg+xml' })).toBe(false);
    expect(isPreviewable({ downloadPath: null, contentType: 'image/png' })).toBe(false);
  });

  it('gives file sizes in KB and MB', () => {
    expect(fileSize(300)).toBe('1 KB');
    expect(fileSize(840_000)).toBe('820 KB');
    expect(fileSize(3_565_158)).toBe('3.4 MB');
  });

  it('names the placeholders a canned reply still has', () => {
    expect(
      unfilledPlaceholders('Hi {{customer.firstName}}, see {{ order.id }} and {{order.id}}'),
    ).toEqual(['customer.firstName', 'order.id']);
    expect(unfilledPlaceholders('Hi Bob')).toEqual([]);
  });
});

describe('the customer card', () => {
  it('reads comma-separated tags as typed, without blanks or repeats', () => {
    expect(parseTags(' enterprise,churn-risk ,, enterprise , ')).toEqual([
      'enterprise',
      'churn-risk',
    ]);
    expect(parseTags('')).toEqual([]);
    expect(parseTags(' , ')).toEqual([]);
  });
});

describe('the dashboard', () => {
  it('counts tickets by weekday and hour', () => {
    const monday9 = new Date(2026, 10, 23, 9, 15).toISOString();
    const sunday23 = new Date(2026, 10, 29, 23, 59).toISOString();
    const cells = heatMap([monday9, monday9, sunday23]);
    expect(cells[0][9]).toBe(2);
    expect(cells[6][23]).toBe(1);
    expect(cells.flat().reduce((a, b) => a + b)).toBe(3);
  });

  it('formats each metric as people read it', () => {
    expect(formatMetric('firstResponseMs', 90 * 60_000)).toBe('1h 30m');
    expect(formatMetric('slaCompliance', 0.956)).toBe('96%');
    expect(formatMetric('answerPromisesKept', 0.8)).toBe('80%');
    expect(formatMetric('csatAverage', 4.25)).toBe('4.3');
    expect(formatMetric('backlog', 7)).toBe('7');
    expect(formatMetric('reopenRate', null)).toBe('—');
  });

  it('colours SLA compliance like a traffic light', () => {
    expect(complianceZone(0.97)).toBe('green');
    expect(complianceZone(0.85)).toBe('yellow');
    expect(complianceZone(0.5)).toBe('red');
    expect(complianceZone(null)).toBe('green');
  });
});

describe('unread notifications', () => {
  const at = (minute: number) => ({ createdAt: minutes(minute) });
  it.each([
    ['none seen yet: all', '', 3],
    ['seen up to the newest: none', minutes(3), 0],
    ['seen up to the first: the two after it', minutes(1), 2],
  ])('%s', (_case, seenAt, unread) => {
    expect(unreadNotifications([at(3), at(2), at(1)], seenAt)).toBe(unread);
  });
});

describe('replySending', () => {
  let keys = 0;
  const newKey = () => `key-${(keys += 1)}`;

  it('sends the same text again (a double click, a retry after an error) under the same key', () => {
    const first = replySending(undefined, 'Your refund is on its way', newKey);
    expect(replySending(first, 'Your refund is on its way', newKey)).toEqual(first);
  });

  it('gives a new text, or the next reply after one was sent, a new key', () => {
    const first = replySending(undefined, 'Hello', newKey);
    const edited = replySending(first, 'Hello, Cleo', newKey);
    expect(edited.key).not.toBe(first.key);
    expect(replySending(undefined, 'Hello', newKey).key).not.toBe(first.key);
  });
});

describe('callbacks and merges', () => {
  it('shows a callback window in the team’s zone and in the agent’s', () => {
    const [start, end] = ['2026-03-02T13:00:00Z', '2026-03-02T15:00:00Z'];
    expect(windowText(start, end, 'Europe/Berlin', 'en-GB')).toBe('2 Mar, 14:00–16:00');
    expect(windowText(start, end, 'Asia/Vladivostok', 'en-GB')).toBe('2 Mar, 23:00–3 Mar, 01:00');
  });

  it('previews a merge as both customers’ addresses, tags and tickets, each once', () => {
    expect(
      mergePreview(
        { identities: ['rita@example.com'], tags: ['vip'], tickets: 2 },
        {
          identities: ['+74951234567', 'rita@example.com'],
          tags: ['vip', 'churn-risk'],
          tickets: 1,
        },
      ),
    ).toEqual({
      identities: ['rita@example.com', '+74951234567'],
      tags: ['vip', 'churn-risk'],
      tickets: 3,
    });
  });
});

describe('live chat in the ticket view', () => {
  it('keeps the furthest delivery status, whichever of receipt and reload comes first', () => {
    expect(laterDelivery('sent', 'read')).toBe('read');
    expect(laterDelivery('read', 'sent')).toBe('read');
    expect(laterDelivery('read', 'delivered')).toBe('read');
    expect(laterDelivery('queued', 'failed')).toBe('failed');
    expect(laterDelivery(undefined, 'sent')).toBe('sent');
    expect(laterDelivery('sent', undefined)).toBe('sent');
  });

  it('tells the visitor about typing at most every 3 seconds, and not for an empty box', () => {
    expect(typingWorthTelling('H', 0, now)).toBe(true);
    expect(typingWorthTelling('Hello', now, now + 2_999)).toBe(false);
    expect(typingWorthTelling('Hello', now, now + 3_000)).toBe(true);
    expect(typingWorthTelling('  ', 0, now)).toBe(false);
  });

  it('marks read up to the visitor’s latest chat message of this ticket', () => {
    const message = (id: string, changes: Partial<ApiMessage> = {}) =>
      ({
        id,
        ticketId: 't-1',
        direction: 'in',
        channel: 'chat',
        automatic: false,
        ...changes,
      }) as Pick<ApiMessage, 'id' | 'ticketId' | 'direction' | 'channel' | 'automatic'>;
    expect(
      latestVisitorMessage(
        [
          message('chat:v:1'),
          message('chat:v:2'),
          message('out-1', { direction: 'out' }),
          message('chat:v:0', { ticketId: 't-0' }),
        ],
        't-1',
      ),
    ).toBe('chat:v:2');
    expect(latestVisitorMessage([message('out-1', { direction: 'out' })], 't-1')).toBeUndefined();
  });
});
