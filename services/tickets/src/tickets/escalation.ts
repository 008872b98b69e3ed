import { Escalation, Priority, SlaTarget, timestampFromDate } from '@firstline/contracts';
import type { Ticket } from './ticket';
import { assignment, type EventDetails } from './ticket-event-log';

/** What an ESCALATED decision says about the ticket after the router's timer fired. */
export interface EscalationDecision {
  escalation: Escalation;
  teamId: string;
  skillIds: string[];
  priority: Priority;
  assignedAgentId?: string;
}

export interface EscalationOutcome {
  ticket: Ticket;
  /** The changes, in order, as TicketEvent details (the router is their actor). */
  events: EventDetails[];
}

/** Reason a Transferred event gives for an overflow. */
export const OVERFLOW_REASON = 'overflow';

/**
 * Applies one of the router's escalations. Applying it to a ticket that already reflects it
 * changes nothing; one that came too late (the ticket was resolved or closed meanwhile, or has
 * been answered by the time a first-response breach arrives) is ignored.
 */
export function applyEscalation(ticket: Ticket, decision: EscalationDecision): EscalationOutcome {
  const unchanged = { ticket, events: [] };
  if (ticket.status === 'resolved' || ticket.status === 'closed') return unchanged;
  switch (decision.escalation) {
    case Escalation.OVERFLOW: {
      if (ticket.teamId === decision.teamId) return unchanged;
      const assigneeId = decision.assignedAgentId ?? null;
      const events: EventDetails[] = [
        {
          case: 'transferred',
          value: {
            $typeName: 'firstline.v1.Transferred',
            fromTeamId: ticket.teamId,
            toTeamId: decision.teamId,
            skillIds: decision.skillIds,
            reason: OVERFLOW_REASON,
          },
        },
      ];
      if (assigneeId !== ticket.assigneeId) events.push(assignment(ticket.assigneeId, assigneeId));
      return {
        ticket: { ...ticket, teamId: decision.teamId, skillIds: decision.skillIds, assigneeId },
        events,
      };
    }
    case Escalation.FIRST_RESPONSE_BREACHED: {
      if (ticket.firstRespondedAt || ticket.firstResponseBreached) return unchanged;
      const events: EventDetails[] = [];
      const priority = decision.priority || ticket.priority;
      if (priority !== ticket.priority) {
        events.push({
          case: 'priorityChanged',
          value: {
            $typeName: 'firstline.v1.PriorityChanged',
            fromPriority: ticket.priority,
            toPriority: priority,
          },
        });
      }
      events.push({
        case: 'slaBreached',
        value: {
          $typeName: 'firstline.v1.SlaBreached',
          target: SlaTarget.FIRST_RESPONSE,
          dueAt: ticket.firstResponseDueAt
            ? timestampFromDate(ticket.firstResponseDueAt)
            : undefined,
          slaPolicyId: ticket.slaPolicyId,
        },
      });
      return { ticket: { ...ticket, priority, firstResponseBreached: true }, events };
    }
    case Escalation.AGENT_AWAY: {
      const assigneeId = decision.assignedAgentId ?? null;
      if (assigneeId === ticket.assigneeId) return unchanged;
      return {
        ticket: { ...ticket, assigneeId },
        events: [assignment(ticket.assigneeId, assigneeId)],
      };
    }
    default:
      throw new RangeError(`unknown escalation ${String(decision.escalation)}`);
  }
}
