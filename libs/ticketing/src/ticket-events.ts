import {
  Priority,
  TicketStatus as WireStatus,
  type MessageShape,
  type TicketEventSchema,
} from '@firstline/contracts';
import type { TicketStatus } from './lifecycle';

/** What happened to a ticket, as a TicketEvent carries it. */
export type EventDetails = MessageShape<typeof TicketEventSchema>['details'];

export const WIRE_STATUS: Record<TicketStatus, WireStatus> = {
  new: WireStatus.NEW,
  open: WireStatus.OPEN,
  pending: WireStatus.PENDING,
  resolved: WireStatus.RESOLVED,
  closed: WireStatus.CLOSED,
};

export function statusChanged(from: TicketStatus, to: TicketStatus): EventDetails {
  return {
    case: 'statusChanged',
    value: {
      $typeName: 'firstline.v1.StatusChanged',
      fromStatus: WIRE_STATUS[from],
      toStatus: WIRE_STATUS[to],
    },
  };
}

export function assignment(previousAgentId: string | null, agentId: string | null): EventDetails {
  return {
    case: 'assigned',
    value: {
      $typeName: 'firstline.v1.Assigned',
      previousAgentId: previousAgentId ?? '',
      agentId: agentId ?? '',
    },
  };
}

export function priorityChanged(from: Priority, to: Priority): EventDetails {
  return {
    case: 'priorityChanged',
    value: { $typeName: 'firstline.v1.PriorityChanged', fromPriority: from, toPriority: to },
  };
}
