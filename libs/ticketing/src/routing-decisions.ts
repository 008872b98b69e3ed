import { Escalation, Priority, SlaTarget, timestampFromDate } from '@firstline/contracts';
import type { TicketStatus } from './lifecycle';
import { assignment, priorityChanged, type EventDetails } from './ticket-events';

/**
 * What the router's decisions about an existing ticket do to it, apart from new messages: the
 * escalations its timers fire and its answers to agents' claims, hand-backs and transfers. Plain
 * functions over the fields they read, so the tickets service only loads, calls and stores.
 */

/** The part of a ticket the router's decisions read and change. */
export interface RoutedTicket {
  status: TicketStatus;
  teamId: string;
  skillIds: string[];
  assigneeId: string | null;
  priority: Priority;
  firstRespondedAt: Date | null;
  firstResponseBreached: boolean;
  firstResponseDueAt: Date | null;
  slaPolicyId: string;
}

/** What an ESCALATED decision says about the ticket after the router's timer fired. */
export interface EscalationDecision {
  escalation: Escalation;
  teamId: string;
  skillIds: string[];
  priority: Priority;
  assignedAgentId?: string;
}

export interface RoutingOutcome<T> {
  ticket: T;
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
export function applyEscalation<T extends RoutedTicket>(
  ticket: T,
  decision: EscalationDecision,
): RoutingOutcome<T> {
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
      if (priority !== ticket.priority) events.push(priorityChanged(ticket.priority, priority));
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

/** What a REASSIGNED decision says about the ticket after the router applied an agent's command. */
export interface ReassignmentDecision {
  teamId: string;
  skillIds: string[];
  assignedAgentId?: string;
  /** The router's priority of the ticket; unset (0) keeps the ticket's. */
  priority?: Priority;
}

/**
 * The router's answer to a claim, hand-back, transfer, assignment or priority change, as changes
 * to the ticket: a Transferred event when its team changed (with the agent's note as the reason),
 * an Assigned event when its assignee did, a PriorityChanged event when its priority did (the
 * router's fact, docs/adr/0015). Applying it to a ticket that already reflects it changes nothing.
 */
export function applyReassignment<T extends RoutedTicket>(
  ticket: T,
  decision: ReassignmentDecision,
  note: string,
): RoutingOutcome<T> {
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
  const priority = decision.priority || ticket.priority;
  if (priority !== ticket.priority) events.push(priorityChanged(ticket.priority, priority));
  if (events.length === 0) return { ticket, events };
  return {
    ticket: {
      ...ticket,
      teamId: decision.teamId || ticket.teamId,
      skillIds: decision.teamId !== ticket.teamId ? decision.skillIds : ticket.skillIds,
      assigneeId,
      priority,
    },
    events,
  };
}
