import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { BadInputError } from '@firstline/errors';
import {
  AutomaticReplyKind,
  Channel,
  DirectoryKind,
  Escalation,
  MessageDirection,
  Priority,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampDate,
  TOPICS,
  type MessageShape,
} from '@firstline/contracts';
import { claimMessages, OutboxRelay } from '@firstline/persistence';
import {
  afterCustomerReply,
  applyEscalation,
  callbackRequested,
  applyReassignment,
  assignment,
  firstName,
  statusChanged,
} from '@firstline/ticketing';
import {
  customerTexts,
  fillText,
  type BusinessCalendar,
  type CustomerTextsByLanguage,
} from '@firstline/routing';
import {
  composeOutbound,
  derivedOutboundId,
  type AutomaticKind,
  type ComposedMessage,
} from '../api/outbound';
import { recordCommandOutcomes } from '../api/routing-commands';
import { CallbackRepository } from '../database/callback.repository';
import { CustomerRepository } from '../database/customer.repository';
import { DirectoryRepository } from '../database/directory.repository';
import { kindName } from '../directory/directory.service';
import { CustomerWording } from '../directory/customer-wording';
import { TeamCalendars } from '../directory/team-calendars';
import {
  NotificationRepository,
  type SupervisorNotification,
} from '../notifications/notification.repository';
import {
  TicketRepository,
  type MessageRecord,
  type NewTicket,
} from '../database/ticket.repository';
import { movesSlaClock, withSlaClock } from './sla-clock';
import { withDueTimes, type Ticket } from './ticket';
import {
  agentActor,
  customerActor,
  SYSTEM_ROUTER,
  SYSTEM_TICKETS,
  TicketEventLog,
} from './ticket-event-log';

type RoutingDecision = MessageShape<typeof RoutingDecisionSchema>;

const CONSUMER = 'routing-decisions';

/** Scores up to this are a poor rating a supervisor should look at. */
const LOW_CSAT = 3;
export const LOW_CSAT_TAG = 'low-csat';

/**
 * Persists the router's decisions: the customer, the ticket (created, continued or reopened) and
 * the customer's message, with an event for every change — once per decision, however often it
 * is delivered. A batch is one transaction of a fixed number of statements (claims, customers,
 * tickets, messages, events and outbox in bulk), so throughput does not hinge on round trips.
 */
@Injectable()
export class RoutingDecisionConsumer {
  constructor(
    private readonly dataSource: DataSource,
    private readonly relay: OutboxRelay,
    private readonly tickets: TicketRepository,
    private readonly customers: CustomerRepository,
    private readonly notifications: NotificationRepository,
    private readonly calendars: TeamCalendars,
    private readonly wording: CustomerWording,
    private readonly callbacks: CallbackRepository,
    private readonly directory: DirectoryRepository,
  ) {}

  // A batch's cost is mostly its round trips: one transaction per fetch, not per partition.
  @Consume({ topic: TOPICS.routing, check: decisionProblem, gatherPartitions: true })
  async handle(messages: Array<Received<RoutingDecision>>): Promise<void> {
    // A record delivered twice within one batch counts once, like one delivered in two batches.
    const read = [
      ...new Map(
        messages.map(({ record, message }) => [
          record.headers.messageId,
          { messageId: record.headers.messageId, decision: message },
        ]),
      ).values(),
    ];
    await this.dataSource.transaction(async (manager) => {
      const claimed = await claimMessages(
        manager,
        CONSUMER,
        read.map(({ messageId }) => messageId),
      );
      const decisions = read
        // A waiting ticket's new place in line is for the customer's channel: the ticket is as it was.
        .filter(
          ({ messageId, decision }) =>
            claimed.has(messageId) && decision.disposition !== TicketDisposition.QUEUE_MOVED,
        )
        .map(({ decision }) => decision);
      if (decisions.length > 0) await this.apply(manager, decisions);
    });
    this.relay.nudge();
  }

