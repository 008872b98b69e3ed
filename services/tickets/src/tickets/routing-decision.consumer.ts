import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { BadInputError, Consume, type DeliveredMessage } from '@firstline/bus';
import {
  decode,
  MessageDirection,
  Priority,
  RoutingDecisionSchema,
  TicketDisposition,
  timestampDate,
  TOPICS,
  type MessageShape,
} from '@firstline/contracts';
import { OutboxRelay } from '@firstline/persistence';
import { afterCustomerReply } from '@firstline/ticketing';
import { CustomerRepository } from '../database/customer.repository';
import {
  NotificationRepository,
  type SupervisorNotification,
} from '../notifications/notification.repository';
import {
  TicketRepository,
  type MessageRecord,
  type NewTicket,
} from '../database/ticket.repository';
import { TicketsSettings } from '../tickets-settings';
import { sanitiseHtml } from './sanitise-html';
import { withDueTimes, type Ticket } from './ticket';
import {
  assignment,
  customerActor,
  statusChanged,
  SYSTEM_ROUTER,
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
    private readonly settings: TicketsSettings,
    private readonly notifications: NotificationRepository,
  ) {}

  @Consume({ topics: [TOPICS.routing.name] })
  async handle(messages: DeliveredMessage[]): Promise<void> {
    // A record delivered twice within one batch counts once, like one delivered in two batches.
    const read = [
      ...new Map(
        messages.map((message) => readDecision(message)).map((r) => [r.messageId, r]),
      ).values(),
    ];
    await this.dataSource.transaction(async (manager) => {
      const claimed = await this.tickets.claimMessages(
        manager,
        CONSUMER,
        read.map(({ messageId }) => messageId),
      );
      const decisions = read
        .filter(({ messageId }) => claimed.has(messageId))
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
      decisions.map((decision) => ({ id: decision.customerId, sender: decision.message?.sender })),
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

    const log = new TicketEventLog();
    const notifications: SupervisorNotification[] = [];
    const changed = new Set<string>();
    for (const decision of decisions) {
      const ticket = tickets.get(decision.ticketId)!;
      const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
      let next: Ticket = ticket;
      if (creators.get(ticket.id) === decision) {
        this.created(log, ticket, decision, at);
      } else if (decision.disposition === TicketDisposition.ASSIGNED_FROM_QUEUE) {
        next = this.assignedFromQueue(log, ticket, decision, at);
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
        next = this.continued(log, ticket, decision, at);
      }
      if (next !== ticket) {
        tickets.set(next.id, next);
        changed.add(next.id);
      }
      const message = decision.message;
      if (message && added.has(message.messageId)) {
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
    }
    for (const id of changed) await this.tickets.updateTicket(manager, tickets.get(id)!);
    await this.notifications.insert(manager, notifications);
    await log.flush(manager);
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
    const comment = decision.message?.textBody ?? '';
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

  /** A message on an existing ticket: pending or recently resolved tickets open again. */
  private continued(
    log: TicketEventLog,
    ticket: Ticket,
    decision: RoutingDecision,
    at: Date,
  ): Ticket {
    const step = afterCustomerReply(ticket, at, this.settings.lifecycle);
    const next: Ticket = { ...ticket, ...step.state };
    if (next.status !== ticket.status) {
      log.record(
        ticket,
        customerActor(decision.customerId),
        at,
        statusChanged(ticket.status, next.status),
      );
    }
    if (decision.assignedAgentId && decision.assignedAgentId !== ticket.assigneeId) {
      next.assigneeId = decision.assignedAgentId;
      log.record(ticket, SYSTEM_ROUTER, at, assignment(ticket.assigneeId, next.assigneeId));
    }
    return next.status === ticket.status && next.assigneeId === ticket.assigneeId ? ticket : next;
  }
}

function newTicket(decision: RoutingDecision): NewTicket {
  const inbound = decision.message;
  if (!inbound) throw new BadInputError(`decision ${decision.decisionId} carries no message`);
  const at = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
  return withDueTimes({
    id: decision.ticketId,
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
    htmlBody: sanitiseHtml(inbound.htmlBody),
    attachments: inbound.attachments.map((attachment) => ({
      storageKey: attachment.storageKey,
      url: attachment.url,
      fileName: attachment.fileName,
      contentType: attachment.contentType,
      sizeBytes: attachment.sizeBytes,
      contentId: attachment.contentId,
    })),
    automatic: inbound.autoResponse,
    deliveryStatus: null,
    deliveryReason: '',
    channelMetadata: inbound.channelMetadata,
    createdAt: inbound.receivedAt ? timestampDate(inbound.receivedAt) : at,
  };
}

function readDecision(message: DeliveredMessage) {
  try {
    const decision = decode(RoutingDecisionSchema, message.value);
    if (!decision.ticketId || !decision.customerId) {
      throw new Error('a decision needs a ticket_id and a customer_id');
    }
    return { messageId: message.headers.messageId, decision };
  } catch (error) {
    throw new BadInputError(`unreadable RoutingDecision: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0].slice(0, 120);
}
