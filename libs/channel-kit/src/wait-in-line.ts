import { timestampDate, type RoutingDecision } from '@firstline/contracts';

/** Where a routing decision leaves the customer waiting for a first answer (docs/adr/0023). */
export interface WaitInLine {
  /** The place in the team's queue, 1 = next; 0 when not waiting in it. */
  position: number;
  /** The answer time this decision promises, if it promises one. */
  promisedAt?: Date;
  /** An agent has the ticket: the wait in line is over. */
  withAgent: boolean;
}

/**
 * What a decision says of the wait, for a channel that shows it while the customer waits: one
 * with a promise (new, follow-up, reopen, QUEUE_MOVED) says where the ticket stands now, one with
 * an agent that the wait is over; any other (a message appended) says nothing, and the last
 * place stands.
 */
export function waitInLine(decision: RoutingDecision): WaitInLine | undefined {
  const withAgent = Boolean(decision.assignedAgentId);
  const promisedAt = decision.expectedAnswerAt && timestampDate(decision.expectedAnswerAt);
  if (!promisedAt && !withAgent) return undefined;
  return { position: withAgent ? 0 : decision.queuePosition, promisedAt, withAgent };
}