  private async apply(manager: EntityManager, decisions: RoutingDecision[]) {
    // Customers in id order: batches of other partitions touch the same customers, and taking
    // their locks in one order keeps concurrent batches from deadlocking.
    await this.customers.upsertCustomers(
      manager,
      decisions.map((decision) => ({
        id: decision.customerId,
        sender: decision.message?.sender,
        provisional: decision.customerProvisional,
      })),
    );
    const tickets = await this.tickets.lockTickets(
      manager,
      decisions.map((decision) => decision.ticketId),
    );

    // Tickets first seen in this batch are created by their first decision.
    const creators = new Map<string, RoutingDecision>();
    for (const decision of decisions) {
      if (tickets.has(decision.ticketId) || creators.has(decision.ticketId)) continue;
      if (decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE) {
        throw new BadInputError(`no ticket ${decision.ticketId} to assign`);
      }
      if (decision.disposition === TicketDisposition.ESCALATED) {
        throw new BadInputError(`no ticket ${decision.ticketId} to escalate`);
      }
      if (decision.disposition === TicketDisposition.REASSIGNED) {
        throw new BadInputError(`no ticket ${decision.ticketId} to reassign`);
      }
      creators.set(decision.ticketId, decision);
    }
    for (const ticket of await this.tickets.insertTickets(
      manager,
      [...creators.values()].map(newTicket),
    )) {
      tickets.set(ticket.id, ticket);
    }
    const added = await this.tickets.insertMessages(
      manager,
      decisions.flatMap((decision) => (decision.message ? [messageOf(decision)] : [])),
    );
    // A callback request becomes a task on its ticket, due at the end of the customer's window.
    await this.callbacks.insertTasks(
      manager,
      decisions.flatMap(({ message, ticketId }) => {
        const requested = message && callbackRequested(message);
        return requested ? [{ ...requested, ticketId, messageId: message.messageId }] : [];
      }),
    );

    // A customer writing on a pending ticket restarts its SLA clock, which runs on its team's
    // calendar; read the directory only for the batches that need it.
    const calendarOf = [...tickets.values()].some((ticket) => ticket.status === 'pending')
      ? await this.calendars.load(manager)
      : undefined;

    // The agents' commands the router answered: the API waits on these rows.
    const commands = await recordCommandOutcomes(
      manager,
      decisions.flatMap(({ command, decidedAt }) =>
        command
          ? [
              {
                commandId: command.commandId,
                refusal: command.refusal,
                decidedAt: decidedAt ? timestampDate(decidedAt) : new Date(),
              },
            ]
          : [],
      ),
    );

    // Who held each ticket before this batch: a live chat that gets a new agent tells the visitor.
    const heldBefore = new Map(
      [...tickets.values()].map((ticket) => [
        ticket.id,
        creators.has(ticket.id) ? null : ticket.assigneeId,
      ]),
    );
    const lastDecisionOf = new Map(decisions.map((decision) => [decision.ticketId, decision]));

    const log = new TicketEventLog();
    const notifications: SupervisorNotification[] = [];
    const changed = new Set<string>();
    let wording: CustomerTextsByLanguage | undefined;
    const automaticReplies: AutomaticReply[] = [];
    for (const decision of decisions) {
      const ticket = tickets.get(decision.ticketId)!;
      const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
      let next: Ticket = ticket;
      if (creators.get(ticket.id) === decision) {
        this.created(log, ticket, decision, at);
      } else if (decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE) {
        next = this.assignedFromQueue(log, ticket, decision, at);
      } else if (decision.disposition === TicketDisposition.ESCALATED) {
        next = this.escalated(log, notifications, ticket, decision, at);
      } else if (decision.disposition === TicketDisposition.REASSIGNED) {
        const command = decision.command!;
        // Undefined when answered before: the note and the move are written once.
        const requested = commands.get(command.commandId);
        if (!command.refusal && requested?.note) {
          // A transfer's note, for the next team, is written with the move (the command's id).
          await this.tickets.insertNote(manager, {
            id: command.commandId,
            ticketId: ticket.id,
            agentId: command.agentId,
            text: requested.note,
          });
          log.record(ticket, agentActor(command.agentId), at, {
            case: 'noteAdded',
            value: { $typeName: 'firstline.v1.NoteAdded', noteId: command.commandId },
          });
        }
        if (!command.refusal) {
          const outcome = applyReassignment(ticket, decision, requested?.note ?? '');
          for (const details of outcome.events) {
            log.record(ticket, agentActor(command.agentId), at, details);
          }
          if (outcome.events.length > 0) next = withDueTimes(outcome.ticket);
        }
      } else if (decision.message?.csatAnswer) {
        next = this.csatRecorded(
          log,
          notifications,
          ticket,
          decision,
          decision.message.csatAnswer.score,
          at,
        );
      } else {
        next = this.continued(log, ticket, decision, at, calendarOf);
      }
      if (next !== ticket) {
        tickets.set(next.id, next);
        changed.add(next.id);
      }
      const message = decision.message;
      // The same message routed twice within the batch is announced once.
      if (message && added.delete(message.messageId)) {
        log.record(next, customerActor(decision.customerId), at, {
          case: 'messageAdded',
          value: {
            $typeName: 'firstline.v1.MessageAdded',
            messageId: message.messageId,
            direction: MessageDirection.INBOUND,
            channel: message.channel,
            automatic: message.autoResponse,
          },
        });
      }
      if (decision.automaticReply) {
        wording ??= await this.wording.load(manager);
        automaticReplies.push(automaticReplyOf(next, decision, at, wording));
      }
    }
    await this.tickets.updateTickets(
      manager,
      [...changed].map((id) => tickets.get(id)!),
    );
    for (const [ticketId, decision] of lastDecisionOf) {
      const ticket = tickets.get(ticketId)!;
      if (ticket.channel !== Channel.CHAT || !ticket.assigneeId) continue;
      if (ticket.assigneeId === heldBefore.get(ticketId)) continue;
      const agent = await this.directory.find(
        kindName(DirectoryKind.AGENT),
        ticket.assigneeId,
        manager,
      );
      if (agent?.payload.case !== 'agent') continue;
      wording ??= await this.wording.load(manager);
      automaticReplies.push(agentJoinedOf(ticket, agent.payload.value.name, decision, wording));
    }
    await this.notifications.insert(manager, notifications);
    await this.sendAutomaticReplies(manager, log, automaticReplies);
    await log.flush(manager);
  }

