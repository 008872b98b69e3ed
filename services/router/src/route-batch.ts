import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { write, type JoinableWrite } from '@firstline/persistence';
import {
  create,
  CsatAnswerSchema,
  TicketDisposition,
  timestampDate,
  type InboundMessage,
  type RoutingDecision,
} from '@firstline/contracts';
import {
  ALWAYS_OPEN_CALENDAR,
  canTake,
  chooseAgent,
  classify,
  decideThreading,
  detectLanguage,
  DROPPED,
  findSlaPolicy,
  planAutomaticReply,
  ticketDueTimes,
  type AgentState,
  type BusinessCalendar,
  type PlannedAutomaticReply,
  type TicketNeeds,
} from '@firstline/routing';
import { answerEstimates } from './answer-estimates.store';
import { assignedAgentsUpdate, availableAgents, decisionTime } from './assignment.store';
import { lastAgentsUpdate, resolveCustomers, type CustomerRow } from './customers.store';
import { decision } from './decisions';
import type { RoutingPolicies } from './directory.store';
import type { RouterSettings } from './router-settings';
import { ticketTimersUpsert } from './timers.store';
import { messagesRemembered, ticketsByNumber, ticketsOfMessages } from './threads.store';
import {
  conversationsUpdate,
  insertTickets,
  knownTicket,
  lockConversations,
  lockTickets,
  ticketsUpdate,
  type Conversation,
  type TicketRow,
} from './tickets.store';

const logger = new Logger('router');

/** What the batch decided for one message, before it is written. */
interface Plan {
  message: InboundMessage;
  customer: CustomerRow;
  conversation: Conversation;
  ticket: TicketRow;
  disposition: TicketDisposition;
  /** Set when the ticket needs an agent: the one to prefer. */
  assign?: { preferredAgentId: string | null };
  automaticReply?: PlannedAutomaticReply;
}

/** What a batch decided, and the writes that record it: the caller joins them to its own. */
export interface RoutedBatch {
  /** One per message, but none for an automatic message that threads to no ticket. */
  decisions: RoutingDecision[];
  /** On tables the batch reads no more, so they can go in one statement with the outbox's. */
  writes: JoinableWrite[];
}

/**
 * Makes the one decision for each inbound message of a batch, in the caller's transaction and in
 * a fixed number of statements whatever the batch size: who each customer is, which ticket each
 * message goes to, its team, skills, priority and due times, who takes it, and whether the
 * customer gets an automatic reply. Messages are decided in batch order, so a conversation's
 * messages see each other's effects. The caller makes the writes returned and publishes the
 * decisions through the outbox.
 */
