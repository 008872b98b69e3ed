import { Channel, Presence, Priority } from '@firstline/contracts';
import {
  chooseAgent,
  compareQueuedTickets,
  drainQueue,
  type AgentState,
  type QueuedTicket,
  type TicketNeeds,
} from '../src';

const agent = (id: string, fields: Partial<AgentState> = {}): AgentState => ({
  id,
  active: true,
  presence: Presence.ONLINE,
  teamIds: ['support'],
  skillLevels: new Map([['billing', 3]]),
  capacity: new Map([
    [Channel.TELEGRAM, 3],
    [Channel.EMAIL, 10],
  ]),
  load: new Map(),
  idleSince: new Date('2026-03-02T09:00:00Z'),
  ...fields,
});

const chat: TicketNeeds = { teamId: 'support', skillIds: ['billing'], channel: Channel.TELEGRAM };

describe('chooseAgent', () => {
  it.each<[string, AgentState[], TicketNeeds, string | undefined]>([
    ['the only agent who can take it', [agent('a')], chat, 'a'],
    [
      'nobody online: queue',
      [agent('a', { presence: Presence.AWAY }), agent('b', { presence: Presence.OFFLINE })],
      chat,
      undefined,
    ],
    ['an agent who left gets no work', [agent('a', { active: false })], chat, undefined],
    [
      'another team’s agent does not qualify',
      [agent('a', { teamIds: ['sales'] })],
      chat,
      undefined,
    ],
    [
      'an agent without the skill does not qualify',
      [agent('a', { skillLevels: new Map([['api', 5]]) })],
      chat,
      undefined,
    ],
    [
      'an agent at capacity in the channel does not qualify',
      [agent('a', { load: new Map([[Channel.TELEGRAM, 3]]) })],
      chat,
      undefined,
    ],
    [
      'no capacity for the channel means none of its tickets',
      [agent('a')],
      { ...chat, channel: Channel.VK },
      undefined,
    ],
    [
      'the customer’s last agent first, though busier',
      [agent('a'), agent('b', { load: new Map([[Channel.TELEGRAM, 2]]) })],
      { ...chat, lastAgentId: 'b' },
      'b',
    ],
    [
      'the last agent skipped when offline',
      [agent('a'), agent('b', { presence: Presence.OFFLINE })],
      { ...chat, lastAgentId: 'b' },
      'a',
    ],
    [
      'then the least loaded relative to capacity',
      [
        agent('a', { load: new Map([[Channel.TELEGRAM, 2]]) }),
        agent('b', {
          capacity: new Map([[Channel.TELEGRAM, 10]]),
          load: new Map([[Channel.TELEGRAM, 5]]),
        }),
      ],
      chat,
      'b',
    ],
    [
      'then the longest idle',
      [
        agent('a', { idleSince: new Date('2026-03-02T10:00:00Z') }),
        agent('b', { idleSince: new Date('2026-03-02T08:00:00Z') }),
      ],
      chat,
      'b',
    ],
    [
      'then the higher skill level',
      [agent('a'), agent('b', { skillLevels: new Map([['billing', 5]]) })],
      chat,
      'b',
    ],
    [
      'a ticket with no skills fits any team member',
      [agent('a', { skillLevels: new Map() })],
      { ...chat, skillIds: [] },
      'a',
    ],
  ])('%s', (_case, agents, ticket, expected) => {
    expect(chooseAgent(ticket, agents)?.id).toBe(expected);
  });
});

const queued = (ticketId: string, fields: Partial<QueuedTicket> = {}): QueuedTicket => ({
  ...chat,
  ticketId,
  priority: Priority.NORMAL,
  firstResponseDueAt: new Date('2026-03-02T12:00:00Z'),
  queuedAt: new Date('2026-03-02T10:00:00Z'),
  ...fields,
});

describe('the team queue', () => {
  it('orders by priority, then due time, then arrival', () => {
    const queue = [
      queued('normal-late', { firstResponseDueAt: new Date('2026-03-02T13:00:00Z') }),
      queued('no-sla', { firstResponseDueAt: undefined }),
      queued('normal-early'),
      queued('normal-early-second', { queuedAt: new Date('2026-03-02T10:05:00Z') }),
      queued('urgent', {
        priority: Priority.URGENT,
        firstResponseDueAt: new Date('2026-03-02T20:00:00Z'),
      }),
      queued('low', { priority: Priority.LOW }),
    ];
    expect(queue.sort(compareQueuedTickets).map((ticket) => ticket.ticketId)).toEqual([
      'urgent',
      'normal-early',
      'normal-early-second',
      'normal-late',
      'no-sla',
      'low',
    ]);
  });

  it('hands queued tickets out in order without passing anyone’s capacity', () => {
    const agents = [
      agent('a', { load: new Map([[Channel.TELEGRAM, 2]]) }),
      agent('b', { load: new Map([[Channel.TELEGRAM, 1]]) }),
    ];
    const queue = [
      queued('t1'),
      queued('t2', { priority: Priority.HIGH }),
      queued('t3'),
      queued('t4'),
      queued('t5'),
    ];
    expect(drainQueue(queue, agents, new Date('2026-03-02T11:00:00Z'))).toEqual([
      { ticketId: 't2', agentId: 'b' },
      { ticketId: 't1', agentId: 'a' },
      { ticketId: 't3', agentId: 'b' },
    ]);
  });

  it('lets a ticket nobody can take wait without holding back the ones behind it', () => {
    const queue = [
      queued('needs-api', { priority: Priority.URGENT, skillIds: ['api'] }),
      queued('billing'),
    ];
    expect(drainQueue(queue, [agent('a')], new Date())).toEqual([
      { ticketId: 'billing', agentId: 'a' },
    ]);
  });
});

describe('live chats against their own capacity', () => {
  // Three chats at once beside five email tickets, as the demo directory has it.
  const ann = (load: Array<[Channel, number]>) =>
    agent('ann', {
      capacity: new Map([
        [Channel.EMAIL, 5],
        [Channel.CHAT, 3],
      ]),
      load: new Map(load),
    });
  const liveChat: TicketNeeds = { teamId: 'support', skillIds: [], channel: Channel.CHAT };
  const email: TicketNeeds = { teamId: 'support', skillIds: [], channel: Channel.EMAIL };

  it.each<[string, Array<[Channel, number]>, TicketNeeds, string | undefined]>([
    ['a third chat fits', [[Channel.CHAT, 2]], liveChat, 'ann'],
    ['a fourth chat waits', [[Channel.CHAT, 3]], liveChat, undefined],
    ['full email does not keep a chat out', [[Channel.EMAIL, 5]], liveChat, 'ann'],
    ['full chats do not keep an email out', [[Channel.CHAT, 3]], email, 'ann'],
  ])('%s', (_, load, ticket, expected) => {
    expect(chooseAgent(ticket, [ann(load)])?.id).toBe(expected);
  });

  it('gives the fourth chat, waiting in order, to the slot a closed chat frees', () => {
    const waiting = [
      { ...liveChat, ticketId: 'chat-5', priority: Priority.NORMAL, queuedAt: new Date(2) },
      { ...liveChat, ticketId: 'chat-4', priority: Priority.NORMAL, queuedAt: new Date(1) },
    ];
    expect(drainQueue(waiting, [ann([[Channel.CHAT, 3]])], new Date())).toEqual([]);
    expect(drainQueue(waiting, [ann([[Channel.CHAT, 2]])], new Date())).toEqual([
      { ticketId: 'chat-4', agentId: 'ann' },
    ]);
  });
});
