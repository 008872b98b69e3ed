import { Channel } from '@firstline/contracts';
import { agentCapacity, DEFAULT_CHAT_CAPACITY, teamChatDefaults } from '../src';

describe('agentCapacity: agent override ?? team default ?? built-in default', () => {
  const email: [Channel, number] = [Channel.EMAIL, 5];

  it.each<[string, Array<[Channel, number]>, number[], number]>([
    ['the agent’s own chat entry, over the team’s default', [email, [Channel.CHAT, 1]], [4], 1],
    ['an own entry of 0: no chats, whatever the team says', [email, [Channel.CHAT, 0]], [4], 0],
    ['no own entry: the team’s default', [email], [4], 4],
    ['a team default of 0: no chats for its agents', [email], [0], 0],
    ['several teams: the lowest of their defaults', [email], [6, 2, 4], 2],
    ['no own entry, no team default: the built-in one', [email], [], DEFAULT_CHAT_CAPACITY],
  ])('%s', (_case, own, defaults, chats) => {
    expect(agentCapacity(new Map(own), defaults).get(Channel.CHAT)).toBe(chats);
  });

  it('leaves every other channel as the agent’s entries say, a missing one at none', () => {
    const capacity = agentCapacity(new Map([[Channel.EMAIL, 5]]), [4]);
    expect(capacity.get(Channel.EMAIL)).toBe(5);
    expect(capacity.has(Channel.TELEGRAM)).toBe(false);
  });

  it('does not change the map it is given', () => {
    const own = new Map([[Channel.EMAIL, 5]]);
    agentCapacity(own, [4]);
    expect(own.has(Channel.CHAT)).toBe(false);
  });
});

describe('teamChatDefaults', () => {
  it('takes the defaults of the agent’s teams that set one, unknown teams passed over', () => {
    const teams = new Map<string, { defaultChatCapacity?: number }>([
      ['sales', { defaultChatCapacity: 2 }],
      ['billing', {}],
      ['support', { defaultChatCapacity: 0 }],
      ['other', { defaultChatCapacity: 9 }],
    ]);
    expect(teamChatDefaults(['sales', 'billing', 'support', 'gone'], teams)).toEqual([2, 0]);
  });
});