export async function routeBatch(
  manager: EntityManager,
  policies: RoutingPolicies,
  settings: RouterSettings,
  messages: InboundMessage[],
  now: Date,
): Promise<RoutedBatch> {
  const customers = await resolveCustomers(manager, messages, now, settings.linkTokenTtlMs);
  const conversations = await lockConversations(
    manager,
    messages.map((message) => message.conversationKey),
  );
  const tickets = new Map(
    [...conversations.values()].flatMap(({ latest }) => (latest ? [[latest.id, latest]] : [])),
  );
  const threadOf = await ticketsOfMessages(
    manager,
    messages.flatMap((message) => message.repliedMessageIds),
  );
  const numbered = await ticketsByNumber(
    manager,
    messages.flatMap((message) =>
      message.inReplyToTicketNumber ? [message.inReplyToTicketNumber] : [],
    ),
  );
  // The tickets that hints lead to, locked in one go (id order) like the conversations' ones.
  const hinted = [
    ...messages.flatMap((message) => (message.csatAnswer ? [message.csatAnswer.ticketId] : [])),
    ...threadOf.values(),
    ...numbered.values(),
  ].filter((id) => !tickets.has(id));
  for (const [id, ticket] of await lockTickets(manager, [...new Set(hinted)])) {
    tickets.set(id, ticket);
  }

  const created: TicketRow[] = [];
  const changed = new Set<TicketRow>();
  const plans = messages.flatMap((message) => {
    const plan = planMessage(message, {
      customer: customers.get(message.messageId)!,
      conversation: conversations.get(message.conversationKey)!,
      tickets,
      threadOf,
      numbered,
      policies,
      settings,
      now,
    });
    if (!plan) return [];
    // Later messages of the batch that answer this one find its ticket.
    threadOf.set(message.messageId, plan.ticket.id);
    return [plan];
  });
  for (const { disposition, ticket, message } of plans) {
    // Counted down as tickets records the message (see HOLDS_ITS_AGENT).
    ticket.unrecorded_messages += 1;
    if (
      disposition === TicketDisposition.NEW_TICKET ||
      disposition === TicketDisposition.FOLLOW_UP
    ) {
      created.push(ticket);
      continue;
    }
    changed.add(ticket);
    if (disposition === TicketDisposition.APPEND && !message.csatAnswer && !message.autoResponse) {
      // The customer wrote last: an agent owes them an answer (what the away timer looks at).
      // A robot's message (an out-of-office reply) owes nobody anything.
      ticket.awaiting_agent = true;
    }
  }
  for (const ticket of created) changed.delete(ticket);

  const { decidedAt, assigned } = await assignAgents(manager, plans, now);
  await insertTickets(manager, created);
  const startedClocks = plans.filter((plan) => plan.assign).map((plan) => plan.ticket);
  const writes = [ticketsUpdate([...changed])];
  if (startedClocks.length > 0) {
    // The queue positions the estimates count need the batch's reopened tickets written.
    await write(manager, writes.splice(0));
  }
  const estimates = await answerEstimates(
    manager,
    (teamId) => teamCalendar(policies, teamId),
    startedClocks,
    decidedAt,
  );
  for (const plan of plans) {
    plan.automaticReply = planAutomaticReply(
      settings.automaticReplies,
      {
        disposition: plan.disposition,
        autoResponse: plan.message.autoResponse,
        csatAnswer: plan.message.csatAnswer !== undefined,
        ticketNumber: plan.ticket.number,
        language: plan.ticket.language,
        expectedAnswerAt: plan.ticket.first_response_due_at ?? undefined,
        answerEstimate: plan.assign && estimates.get(plan.ticket.id),
        lastAutomaticReplyAt: plan.conversation.lastAutomaticReplyAt,
      },
      teamCalendar(policies, plan.ticket.team_id),
      now,
      policies.customerTexts,
    );
    if (plan.automaticReply) plan.conversation.lastAutomaticReplyAt = now;
  }

  writes.push(
    assignedAgentsUpdate(assigned, now),
    conversationsUpdate([...conversations.values()]),
    messagesRemembered(
      plans.map(({ message, ticket }) => ({ messageId: message.messageId, ticketId: ticket.id })),
    ),
    lastAgentsUpdate(
      new Map(
        plans.flatMap(({ assign, ticket }) =>
          assign && ticket.assigned_agent_id
            ? [[ticket.customer_id, ticket.assigned_agent_id]]
            : [],
        ),
      ),
    ),
    ticketTimersUpsert(policies, startedClocks),
  );
  return {
    decisions: plans.map((plan) =>
      decision(plan.ticket, {
        message: plan.message,
        disposition: plan.disposition,
        now: decidedAt,
        answerEstimate: plan.assign && estimates.get(plan.ticket.id),
        automaticReply: plan.automaticReply,
        customerProvisional: plan.customer.provisional,
      }),
    ),
    writes: writes.filter((each): each is JoinableWrite => each !== undefined),
  };
}

interface PlanContext {
  customer: CustomerRow;
  conversation: Conversation;
  tickets: Map<string, TicketRow>;
  /** Ticket ids of the messages the router knows, by message id. */
  threadOf: Map<string, string>;
  /** Ticket ids by ticket number. */
  numbered: Map<string, string>;
  policies: RoutingPolicies;
  settings: RouterSettings;
  now: Date;
}

/**
 * Threads and classifies one message, updating the batch's view of its conversation. Undefined
 * for an automatic message that threads to no ticket: it is logged and dropped.
 */
function planMessage(message: InboundMessage, context: PlanContext): Plan | undefined {
  const { customer, conversation, tickets, threadOf, numbered, policies, settings, now } = context;
  const receivedAt = message.receivedAt ? timestampDate(message.receivedAt) : now;
  const base = { message, customer, conversation };

  const known = (id: string | undefined) => {
    const ticket = id ? tickets.get(id) : undefined;
    return ticket ? knownTicket(ticket) : undefined;
  };
  const rated = known(message.csatAnswer?.ticketId);
  if (message.csatAnswer && rated?.customerId !== customer.id) {
    // A rating is its sender's to give: for another customer's ticket, or one we do not know, it
    // is forged or stale, and recording it anywhere would put a score on the wrong ticket.
    logger.warn(`survey answer ${message.messageId} rates a ticket not its sender's: dropped`);
    return undefined;
  }
  const repliedTo = message.repliedMessageIds.find((id) => threadOf.has(id));
  const threading = decideThreading(
    {
      customerId: customer.id,
      autoResponse: message.autoResponse,
      receivedAt,
      replyText: message.replyText || message.textBody,
    },
    {
      conversation: conversation.latest && knownTicket(conversation.latest),
      replied: known(repliedTo && threadOf.get(repliedTo)),
      named: known(message.inReplyToTicketNumber && numbered.get(message.inReplyToTicketNumber)),
      rated,
    },
    settings.reopenWindowDays,
  );
  if (threading.disposition === DROPPED) {
    logger.log(`automatic message ${message.messageId} threads to no ticket: dropped`);
    return undefined;
  }
  if (threading.disposition === TicketDisposition.APPEND) {
    const ticket = tickets.get(threading.ticketId)!;
    // A robot's message, or a rating of an older ticket, does not make it the conversation's.
    if (!message.autoResponse && ticket.id !== rated?.ticketId) conversation.latest = ticket;
    if (threading.surveyAnswer) {
      // It travels on as the survey answer it is, like a pressed button: tickets records the score.
      message.csatAnswer = create(CsatAnswerSchema, {
        ticketId: ticket.id,
        ...threading.surveyAnswer,
      });
    }
    return { ...base, ticket, disposition: TicketDisposition.APPEND };
  }
  if (threading.disposition === TicketDisposition.REOPEN) {
    const ticket = tickets.get(threading.ticketId)!;
    conversation.latest = ticket;
    const preferredAgentId = ticket.assigned_agent_id ?? customer.last_agent_id;
    Object.assign(ticket, {
      state: 'open',
      resolved_at: null,
      assigned_agent_id: null,
      queued_at: now,
      first_responded_at: null,
      awaiting_agent: true,
      ...dueTimes(policies, ticket, receivedAt, message),
    });
    return {
      ...base,
      ticket,
      disposition: TicketDisposition.REOPEN,
      assign: { preferredAgentId },
    };
  }

  // The language the channel declared (a web form's locale, Telegram's), else the text's.
  const language = message.language || detectLanguage(`${message.subject}\n${message.textBody}`);
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
    number: '',
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
      threading.disposition === TicketDisposition.FOLLOW_UP
        ? threading.previousTicketId
        : threading.disposition === TicketDisposition.NEW_TICKET
          ? (threading.linkedTicketId ?? null)
          : null,
    first_responded_at: null,
    awaiting_agent: true,
    unrecorded_messages: 0,
  };
  Object.assign(ticket, dueTimes(policies, ticket, receivedAt, message));
  conversation.latest = ticket;
  tickets.set(ticket.id, ticket);
  return {
    ...base,
    ticket,
    disposition: threading.disposition,
    assign: { preferredAgentId: customer.last_agent_id },
  };
}

