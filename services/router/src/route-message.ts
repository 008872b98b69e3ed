import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import {
  create,
  encode,
  messageType,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampDate,
  timestampFromDate,
  TOPICS,
  type InboundMessage,
  type RoutingDecision,
} from '@firstline/contracts';
import type { OutgoingMessage } from '@firstline/bus';
import {
  ALWAYS_OPEN_CALENDAR,
  classify,
  computeDueTimes,
  decideThreading,
  detectLanguage,
  findSlaPolicy,
  type BusinessCalendar,
} from '@firstline/routing';
import { assignAgent } from './assignment.store';
import { resolveCustomer } from './customers.store';
import type { RoutingPolicies } from './directory.store';
import {
  conversationTicket,
  insertTicket,
  lockConversation,
  queuePosition,
  reopenTicket,
  type TicketRow,
} from './tickets.store';

export interface RoutingOptions {
  reopenWindowDays: number;
}

/**
 * Makes the one decision for one inbound message, in the caller's transaction: who the customer
 * is, which ticket the message goes to, its team, skills, priority and due times, and who takes
 * it. Returns the decision, which the caller publishes through the outbox.
 */
export async function routeMessage(
  manager: EntityManager,
  policies: RoutingPolicies,
  message: InboundMessage,
  options: RoutingOptions,
  now: Date,
): Promise<RoutingDecision> {
  const customer = await resolveCustomer(manager, message.sender!);
  const latest = await lockConversation(manager, message.conversationKey);
  const receivedAt = message.receivedAt ? timestampDate(message.receivedAt) : now;
  const threading = decideThreading(
    conversationTicket(latest),
    receivedAt,
    options.reopenWindowDays,
  );

  if (threading.disposition === TicketDisposition.APPEND) {
    return decision(latest!, message, TicketDisposition.APPEND, now, 0);
  }

  if (threading.disposition === TicketDisposition.REOPEN) {
    const ticket: TicketRow = {
      ...latest!,
      ...dueTimes(policies, latest!, receivedAt),
      queued_at: now,
    };
    ticket.assigned_agent_id =
      (await assignAgent(
        manager,
        needsOf(ticket, ticket.assigned_agent_id ?? customer.last_agent_id),
        now,
      )) ?? null;
    await reopenTicket(manager, ticket);
    return finish(manager, ticket, message, TicketDisposition.REOPEN, now);
  }

  const language = detectLanguage(`${message.subject}\n${message.textBody}`);
  const classification = classify(policies.ruleSet, {
    channel: message.channel,
    subject: message.subject,
    textBody: message.textBody,
    formTopic: message.formTopic,
    formFields: message.formFields,
    channelMetadata: message.channelMetadata,
    senderValue: message.sender!.value,
    language,
    customerTier: customer.tier,
    customerTags: customer.tags,
    receivedAt,
  });
  const ticket: TicketRow = {
    id: randomUUID(),
    conversation_key: message.conversationKey,
    customer_id: customer.id,
    channel: message.channel,
    team_id: classification.teamId,
    skill_ids: classification.skillIds,
    priority: classification.priority,
    tags: classification.tags,
    language,
    state: 'open',
    resolved_at: null,
    assigned_agent_id: null,
    queued_at: now,
    first_response_due_at: null,
    resolution_due_at: null,
    sla_policy_id: '',
    matched_rule_id: classification.matchedRuleId,
    rule_set_version: classification.ruleSetVersion,
    previous_ticket_id:
      threading.disposition === TicketDisposition.FOLLOW_UP ? threading.previousTicketId : null,
  };
  Object.assign(ticket, dueTimes(policies, ticket, receivedAt));
  ticket.assigned_agent_id =
    (await assignAgent(manager, needsOf(ticket, customer.last_agent_id), now)) ?? null;
  await insertTicket(manager, ticket);
  return finish(manager, ticket, message, threading.disposition, now);
}

async function finish(
  manager: EntityManager,
  ticket: TicketRow,
  message: InboundMessage,
  disposition: TicketDisposition,
  now: Date,
): Promise<RoutingDecision> {
  if (ticket.assigned_agent_id) {
    await manager.query(`UPDATE routing.customer SET last_agent_id = $2 WHERE id = $1`, [
      ticket.customer_id,
      ticket.assigned_agent_id,
    ]);
    return decision(ticket, message, disposition, now, 0);
  }
  return decision(ticket, message, disposition, now, await queuePosition(manager, ticket));
}

function needsOf(ticket: TicketRow, lastAgentId: string | null) {
  return {
    teamId: ticket.team_id,
    skillIds: ticket.skill_ids,
    channel: ticket.channel,
    lastAgentId: lastAgentId ?? undefined,
  };
}

function dueTimes(
  policies: RoutingPolicies,
  ticket: TicketRow,
  start: Date,
): Pick<TicketRow, 'first_response_due_at' | 'resolution_due_at' | 'sla_policy_id'> {
  const policy = findSlaPolicy(policies.slaPolicies, {
    teamId: ticket.team_id,
    channel: ticket.channel,
    priority: ticket.priority,
  });
  if (!policy) return { first_response_due_at: null, resolution_due_at: null, sla_policy_id: '' };
  const due = computeDueTimes(policy, teamCalendar(policies, ticket.team_id), start);
  return {
    first_response_due_at: due.firstResponseDueAt,
    resolution_due_at: due.resolutionDueAt ?? null,
    sla_policy_id: policy.id,
  };
}

function teamCalendar(policies: RoutingPolicies, teamId: string): BusinessCalendar {
  const calendarId = policies.teams.get(teamId)?.calendarId;
  return (calendarId && policies.calendars.get(calendarId)) || ALWAYS_OPEN_CALENDAR;
}

/** The RoutingDecision for a ticket; without a message it announces a queued ticket's assignment. */
export function decision(
  ticket: TicketRow,
  message: InboundMessage | undefined,
  disposition: TicketDisposition,
  now: Date,
  position: number,
): RoutingDecision {
  return create(RoutingDecisionSchema, {
    decisionId: message ? `routing:${message.messageId}` : `routing:queue:${randomUUID()}`,
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
    queuePosition: position,
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