  /**
   * The acknowledgements and out-of-hours notices the router asked for, stored and sent in one
   * go. Their ids derive from the decision's, so a decision routed or delivered again finds its
   * reply stored and does not send it twice.
   */
  private async sendAutomaticReplies(
    manager: EntityManager,
    log: TicketEventLog,
    replies: AutomaticReply[],
  ) {
    const stored = await this.tickets.insertMessages(
      manager,
      replies.map((reply) => reply.record),
    );
    for (const reply of replies) {
      // Stored now, and sent once even when the batch asked for it twice.
      if (!stored.delete(reply.record.id)) continue;
      log.publish(reply.outgoing);
      log.record(reply.ticket, reply.actor, reply.record.createdAt, reply.event);
    }
  }

  /**
   * A timer of the router fired: the ticket overflowed to another team, missed its first-response
   * due time (the team's supervisors are told), or its assignee stayed away too long.
   */
  private escalated(
    log: TicketEventLog,
    notifications: SupervisorNotification[],
    ticket: Ticket,
    decision: RoutingDecision,
    at: Date,
  ): Ticket {
    const outcome = applyEscalation(ticket, decision);
    for (const details of outcome.events) {
      const event = log.record(ticket, SYSTEM_ROUTER, at, details);
      if (details.case === 'slaBreached') {
        notifications.push({
          id: event.eventId,
          kind: 'first-response-breached',
          teamId: outcome.ticket.teamId,
          ticketId: ticket.id,
          ticketNumber: ticket.number,
          score: null,
          comment: '',
          createdAt: at,
        });
      }
    }
    return outcome.events.length === 0 ? ticket : withDueTimes(outcome.ticket);
  }

  private created(log: TicketEventLog, ticket: Ticket, decision: RoutingDecision, at: Date) {
    log.record(ticket, SYSTEM_ROUTER, at, {
      case: 'created',
      value: {
        $typeName: 'firstline.v1.TicketCreated',
        customerId: ticket.customerId,
        channel: ticket.channel,
        conversationKey: ticket.conversationKey,
        teamId: ticket.teamId,
        priority: ticket.priority,
        subject: ticket.subject,
        previousTicketId: ticket.previousTicketId ?? undefined,
        firstResponseDueAt: decision.firstResponseDueAt,
        resolutionDueAt: decision.resolutionDueAt,
      },
    });
    if (ticket.assigneeId)
      log.record(ticket, SYSTEM_ROUTER, at, assignment(null, ticket.assigneeId));
  }

  /** An agent freed up and the router gave them a ticket that waited in the queue. */
  private assignedFromQueue(
    log: TicketEventLog,
    ticket: Ticket,
    decision: RoutingDecision,
    at: Date,
  ): Ticket {
    const agentId = decision.assignedAgentId ?? null;
    if (!agentId || agentId === ticket.assigneeId) return ticket;
    log.record(ticket, SYSTEM_ROUTER, at, assignment(ticket.assigneeId, agentId));
    return { ...ticket, assigneeId: agentId };
  }