/**
 * Gives each ticket that needs an agent the one `chooseAgent` picks, counting every assignment
 * against capacity as it goes. Agents are read without locks first: when none of them can take
 * any of the tickets (the usual case under load, with everyone busy) no lock is taken at all.
 * Otherwise their rows are locked in id order and their load counted again under the locks.
 * Returns the agents given a ticket, once each, and the moment of the decision: once the load
 * was counted under the locks (see `decisionTime`), else `now`.
 */
async function assignAgents(
  manager: EntityManager,
  plans: Plan[],
  now: Date,
): Promise<{ decidedAt: Date; assigned: string[] }> {
  const needing = plans.filter((plan) => plan.assign);
  const teams = [...new Set(needing.map((plan) => plan.ticket.team_id))];
  const unlocked = await availableAgents(manager, teams, false);
  if (!needing.some((plan) => unlocked.some((agent) => canTake(agent, needsOf(plan))))) {
    return { decidedAt: now, assigned: [] };
  }

  const agents = (await availableAgents(manager, teams, true)).map((agent) => ({
    ...agent,
    load: new Map(agent.load),
  }));
  const decidedAt = decisionTime(now);
  const assigned: string[] = [];
  for (const plan of needing) {
    const chosen: (AgentState & { load: Map<number, number> }) | undefined = chooseAgent(
      needsOf(plan),
      agents,
    );
    if (!chosen) continue;
    const { channel } = plan.ticket;
    chosen.load.set(channel, (chosen.load.get(channel) ?? 0) + 1);
    chosen.idleSince = now;
    plan.ticket.assigned_agent_id = chosen.id;
    plan.customer.last_agent_id = chosen.id;
    assigned.push(chosen.id);
  }
  return { decidedAt, assigned };
}

function needsOf(plan: Plan): TicketNeeds {
  return {
    teamId: plan.ticket.team_id,
    skillIds: plan.ticket.skill_ids,
    channel: plan.ticket.channel,
    lastAgentId: plan.assign?.preferredAgentId ?? plan.customer.last_agent_id ?? undefined,
  };
}

/** Due times by the team's SLA policy and calendar, from when the message arrived. */
function dueTimes(
  policies: RoutingPolicies,
  ticket: TicketRow,
  start: Date,
  message: InboundMessage,
): Pick<TicketRow, 'first_response_due_at' | 'resolution_due_at' | 'sla_policy_id'> {
  const policy = findSlaPolicy(policies.slaPolicies, {
    teamId: ticket.team_id,
    channel: ticket.channel,
    priority: ticket.priority,
  });
  const due = ticketDueTimes(
    policy,
    teamCalendar(policies, ticket.team_id),
    start,
    message.callbackWindow?.endsAt && timestampDate(message.callbackWindow.endsAt),
  );
  return {
    first_response_due_at: due.firstResponseDueAt ?? null,
    resolution_due_at: due.resolutionDueAt ?? null,
    sla_policy_id: policy?.id ?? '',
  };
}

export function teamCalendar(policies: RoutingPolicies, teamId: string): BusinessCalendar {
  const calendarId = policies.teams.get(teamId)?.calendarId;
  return (calendarId && policies.calendars.get(calendarId)) || ALWAYS_OPEN_CALENDAR;
}
