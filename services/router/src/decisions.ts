import { randomUUID } from 'node:crypto';
import {
  AutomaticReplySchema,
  CommandOutcomeSchema,
  create,
  Escalation,
  encode,
  messageType,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampFromDate,
  TOPICS,
  type InboundMessage,
  type RoutingDecision,
} from '@firstline/contracts';
import type { OutgoingMessage } from '@firstline/bus';
import type { AnswerEstimate, PlannedAutomaticReply } from '@firstline/routing';
import type { TicketRow } from './tickets.store';
export interface DecisionFacts {
  /** The message decided about; unset for a queued ticket's assignment or an escalation. */
  message?: InboundMessage;
  disposition: TicketDisposition;
  now: Date;
  /** For a ticket waiting for its first answer: its place in the team's queue and its promise. */
  answerEstimate?: AnswerEstimate;
  escalation?: Escalation;
  automaticReply?: PlannedAutomaticReply;
  /** The message's customer is provisional (a typed identity nobody verified). */
  customerProvisional?: boolean;
  /** For REASSIGNED: the agent's command it answers. */
  command?: { commandId: string; agentId: string; refusal: string; capacityOverridden: boolean };
}

/** The RoutingDecision about a ticket, in its state after the decision. */
export function decision(ticket: TicketRow, facts: DecisionFacts): RoutingDecision {
  const { message, disposition, now, automaticReply, command } = facts;
  return create(RoutingDecisionSchema, {
    decisionId: message
      ? `routing:${message.messageId}`
      : `routing:${command ? `command:${command.commandId}` : randomUUID()}`,
    inboundMessageId: message?.messageId ?? '',
    customerId: ticket.customer_id,
    conversationKey: ticket.conversation_key,
    ticketId: ticket.id,
    disposition,
    previousTicketId: ticket.previous_ticket_id ?? undefined,
    teamId: ticket.team_id,
    skillIds: ticket.skill_ids,
    priority: ticket.priority,
    assignedAgentId: ticket.assigned_agent_id ?? undefined,
    firstResponseDueAt: optionalTimestamp(ticket.first_response_due_at),
    resolutionDueAt: optionalTimestamp(ticket.resolution_due_at),
    slaPolicyId: ticket.sla_policy_id,
    matchedRuleId: ticket.matched_rule_id,
    ruleSetVersion: ticket.rule_set_version,
    tags: ticket.tags,
    language: ticket.language,
    decidedAt: timestampFromDate(now),
    message,
    queuePosition: facts.answerEstimate?.position ?? 0,
    expectedAnswerAt: facts.answerEstimate && timestampFromDate(facts.answerEstimate.answerAt),
    ticketNumber: ticket.number,
    escalation: facts.escalation ?? Escalation.UNSPECIFIED,
    customerProvisional: facts.customerProvisional ?? false,
    automaticReply: automaticReply
      ? create(AutomaticReplySchema, {
          kind: automaticReply.kind,
          text: automaticReply.text,
          expectedAnswerAt: automaticReply.expectedAnswerAt
            ? timestampFromDate(automaticReply.expectedAnswerAt)
            : undefined,
        })
      : undefined,
    command: command && create(CommandOutcomeSchema, command),
  });
}

function optionalTimestamp(date: Date | null) {
  return date ? timestampFromDate(date) : undefined;
}

/** The outbox record of a decision: keyed by ticket, so one ticket's decisions stay in order. */
export function decisionRecord(routing: RoutingDecision, traceId?: string): OutgoingMessage {
  return {
    topic: TOPICS.routing.name,
    key: routing.ticketId,
    value: encode(RoutingDecisionSchema, routing),
    headers: {
      messageId: routing.decisionId,
      type: messageType(RoutingDecisionSchema),
      ...(traceId ? { traceId } : {}),
    },
  };
}