  /** The customer's answer to the satisfaction survey: a rating, so it never reopens the ticket. */
  private csatRecorded(
    log: TicketEventLog,
    notifications: SupervisorNotification[],
    ticket: Ticket,
    decision: RoutingDecision,
    score: number,
    at: Date,
  ): Ticket {
    if (score < 1 || score > 5) throw new BadInputError(`CSAT score ${score} is not 1 to 5`);
    const comment = decision.message?.csatAnswer?.comment ?? '';
    const event = log.record(ticket, customerActor(decision.customerId), at, {
      case: 'csatRecorded',
      value: { $typeName: 'firstline.v1.CsatRecorded', score, comment },
    });
    // A poor rating notifies the team's supervisors (`GET /notifications`, pushed live) and
    // puts the ticket on their list: `status=resolved&tag=low-csat`.
    if (score <= LOW_CSAT) {
      notifications.push({
        id: event.eventId,
        kind: 'low-csat',
        teamId: ticket.teamId,
        ticketId: ticket.id,
        ticketNumber: ticket.number,
        score,
        comment,
        createdAt: at,
      });
    }
    const tags =
      score <= LOW_CSAT && !ticket.tags.includes(LOW_CSAT_TAG)
        ? [...ticket.tags, LOW_CSAT_TAG]
        : ticket.tags;
    return { ...ticket, csatScore: score, csatComment: comment, tags };
  }

  /**
   * A message on an existing ticket: pending or recently resolved tickets open again, a reopen
   * with the assignee the router chose (none while it is queued). A robot's
   * message (an out-of-office reply) is only recorded: it is not the customer writing, so it
   * neither reopens the ticket nor restarts its SLA clock.
   */
  private continued(
    log: TicketEventLog,
    ticket: Ticket,
    decision: RoutingDecision,
    at: Date,
    calendarOf: ((teamId: string) => BusinessCalendar) | undefined,
  ): Ticket {
    if (decision.message?.autoResponse) return ticket;
    const step = afterCustomerReply(ticket);
    let next: Ticket = { ...ticket, ...step.state };
    if (movesSlaClock(ticket, next)) {
      next = withSlaClock(ticket, next, at, calendarOf!(ticket.teamId));
    }
    if (next.status !== ticket.status) {
      log.record(
        ticket,
        customerActor(decision.customerId),
        at,
        statusChanged(ticket.status, next.status),
      );
    }
    // A reopen is assigned afresh: to whom the router chose, or to nobody while it waits in the
    // queue (the previous agent had no room). Keeping the previous agent then would give them a
    // ticket more than their capacity, the router having counted it as queued.
    const assigneeId =
      decision.disposition === TicketDisposition.REOPEN
        ? (decision.assignedAgentId ?? null)
        : (decision.assignedAgentId ?? ticket.assigneeId);
    if (assigneeId !== ticket.assigneeId) {
      next.assigneeId = assigneeId;
      log.record(ticket, SYSTEM_ROUTER, at, assignment(ticket.assigneeId, assigneeId));
    }
    return next.status === ticket.status && next.assigneeId === ticket.assigneeId ? ticket : next;
  }
}

function newTicket(decision: RoutingDecision): NewTicket {
  const inbound = decision.message;
  if (!inbound) throw new BadInputError(`decision ${decision.decisionId} carries no message`);
  // Numbers are the router's alone (docs/adr/0015): a ticket without one is not ours to number.
  if (!decision.ticketNumber) {
    throw new BadInputError(`decision ${decision.decisionId} opens a ticket without its number`);
  }
  const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
  return withDueTimes({
    id: decision.ticketId,
    number: decision.ticketNumber,
    customerId: decision.customerId,
    conversationKey: decision.conversationKey,
    channel: inbound.channel,
    recipient: {
      kind: inbound.sender?.kind ?? 0,
      value: inbound.sender?.value ?? '',
      displayName: inbound.sender?.displayName ?? '',
    },
    subject: inbound.subject || firstLine(inbound.textBody),
    status: 'new',
    priority: decision.priority || Priority.NORMAL,
    teamId: decision.teamId,
    assigneeId: decision.assignedAgentId ?? null,
    skillIds: decision.skillIds,
    tags: decision.tags,
    language: decision.language,
    previousTicketId: decision.previousTicketId ?? null,
    slaPolicyId: decision.slaPolicyId,
    firstResponseDueAt: decision.firstResponseDueAt
      ? timestampDate(decision.firstResponseDueAt)
      : null,
    resolutionDueAt: decision.resolutionDueAt ? timestampDate(decision.resolutionDueAt) : null,
    firstResponseBreached: false,
    pendingSince: null,
    firstRespondedAt: null,
    resolvedAt: null,
    reopenCount: 0,
    createdAt: at,
  });
}

