import { Channel, Presence, Priority } from '@firstline/contracts';

/** An agent as assignment sees them: directory facts plus the router's own load count. */
export interface AgentState {
  id: string;
  active: boolean;
  presence: Presence;
  teamIds: string[];
  /** Skill id → level (1 basic … 5 expert). */
  skillLevels: ReadonlyMap<string, number>;
  /** Channel → tickets of that channel the agent can hold at once; missing means none. */
  capacity: ReadonlyMap<Channel, number>;
  /** Channel → open tickets of that channel assigned now. */
  load: ReadonlyMap<Channel, number>;
  /** When the agent last got a ticket or became available; the longest idle goes first. */
  idleSince: Date;
}

/** What a ticket needs from an agent. */
export interface TicketNeeds {
  teamId: string;
  skillIds: string[];
  channel: Channel;
  /** The agent who served the customer last, preferred while online with room. */
  lastAgentId?: string;
}

/** Whether the agent can take this ticket right now. */
export function canTake(agent: AgentState, ticket: TicketNeeds): boolean {
  return (
    agent.active &&
    agent.presence === Presence.ONLINE &&
    agent.teamIds.includes(ticket.teamId) &&
    ticket.skillIds.every((skill) => (agent.skillLevels.get(skill) ?? 0) > 0) &&
    freeCapacity(agent, ticket.channel) > 0
  );
}

function freeCapacity(agent: AgentState, channel: Channel): number {
  return (agent.capacity.get(channel) ?? 0) - (agent.load.get(channel) ?? 0);
}

/**
 * The agent to assign, or undefined to queue the ticket. Among agents who can take it: the one who
 * served this customer last; then the least loaded relative to capacity in the ticket's channel;
 * then the longest idle; then the higher skill levels; then by id, so that every router instance
 * decides alike.
 */
export function chooseAgent<Agent extends AgentState>(
  ticket: TicketNeeds,
  agents: readonly Agent[],
): Agent | undefined {
  const candidates = agents.filter((agent) => canTake(agent, ticket));
  const previous = candidates.find((agent) => agent.id === ticket.lastAgentId);
  if (previous) return previous;
  return candidates.sort((a, b) => compareCandidates(a, b, ticket))[0];
}

function compareCandidates(a: AgentState, b: AgentState, ticket: TicketNeeds): number {
  return (
    loadRatio(a, ticket.channel) - loadRatio(b, ticket.channel) ||
    a.idleSince.getTime() - b.idleSince.getTime() ||
    skillScore(b, ticket) - skillScore(a, ticket) ||
    a.id.localeCompare(b.id)
  );
}

function loadRatio(agent: AgentState, channel: Channel): number {
  return (agent.load.get(channel) ?? 0) / (agent.capacity.get(channel) ?? 1);
}

function skillScore(agent: AgentState, ticket: TicketNeeds): number {
  return ticket.skillIds.reduce((sum, skill) => sum + (agent.skillLevels.get(skill) ?? 0), 0);
}

/** A ticket waiting in its team's queue. */
export interface QueuedTicket extends TicketNeeds {
  ticketId: string;
  priority: Priority;
  /** Unset without an SLA policy: such tickets wait behind those with a due time. */
  firstResponseDueAt?: Date;
  queuedAt: Date;
}

/** Queue order: more urgent first, then the earliest first-response due time, then first come. */
export function compareQueuedTickets(a: QueuedTicket, b: QueuedTicket): number {
  const due = (ticket: QueuedTicket) => ticket.firstResponseDueAt?.getTime() ?? Infinity;
  return (
    b.priority - a.priority ||
    due(a) - due(b) ||
    a.queuedAt.getTime() - b.queuedAt.getTime() ||
    a.ticketId.localeCompare(b.ticketId)
  );
}

export interface QueueAssignment {
  ticketId: string;
  agentId: string;
}

/**
 * Hands queued tickets to agents with room, in queue order, each ticket to the agent
 * `chooseAgent` would pick, counting every assignment against that agent's capacity. A ticket no
 * agent can take stays queued without holding back the ones behind it that others can take.
 */
export function drainQueue(
  queue: readonly QueuedTicket[],
  agents: readonly AgentState[],
  now: Date,
): QueueAssignment[] {
  const working = agents.map((agent) => ({ ...agent, load: new Map(agent.load) }));
  const assignments: QueueAssignment[] = [];
  for (const ticket of [...queue].sort(compareQueuedTickets)) {
    const agent = chooseAgent(ticket, working);
    if (!agent) continue;
    agent.load.set(ticket.channel, (agent.load.get(ticket.channel) ?? 0) + 1);
    agent.idleSince = now;
    assignments.push({ ticketId: ticket.ticketId, agentId: agent.id });
  }
  return assignments;
}
