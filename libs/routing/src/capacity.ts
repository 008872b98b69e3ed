import { Channel } from '@firstline/contracts';

/** Live chats at once for an agent whose own capacity and teams name no number for chat. */
export const DEFAULT_CHAT_CAPACITY = 3;

/**
 * An agent's capacity per channel as assignment counts it. The agent's own entries rule; live
 * chat without one of the agent's own takes their teams' default (the lowest where several teams
 * set one: no team gets an agent busier than it expects), else DEFAULT_CHAT_CAPACITY. Any other
 * channel without an entry stays at none: a supervisor names each channel an agent answers, but
 * chat is what most agents take, so a team sets it once (Zendesk's and Chatwoot's chat limit).
 */
export function agentCapacity(
  own: ReadonlyMap<Channel, number>,
  teamChatDefaults: readonly number[],
): Map<Channel, number> {
  const capacity = new Map(own);
  if (!capacity.has(Channel.CHAT)) {
    capacity.set(
      Channel.CHAT,
      teamChatDefaults.length > 0 ? Math.min(...teamChatDefaults) : DEFAULT_CHAT_CAPACITY,
    );
  }
  return capacity;
}

/** The chat defaults the teams of `teamIds` set, for `agentCapacity`. */
export function teamChatDefaults(
  teamIds: readonly string[],
  teams: ReadonlyMap<string, { defaultChatCapacity?: number }>,
): number[] {
  return teamIds.flatMap((id) => {
    const chats = teams.get(id)?.defaultChatCapacity;
    return chats === undefined ? [] : [chats];
  });
}