function messageOf(decision: RoutingDecision): MessageRecord {
  const inbound = decision.message!;
  const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
  return {
    id: inbound.messageId,
    ticketId: decision.ticketId,
    direction: 'in',
    authorKind: 'customer',
    authorId: decision.customerId,
    channel: inbound.channel,
    subject: inbound.subject,
    textBody: inbound.textBody,
    // Sanitised once, by the adapter it came through (InboundMessage.html_body, docs/adr/0015).
    htmlBody: inbound.htmlBody,
    attachments: inbound.attachments.map((attachment) => ({
      storageKey: attachment.storageKey,
      url: attachment.url,
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      sizeBytes: attachment.sizeBytes,
      contentId: attachment.contentId,
    })),
    automatic: inbound.autoResponse,
    automaticKind: null,
    expectedAnswerAt: null,
    deliveryStatus: null,
    deliveryReason: '',
    channelMetadata: inbound.channelMetadata,
    createdAt: inbound.receivedAt ? timestampDate(inbound.receivedAt) : at,
    classification: {
      formTopic: inbound.formTopic ?? null,
      formFields: inbound.formFields,
      sender: inbound.sender?.value ?? '',
      language: decision.language,
    },
  };
}

/** What makes a decision impossible to apply, whatever the tickets' state. */
function decisionProblem(decision: RoutingDecision): string | undefined {
  if (!decision.ticketId || !decision.customerId) {
    return 'a decision needs a ticket_id and a customer_id';
  }
  if (decision.ticketNumber && !/^[1-9]\d{0,17}$/.test(decision.ticketNumber)) {
    return `ticket_number "${decision.ticketNumber}" is not a positive whole number`;
  }
  if (
    decision.disposition === TicketDisposition.ESCALATED &&
    !ESCALATIONS.includes(decision.escalation)
  ) {
    return 'an ESCALATED decision needs an escalation';
  }
  if (
    decision.disposition === TicketDisposition.REASSIGNED &&
    !(decision.command?.commandId && decision.command.agentId)
  ) {
    return 'a REASSIGNED decision needs the command it answers';
  }
  const reply = decision.automaticReply;
  if (reply && (!AUTOMATIC_KINDS[reply.kind] || !reply.text.trim() || !decision.decisionId)) {
    return 'an automatic_reply needs a kind, a text and the decision_id';
  }
  return undefined;
}

const ESCALATIONS = [
  Escalation.OVERFLOW,
  Escalation.FIRST_RESPONSE_BREACHED,
  Escalation.AGENT_AWAY,
];

const AUTOMATIC_KINDS: Partial<Record<AutomaticReplyKind, AutomaticKind>> = {
  [AutomaticReplyKind.ACKNOWLEDGEMENT]: 'acknowledgement',
  [AutomaticReplyKind.OUT_OF_HOURS]: 'out_of_hours',
};

/** An automatic message to the customer, with the ticket whose history records it. */
type AutomaticReply = ComposedMessage & { ticket: Ticket };

/** The automatic reply a decision asks for, in the thread of the message it answers. */
function automaticReplyOf(
  ticket: Ticket,
  decision: RoutingDecision,
  at: Date,
  wording: CustomerTextsByLanguage,
): AutomaticReply {
  const reply = decision.automaticReply!;
  return {
    ticket,
    ...composeOutbound(ticket, {
      text: reply.text,
      at,
      automaticKind: AUTOMATIC_KINDS[reply.kind],
      expectedAnswerAt: reply.expectedAnswerAt ? timestampDate(reply.expectedAnswerAt) : undefined,
      outboundId: derivedOutboundId(decision.decisionId),
      threadRefs: decision.message?.channelMetadata ?? {},
      actor: SYSTEM_ROUTER,
      wording,
    }),
  };
}

/** "Ann has joined the chat.": the visitor sees who answers them now, on a live chat's every new agent. */
function agentJoinedOf(
  ticket: Ticket,
  agentName: string,
  decision: RoutingDecision,
  wording: CustomerTextsByLanguage,
): AutomaticReply {
  const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
  const name = firstName(agentName);
  return {
    ticket,
    ...composeOutbound(ticket, {
      text: fillText(customerTexts(ticket.language, wording).agentJoined, { name }),
      at,
      automaticKind: 'agent_joined',
      outboundId: derivedOutboundId(`agent-joined:${decision.decisionId}`),
      threadRefs: {},
      actor: SYSTEM_TICKETS,
      wording,
    }),
  };
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0].slice(0, 120);
}
