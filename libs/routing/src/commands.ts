import type { Priority } from '@firstline/contracts';

/**
 * Agents' commands about who works a ticket and how urgent it is: claim, unassign, transfer, and
 * a supervisor's assign to a named agent and priority change. The router is their one authority
 * (docs/adr/0015); the tickets service has already checked that the agent may work on the ticket
 * at all, and says in the command how far the agent's role lets them go.
 */
export type AssignmentCommand =
  | { kind: 'claim'; agentId: string; takeOver: boolean }
  | { kind: 'unassign'; agentId: string; releaseOthers: boolean }
  | { kind: 'transfer'; agentId: string; toTeamId: string; skillIds: string[] }
  | { kind: 'assign'; agentId: string; assigneeId: string; overrideCapacity: boolean }
  | { kind: 'prioritise'; agentId: string; priority: Priority };

/** The part of a ticket a command reads and changes. */
export interface AssignableTicket {
  number: string;
  state: 'open' | 'resolved' | 'closed';
  teamId: string;
  skillIds: string[];
  assignedAgentId: string | null;
  priority: Priority;
}

/** The agent a claim or an assignment gives the ticket to, as the router knows them. */
export interface ReceivingAgent {
  active: boolean;
  teamIds: string[];
  /** Their open tickets of the ticket's channel now. */
  load: number;
  /** How many tickets of that channel they may hold at once. */
  capacity: number;
}

export type CommandVerdict =
  | {
      applied: true;
      ticket: AssignableTicket;
      /** The ticket is back in a team's queue: it queues from now and the queue may move. */
      queued: boolean;
      /** An assignment past the agent's capacity, because the supervisor overrode it. */
      capacityOverridden?: boolean;
    }
  | { applied: false; refusal: string };

/**
 * What a command does to the ticket. `receiver` is the claiming or assigned agent as the router
 * knows them: one it knows to be deactivated gets nothing. A claimer it does not know yet (the
 * directory reaches it a little later than the agent's sign-in) is vouched for by the tickets
 * service, which checked the account on the request. A claim is counted against the agent's
 * capacity like any assignment, but not refused for it: an agent who takes one more is making a
 * person's choice (docs/adr/0005). A supervisor's assignment is someone else's choice for the
 * agent, so it respects their capacity unless the supervisor explicitly overrides it, and goes
 * only to an agent of the ticket's team the router knows. A command that changes nothing is
 * applied, so asking twice is harmless.
 */
export function decideCommand(
  ticket: AssignableTicket,
  command: AssignmentCommand,
  receiver?: ReceivingAgent,
): CommandVerdict {
  const refuse = (why: string): CommandVerdict => ({
    applied: false,
    refusal: `Ticket ${ticket.number} ${why}`,
  });
  const unchanged: CommandVerdict = { applied: true, ticket, queued: false };
  if (ticket.state === 'closed') return refuse('is closed');
  switch (command.kind) {
    case 'claim': {
      if (ticket.assignedAgentId === command.agentId) return unchanged;
      if (receiver && !receiver.active) {
        return refuse(`cannot go to ${command.agentId}, who is deactivated`);
      }
      if (ticket.assignedAgentId && !command.takeOver) {
        return refuse(`is assigned to ${ticket.assignedAgentId}`);
      }
      return {
        applied: true,
        ticket: { ...ticket, assignedAgentId: command.agentId },
        queued: false,
      };
    }
    case 'unassign': {
      if (!ticket.assignedAgentId) return unchanged;
      if (ticket.assignedAgentId !== command.agentId && !command.releaseOthers) {
        return refuse(`is assigned to ${ticket.assignedAgentId}`);
      }
      return { applied: true, ticket: { ...ticket, assignedAgentId: null }, queued: true };
    }
    case 'transfer': {
      if (ticket.teamId === command.toTeamId) return refuse(`is already with ${command.toTeamId}`);
      return {
        applied: true,
        ticket: {
          ...ticket,
          teamId: command.toTeamId,
          skillIds: command.skillIds,
          assignedAgentId: null,
        },
        queued: true,
      };
    }
    case 'assign': {
      const { assigneeId } = command;
      if (ticket.assignedAgentId === assigneeId) return unchanged;
      if (!receiver) return refuse(`cannot go to ${assigneeId}, whom routing does not know`);
      if (!receiver.active) return refuse(`cannot go to ${assigneeId}, who is deactivated`);
      if (!receiver.teamIds.includes(ticket.teamId)) {
        return refuse(`cannot go to ${assigneeId}, who is not in ${ticket.teamId}`);
      }
      const full = receiver.load >= receiver.capacity;
      if (full && !command.overrideCapacity) {
        return refuse(
          `cannot go to ${assigneeId}, who is at capacity (${receiver.load} of ${receiver.capacity} open)`,
        );
      }
      return {
        applied: true,
        ticket: { ...ticket, assignedAgentId: assigneeId },
        queued: false,
        capacityOverridden: full,
      };
    }
    case 'prioritise': {
      if (ticket.priority === command.priority) return unchanged;
      return { applied: true, ticket: { ...ticket, priority: command.priority }, queued: false };
    }
  }
}
