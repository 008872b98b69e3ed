/**
 * Agents' commands about who works a ticket: claim, unassign, transfer. The router is their one
 * authority (docs/adr/0015); the tickets service has already checked that the agent may work on
 * the ticket at all, and says in the command how far the agent's role lets them go.
 */
export type AssignmentCommand =
  | { kind: 'claim'; agentId: string; takeOver: boolean }
  | { kind: 'unassign'; agentId: string; releaseOthers: boolean }
  | { kind: 'transfer'; agentId: string; toTeamId: string; skillIds: string[] };

/** The part of a ticket a command reads and changes. */
export interface AssignableTicket {
  number: string;
  state: 'open' | 'resolved' | 'closed';
  teamId: string;
  skillIds: string[];
  assignedAgentId: string | null;
}

export type CommandVerdict =
  | {
      applied: true;
      ticket: AssignableTicket;
      /** The ticket is back in a team's queue: it queues from now and the queue may move. */
      queued: boolean;
    }
  | { applied: false; refusal: string };

/**
 * What a command does to the ticket. `claimer` is the claiming agent as the router knows them:
 * one it knows to be deactivated gets nothing; one it does not know yet (the directory reaches
 * it a little later than the agent's sign-in) is vouched for by the tickets service, which
 * checked the account on the request. A claim is counted against the agent's capacity like any
 * assignment, but not refused for it: an agent who takes one more is making a person's choice
 * (docs/adr/0005). A command that changes nothing is applied, so asking twice is harmless.
 */
export function decideCommand(
  ticket: AssignableTicket,
  command: AssignmentCommand,
  claimer?: { active: boolean },
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
      if (claimer && !claimer.active) {
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
  }
}
