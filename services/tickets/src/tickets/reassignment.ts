import type { Ticket } from './ticket';
import { assignment, type EventDetails } from './ticket-event-log';

/** What a REASSIGNED decision says about the ticket after the router applied an agent's command. */
export interface ReassignmentDecision {
  teamId: string;
  skillIds: string[];
  assignedAgentId?: string;
}

/**
 * The router's answer to a claim, hand-back or transfer, as changes to the ticket: a Transferred
 * event when its team changed (with the agent's note as the reason), an Assigned event when its
 * assignee did. Applying it to a ticket that already reflects it changes nothing.
 */
export function applyReassignment(
  ticket: Ticket,
  decision: ReassignmentDecision,
  note: string,
): { ticket: Ticket; events: EventDetails[] } {
  const assigneeId = decision.assignedAgentId ?? null;
  const events: EventDetails[] = [];
  if (decision.teamId && decision.teamId !== ticket.teamId) {
    events.push({
      case: 'transferred',
      value: {
        $typeName: 'firstline.v1.Transferred',
        fromTeamId: ticket.teamId,
        toTeamId: decision.teamId,
        skillIds: decision.skillIds,
        reason: note,
      },
    });
  }
  if (assigneeId !== ticket.assigneeId) events.push(assignment(ticket.assigneeId, assigneeId));
  if (events.length === 0) return { ticket, events };
  return {
    ticket: {
      ...ticket,
      teamId: decision.teamId || ticket.teamId,
      skillIds: decision.teamId !== ticket.teamId ? decision.skillIds : ticket.skillIds,
      assigneeId,
    },
    events,
  };
}
