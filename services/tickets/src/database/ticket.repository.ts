import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Channel, type Priority } from '@firstline/contracts';
import type { JoinableWrite, NumberedStatement } from '@firstline/persistence';
import type { SlaZone } from '@firstline/routing';
import type { TicketStatus } from '@firstline/ticketing';
import type { Recipient, Ticket } from '../tickets/ticket';

interface TicketRow {
  id: string;
  number: string;
  customer_id: string;
  conversation_key: string;
  channel: number;
  recipient: Recipient;
  subject: string;
  status: TicketStatus;
  priority: number;
  team_id: string;
  assignee_id: string | null;
  skill_ids: string[];
  tags: string[];
  language: string;
  previous_ticket_id: string | null;
  sla_policy_id: string;
  first_response_due_at: Date | null;
  resolution_due_at: Date | null;
  first_response_breached: boolean;
  pending_since: Date | null;
  due_at: Date | null;
  yellow_at: Date | null;
  first_responded_at: Date | null;
  resolved_at: Date | null;
  closed_at: Date | null;
  reopen_count: number;
  csat_score: number | null;
  csat_comment: string | null;
  created_at: Date;
}

const TICKET_COLUMNS = `id, number::text AS number, customer_id, conversation_key, channel, recipient,
  subject, status, priority, team_id, assignee_id, skill_ids, tags, language, previous_ticket_id,
  sla_policy_id, first_response_due_at, resolution_due_at, first_response_breached, pending_since,
  due_at, yellow_at, first_responded_at, resolved_at, closed_at, reopen_count, csat_score,
  csat_comment, created_at`;

/** The channel references of ticket $1's newest inbound message that is not a robot's. */
const LAST_INBOUND_METADATA = `SELECT channel_metadata FROM tickets.message
  WHERE ticket_id = $1 AND direction = 'in' AND NOT automatic
  ORDER BY created_at DESC LIMIT 1`;

export type NewTicket = Omit<Ticket, 'closedAt' | 'csatScore' | 'csatComment'>;

export interface MessageRecord {
  id: string;
  ticketId: string;
  direction: 'in' | 'out';
  authorKind: 'customer' | 'agent' | 'system';
  authorId: string;
  channel: Channel;
  subject: string;
  textBody: string;
  htmlBody: string;
  attachments: unknown[];
  automatic: boolean;
  /** For automatic messages: which one ("acknowledgement", "out_of_hours", "csat_survey"). */
  automaticKind: string | null;
  /** For an automatic reply: the answer time it promised the customer. */
  expectedAnswerAt: Date | null;
  deliveryStatus: string | null;
  deliveryReason: string;
  channelMetadata: Record<string, string>;
  createdAt: Date;
  /**
   * What classification looked at beside the text, kept for the rule-change preview; only an
   * inbound message has them.
   */
  classification?: {
    formTopic: string | null;
    formFields: Record<string, string>;
    sender: string;
    language: string;
  };
}

/** What the queue view filters on; every field optional. */
export interface QueueFilter {
  teamIds?: string[];
  assigneeId?: string;
  unassignedOnly?: boolean;
  channel?: Channel;
  statuses: TicketStatus[];
  priority?: Priority;
  zone?: SlaZone;
  tag?: string;
  limit: number;
  /** Only tickets after this position in the due-time order (keyset pagination). */
  after?: { dueAt: Date | null; number: string };
}

/** SQL of the tickets, messages, notes and events; writes take the caller's transaction. */
@Injectable()
export class TicketRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Reads and locks the tickets that exist among these ids, in id order (no lock-order cycles). */
  async lockTickets(manager: EntityManager, ids: string[]): Promise<Map<string, Ticket>> {
    const rows = await manager.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
      [ids],
    );
    return new Map(rows.map((row) => [row.id, toTicket(row)]));
  }

  /**
   * Creates tickets, skipping ids that exist. Each carries the number the router gave it: the
   * router's `routing.ticket` is where numbers are made and kept unique (docs/adr/0015), and
   * this column is the copy the queue, the ticket view and outgoing subjects show.
   */
  async insertTickets(manager: EntityManager, tickets: NewTicket[]): Promise<Ticket[]> {
    if (tickets.length === 0) return [];
    const rows = await manager.query<TicketRow[]>(
      `INSERT INTO tickets.ticket (id, number, customer_id, conversation_key, channel, recipient,
         subject, status, priority, team_id, assignee_id, skill_ids, tags, language,
         previous_ticket_id, sla_policy_id, first_response_due_at, resolution_due_at, due_at,
         yellow_at, first_responded_at, resolved_at, reopen_count, created_at)
       SELECT id, number, customer_id,
         conversation_key, channel, recipient, subject, status, priority, team_id, assignee_id,
         skill_ids, tags, language, previous_ticket_id, sla_policy_id, first_response_due_at,
         resolution_due_at, due_at, yellow_at, first_responded_at, resolved_at, reopen_count,
         created_at
       FROM jsonb_to_recordset($1::jsonb) AS r (id text, number bigint, customer_id text,
         conversation_key text, channel integer, recipient jsonb, subject text, status text,
         priority integer, team_id text, assignee_id text, skill_ids text[], tags text[],
         language text, previous_ticket_id text, sla_policy_id text,
         first_response_due_at timestamptz, resolution_due_at timestamptz, due_at timestamptz,
         yellow_at timestamptz, first_responded_at timestamptz, resolved_at timestamptz,
         reopen_count integer, created_at timestamptz, position integer)
       ORDER BY position
       ON CONFLICT (id) DO NOTHING
       RETURNING ${TICKET_COLUMNS}`,
      [
        JSON.stringify(
          tickets.map((ticket, position) => ({
            position,
            id: ticket.id,
            number: ticket.number,
            customer_id: ticket.customerId,
            conversation_key: ticket.conversationKey,
            channel: ticket.channel,
            recipient: ticket.recipient,
            subject: ticket.subject,
            status: ticket.status,
            priority: ticket.priority,
            team_id: ticket.teamId,
            assignee_id: ticket.assigneeId,
            skill_ids: ticket.skillIds,
            tags: ticket.tags,
            language: ticket.language,
            previous_ticket_id: ticket.previousTicketId,
            sla_policy_id: ticket.slaPolicyId,
            first_response_due_at: ticket.firstResponseDueAt,
            resolution_due_at: ticket.resolutionDueAt,
            due_at: ticket.dueAt,
            yellow_at: ticket.yellowAt,
            first_responded_at: ticket.firstRespondedAt,
            resolved_at: ticket.resolvedAt,
            reopen_count: ticket.reopenCount,
            created_at: ticket.createdAt,
          })),
        ),
      ],
    );
    return rows.map(toTicket);
  }

  /** Inserts the messages whose ids are new; returns those ids. */
  async insertMessages(manager: EntityManager, messages: MessageRecord[]): Promise<Set<string>> {
    if (messages.length === 0) return new Set();
    const rows = await manager.query<Array<{ id: string }>>(
      `INSERT INTO tickets.message (id, ticket_id, direction, author_kind, author_id, channel,
         subject, text_body, html_body, attachments, automatic, delivery_status, delivery_reason,
         channel_metadata, created_at, automatic_kind, expected_answer_at, form_topic, form_fields,
         sender, language)
       SELECT id, ticket_id, direction, author_kind, author_id, channel, subject, text_body,
         html_body, attachments, automatic, delivery_status, delivery_reason, channel_metadata,
         created_at, automatic_kind, expected_answer_at, form_topic, COALESCE(form_fields, '{}'),
         COALESCE(sender, ''), COALESCE(language, '')
       FROM jsonb_to_recordset($1::jsonb) AS r (id text, ticket_id text, direction text,
         author_kind text, author_id text, channel integer, subject text, text_body text,
         html_body text, attachments jsonb, automatic boolean, delivery_status text,
         delivery_reason text, channel_metadata jsonb, created_at timestamptz,
         automatic_kind text, expected_answer_at timestamptz, form_topic text, form_fields jsonb,
         sender text, language text)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [
        JSON.stringify(
          messages.map((message) => ({
            id: message.id,
            ticket_id: message.ticketId,
            direction: message.direction,
            author_kind: message.authorKind,
            author_id: message.authorId,
            channel: message.channel,
            subject: message.subject,
            text_body: message.textBody,
            html_body: message.htmlBody,
            attachments: message.attachments,
            automatic: message.automatic,
            delivery_status: message.deliveryStatus,
            delivery_reason: message.deliveryReason,
            channel_metadata: message.channelMetadata,
            created_at: message.createdAt,
            automatic_kind: message.automaticKind,
            expected_answer_at: message.expectedAnswerAt,
            form_topic: message.classification?.formTopic,
            form_fields: message.classification?.formFields,
            sender: message.classification?.sender,
            language: message.classification?.language,
          })),
        ),
      ],
    );
    return new Set(rows.map((row) => row.id));
  }

  /** Reads a ticket and locks it for the rest of the transaction, so its events stay in order. */
  async lockTicket(manager: EntityManager, id: string): Promise<Ticket | undefined> {
    const rows = await manager.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] && toTicket(rows[0]);
  }

  /**
   * `lockTicket` for an answer to the customer, with `lastInboundMetadata` read and the request's
   * `claim` (an INSERT … RETURNING) made by the same statement: round trips fewer on every reply.
   * The statement's snapshot predates the lock, so a message committed while the lock was awaited
   * is not seen: the reply then threads to the customer's message before it, in the same
   * conversation. `claimed` says whether the claim returned a row.
   */
  async lockTicketToAnswer(
    manager: EntityManager,
    id: string,
    claim?: JoinableWrite,
  ): Promise<{ ticket: Ticket; threadRefs: Record<string, string>; claimed: boolean } | undefined> {
    const claiming = claim?.(2);
    const rows = await manager.query<
      Array<TicketRow & { thread_refs: Record<string, string> | null; claimed: boolean }>
    >(
      `${claiming ? `WITH claimed AS (${claiming.sql}) ` : ''}
       SELECT ${TICKET_COLUMNS}, (${LAST_INBOUND_METADATA}) AS thread_refs,
              ${claiming ? 'EXISTS (SELECT FROM claimed)' : 'false'} AS claimed
       FROM tickets.ticket WHERE id = $1 FOR UPDATE`,
      [id, ...(claiming?.parameters ?? [])],
    );
    const [row] = rows;
    return (
      row && { ticket: toTicket(row), threadRefs: row.thread_refs ?? {}, claimed: row.claimed }
    );
  }

  /** Resolved tickets resolved before `before`, locked; replicas skip each other's. */
  async lockResolvedBefore(manager: EntityManager, before: Date, limit: number): Promise<Ticket[]> {
    const rows = await manager.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket
       WHERE status = 'resolved' AND resolved_at < $1
       ORDER BY resolved_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );
    return rows.map(toTicket);
  }

  /**
   * Live chats an agent holds in which nobody wrote since `before`, with when the last one wrote,
   * locked; replicas skip each other's. Firstline's own notices are not someone writing.
   */
  async lockQuietChats(
    manager: EntityManager,
    before: Date,
    limit: number,
  ): Promise<Array<Ticket & { lastMessageAt: Date }>> {
    const lastMessage = `coalesce((SELECT max(m.created_at) FROM tickets.message m
        WHERE m.ticket_id = t.id AND NOT m.automatic), t.created_at)`;
    const locked = await manager.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket t
       WHERE channel = ${Channel.CHAT} AND status IN ('new', 'open', 'pending')
         AND assignee_id IS NOT NULL AND ${lastMessage} < $1
       ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );
    if (locked.length === 0) return [];
    // Read again after the lock: a message that committed while it was taken counts.
    const latest = await manager.query<Array<{ id: string; last_message_at: Date }>>(
      `SELECT t.id, ${lastMessage} AS last_message_at FROM tickets.ticket t WHERE t.id = ANY($1)`,
      [locked.map((row) => row.id)],
    );
    const lastById = new Map(latest.map((row) => [row.id, row.last_message_at]));
    return locked.map((row) => ({ ...toTicket(row), lastMessageAt: lastById.get(row.id)! }));
  }

  async findTicket(id: string): Promise<Ticket | undefined> {
    const rows = await this.dataSource.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket WHERE id = $1`,
      [id],
    );
    return rows[0] && toTicket(rows[0]);
  }

  /** Writes back the fields the use cases change. */
  async updateTicket(manager: EntityManager, ticket: Ticket): Promise<void> {
    const { sql, parameters } = ticketUpdate(ticket, 1);
    await manager.query(sql, parameters);
  }

  /** `updateTicket` for many tickets in one statement (a consumer's batch). */
  async updateTickets(manager: EntityManager, tickets: Ticket[]): Promise<void> {
    if (tickets.length === 0) return;
    await manager.query(
      `UPDATE tickets.ticket t SET status = r.status, priority = r.priority, team_id = r.team_id,
         assignee_id = r.assignee_id, skill_ids = r.skill_ids, tags = r.tags, due_at = r.due_at,
         yellow_at = r.yellow_at, first_responded_at = r.first_responded_at,
         resolved_at = r.resolved_at, closed_at = r.closed_at, reopen_count = r.reopen_count,
         csat_score = r.csat_score, csat_comment = r.csat_comment, customer_id = r.customer_id,
         first_response_breached = r.first_response_breached, pending_since = r.pending_since,
         resolution_due_at = r.resolution_due_at, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS r (id text, status text, priority integer,
         team_id text, assignee_id text, skill_ids text[], tags text[], due_at timestamptz,
         yellow_at timestamptz, first_responded_at timestamptz, resolved_at timestamptz,
         closed_at timestamptz, reopen_count integer, csat_score integer, csat_comment text,
         customer_id text, first_response_breached boolean, pending_since timestamptz,
         resolution_due_at timestamptz)
       WHERE t.id = r.id`,
      [
        JSON.stringify(
          tickets.map((ticket) => ({
            id: ticket.id,
            status: ticket.status,
            priority: ticket.priority,
            team_id: ticket.teamId,
            assignee_id: ticket.assigneeId,
            skill_ids: ticket.skillIds,
            tags: ticket.tags,
            due_at: ticket.dueAt,
            yellow_at: ticket.yellowAt,
            first_responded_at: ticket.firstRespondedAt,
            resolved_at: ticket.resolvedAt,
            closed_at: ticket.closedAt,
            reopen_count: ticket.reopenCount,
            csat_score: ticket.csatScore,
            csat_comment: ticket.csatComment,
            customer_id: ticket.customerId,
            first_response_breached: ticket.firstResponseBreached,
            pending_since: ticket.pendingSince,
            resolution_due_at: ticket.resolutionDueAt,
          })),
        ),
      ],
    );
  }

  /** Inserts the message unless one with its id exists; true when it was new. */
  async insertMessage(manager: EntityManager, message: MessageRecord): Promise<boolean> {
    const { sql, parameters } = messageInsert(message, 1);
    const rows: unknown[] = await manager.query(sql, parameters);
    return rows.length === 1;
  }

  /**
   * Records what channels reported about outbound messages (an unknown one: nothing), in their
   * order, one statement per round: the first receipt of each reply, then the second of those that
   * got two, and so on (usually a single round).
   */
  async updateDeliveries(
    manager: EntityManager,
    receipts: Array<{
      outboundId: string;
      status: string;
      reason: string;
      channelMessageId: string;
    }>,
  ): Promise<void> {
    const rounds: Array<typeof receipts> = [];
    const seen = new Map<string, number>();
    for (const receipt of receipts) {
      const round = seen.get(receipt.outboundId) ?? 0;
      seen.set(receipt.outboundId, round + 1);
      (rounds[round] ??= []).push(receipt);
    }
    for (const round of rounds) {
      // Receipts only move forward: a late "sent" must not step "delivered" back, nor a late
      // "sent" or "delivered" a "read" (a chat's visitor may read a reply before its "sent"
      // arrives). The channel's message id is kept whichever receipt brings it.
      await manager.query(
        `UPDATE tickets.message m SET delivery_status = r.status, delivery_reason = r.reason,
           channel_message_id = CASE WHEN r.channel_message_id = '' THEN m.channel_message_id
                                     ELSE r.channel_message_id END
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                AS r (id, status, reason, channel_message_id)
          WHERE m.id = r.id AND m.direction = 'out'
            AND NOT (m.delivery_status = 'delivered' AND r.status = 'sent')
            AND NOT (m.delivery_status = 'read' AND r.status IN ('sent', 'delivered'))`,
        [
          round.map((receipt) => receipt.outboundId),
          round.map((receipt) => receipt.status),
          round.map((receipt) => receipt.reason),
          round.map((receipt) => receipt.channelMessageId),
        ],
      );
    }
  }

  /** Oldest first; an answer stored with its question's very time ('out' after 'in') follows it. */
  async messagesOfTickets(ticketIds: string[]): Promise<MessageRecord[]> {
    const rows = await this.dataSource.query<Array<Record<string, unknown>>>(
      `SELECT id, ticket_id, direction, author_kind, author_id, channel, subject, text_body,
         html_body, attachments, automatic, automatic_kind, expected_answer_at, delivery_status,
         delivery_reason, channel_metadata, created_at
       FROM tickets.message WHERE ticket_id = ANY($1)
       ORDER BY created_at, direction, id`,
      [ticketIds],
    );
    return rows.map((row) => ({
      id: row.id as string,
      ticketId: row.ticket_id as string,
      direction: row.direction as MessageRecord['direction'],
      authorKind: row.author_kind as MessageRecord['authorKind'],
      authorId: row.author_id as string,
      channel: row.channel as Channel,
      subject: row.subject as string,
      textBody: row.text_body as string,
      htmlBody: row.html_body as string,
      attachments: row.attachments as unknown[],
      automatic: row.automatic as boolean,
      automaticKind: row.automatic_kind as string | null,
      expectedAnswerAt: row.expected_answer_at as Date | null,
      deliveryStatus: row.delivery_status as string | null,
      deliveryReason: row.delivery_reason as string,
      channelMetadata: row.channel_metadata as Record<string, string>,
      createdAt: row.created_at as Date,
    }));
  }

  /**
   * The newest inbound message's channel references, to keep a reply in the customer's thread;
   * a robot's message (an out-of-office reply) is not what the agent answers.
   */
  async lastInboundMetadata(
    manager: EntityManager,
    ticketId: string,
  ): Promise<Record<string, string>> {
    const rows = await manager.query<Array<{ channel_metadata: Record<string, string> }>>(
      LAST_INBOUND_METADATA,
      [ticketId],
    );
    return rows[0]?.channel_metadata ?? {};
  }

  async insertNote(
    manager: EntityManager,
    note: { id: string; ticketId: string; agentId: string; text: string },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tickets.note (id, ticket_id, agent_id, text) VALUES ($1, $2, $3, $4)`,
      [note.id, note.ticketId, note.agentId, note.text],
    );
  }

  async notesOfTicket(
    ticketId: string,
  ): Promise<Array<{ id: string; agentId: string; text: string; createdAt: Date }>> {
    const rows = await this.dataSource.query<
      Array<{ id: string; agent_id: string; text: string; created_at: Date }>
    >(
      `SELECT id, agent_id, text, created_at FROM tickets.note WHERE ticket_id = $1
       ORDER BY created_at, id`,
      [ticketId],
    );
    return rows.map((row) => ({
      id: row.id,
      agentId: row.agent_id,
      text: row.text,
      createdAt: row.created_at,
    }));
  }

  async eventsOfTicket(ticketId: string): Promise<Array<Record<string, unknown>>> {
    const rows = await this.dataSource.query<Array<{ record: Record<string, unknown> }>>(
      `SELECT record FROM tickets.ticket_event WHERE ticket_id = $1 ORDER BY seq`,
      [ticketId],
    );
    return rows.map((row) => row.record);
  }

  /** Every ticket of a customer, newest first: their history across channels. */
  async ticketsOfCustomer(customerId: string): Promise<Ticket[]> {
    const rows = await this.dataSource.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket WHERE customer_id = $1
       ORDER BY created_at DESC LIMIT 200`,
      [customerId],
    );
    return rows.map(toTicket);
  }

  /**
   * A queue: soonest due first, then by number; tickets without a due time last. For a set of
   * teams, each team's queue is read on its own through the team index and the heads merged,
   * which stays fast however many tickets the teams hold.
   */
  async queue(filter: QueueFilter, now: Date): Promise<Ticket[]> {
    const where: string[] = ['status = ANY($1)'];
    const parameters: unknown[] = [filter.statuses];
    const bind = (value: unknown) => {
      parameters.push(value);
      return `$${parameters.length}`;
    };
    if (filter.assigneeId) where.push(`assignee_id = ${bind(filter.assigneeId)}`);
    if (filter.unassignedOnly) where.push('assignee_id IS NULL');
    if (filter.channel) where.push(`channel = ${bind(filter.channel)}`);
    if (filter.priority) where.push(`priority = ${bind(filter.priority)}`);
    if (filter.tag) where.push(`${bind(filter.tag)} = ANY(tags)`);
    if (filter.zone) {
      const at = bind(now);
      where.push(
        {
          red: `due_at <= ${at}`,
          yellow: `yellow_at <= ${at} AND due_at > ${at}`,
          green: `(due_at IS NULL OR due_at > ${at}) AND (yellow_at IS NULL OR yellow_at > ${at})`,
        }[filter.zone],
      );
    }
    if (filter.after) {
      const number = bind(filter.after.number);
      if (filter.after.dueAt) {
        const due = bind(filter.after.dueAt);
        where.push(
          `(due_at > ${due} OR due_at IS NULL OR (due_at = ${due} AND number > ${number}))`,
        );
      } else {
        where.push(`due_at IS NULL AND number > ${number}`);
      }
    }
    const limit = bind(filter.limit);
    // Qualified: a bare "number" in ORDER BY would be the text output column.
    const order = 'ORDER BY t.due_at ASC NULLS LAST, t.number ASC';
    const sql = filter.teamIds
      ? `SELECT queued.* FROM unnest(${bind(filter.teamIds)}::text[]) AS team (id)
         CROSS JOIN LATERAL (
           SELECT ${TICKET_COLUMNS}, t.due_at AS sort_due, t.number AS sort_number
           FROM tickets.ticket t
           WHERE team_id = team.id AND ${where.join(' AND ')} ${order} LIMIT ${limit}
         ) AS queued
         ORDER BY sort_due ASC NULLS LAST, sort_number ASC LIMIT ${limit}`
      : `SELECT ${TICKET_COLUMNS} FROM tickets.ticket t WHERE ${where.join(' AND ')} ${order}
         LIMIT ${limit}`;
    const rows = await this.dataSource.query<TicketRow[]>(sql, parameters);
    return rows.map(toTicket);
  }

  /** Tickets created in [from, to), optionally of one team: what KPIs are computed over. */
  async ticketsCreatedBetween(from: Date, to: Date, teamId?: string): Promise<Ticket[]> {
    const rows = await this.dataSource.query<TicketRow[]>(
      `SELECT ${TICKET_COLUMNS} FROM tickets.ticket
       WHERE created_at >= $1 AND created_at < $2 AND ($3::text IS NULL OR team_id = $3)`,
      [from, to, teamId ?? null],
    );
    return rows.map(toTicket);
  }

  /**
   * The answer time each ticket's first automatic reply promised (its acknowledgement): what
   * the KPIs hold the first response to. Tickets promised nothing are absent.
   */
  async promisedAnswerTimes(ticketIds: string[]): Promise<Map<string, Date>> {
    if (ticketIds.length === 0) return new Map();
    const rows = await this.dataSource.query<Array<{ ticket_id: string; promised: Date }>>(
      `SELECT DISTINCT ON (ticket_id) ticket_id, expected_answer_at AS promised
         FROM tickets.message
        WHERE ticket_id = ANY($1) AND automatic AND expected_answer_at IS NOT NULL
        ORDER BY ticket_id, created_at`,
      [ticketIds],
    );
    return new Map(rows.map((row) => [row.ticket_id, row.promised]));
  }

  /** Moves every ticket of one customer to another (customer merge). */
  async moveTickets(manager: EntityManager, fromCustomerId: string, toCustomerId: string) {
    await manager.query(`UPDATE tickets.ticket SET customer_id = $2 WHERE customer_id = $1`, [
      fromCustomerId,
      toCustomerId,
    ]);
  }

  /** Open tickets (new, open, pending) per assignee and channel: each agent's load now. */
  async openTicketsByAgent(): Promise<Array<{ agentId: string; channel: Channel; open: number }>> {
    const rows = await this.dataSource.query<
      Array<{ assignee_id: string; channel: Channel; open: number }>
    >(
      `SELECT assignee_id, channel, count(*)::int AS open FROM tickets.ticket
        WHERE assignee_id IS NOT NULL AND status IN ('new', 'open', 'pending')
        GROUP BY assignee_id, channel`,
    );
    return rows.map((row) => ({ agentId: row.assignee_id, channel: row.channel, open: row.open }));
  }
}

function toTicket(row: TicketRow): Ticket {
  return {
    id: row.id,
    number: row.number,
    customerId: row.customer_id,
    conversationKey: row.conversation_key,
    channel: row.channel as Channel,
    recipient: row.recipient,
    subject: row.subject,
    status: row.status,
    priority: row.priority as Priority,
    teamId: row.team_id,
    assigneeId: row.assignee_id,
    skillIds: row.skill_ids,
    tags: row.tags,
    language: row.language,
    previousTicketId: row.previous_ticket_id,
    slaPolicyId: row.sla_policy_id,
    firstResponseDueAt: row.first_response_due_at,
    resolutionDueAt: row.resolution_due_at,
    firstResponseBreached: row.first_response_breached,
    pendingSince: row.pending_since,
    dueAt: row.due_at,
    yellowAt: row.yellow_at,
    firstRespondedAt: row.first_responded_at,
    resolvedAt: row.resolved_at,
    closedAt: row.closed_at,
    reopenCount: row.reopen_count,
    csatScore: row.csat_score,
    csatComment: row.csat_comment,
    createdAt: row.created_at,
  };
}

/** `$first`, `$first + 1`, ...: the placeholders of `count` parameters. */
function placeholders(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `$${first + index}`);
}

/** The UPDATE that writes back the fields the use cases change, parameters from `first`. */
export function ticketUpdate(ticket: Ticket, first: number): NumberedStatement {
  const [id, ...fields] = placeholders(first, 19);
  const columns = [
    'status',
    'priority',
    'team_id',
    'assignee_id',
    'skill_ids',
    'tags',
    'due_at',
    'yellow_at',
    'first_responded_at',
    'resolved_at',
    'closed_at',
    'reopen_count',
    'csat_score',
    'csat_comment',
    'customer_id',
    'first_response_breached',
    'pending_since',
    'resolution_due_at',
  ];
  return {
    sql: `UPDATE tickets.ticket SET ${columns.map((column, index) => `${column} = ${fields[index]}`).join(', ')},
         updated_at = now()
       WHERE id = ${id}`,
    parameters: [
      ticket.id,
      ticket.status,
      ticket.priority,
      ticket.teamId,
      ticket.assigneeId,
      ticket.skillIds,
      ticket.tags,
      ticket.dueAt,
      ticket.yellowAt,
      ticket.firstRespondedAt,
      ticket.resolvedAt,
      ticket.closedAt,
      ticket.reopenCount,
      ticket.csatScore,
      ticket.csatComment,
      ticket.customerId,
      ticket.firstResponseBreached,
      ticket.pendingSince,
      ticket.resolutionDueAt,
    ],
  };
}

/** The INSERT of a message unless one with its id exists (returning its id when new), parameters from `first`. */
export function messageInsert(message: MessageRecord, first: number): NumberedStatement {
  return {
    sql: `INSERT INTO tickets.message (id, ticket_id, direction, author_kind, author_id, channel,
         subject, text_body, html_body, attachments, automatic, delivery_status, delivery_reason,
         channel_metadata, created_at, automatic_kind, expected_answer_at)
       VALUES (${placeholders(first, 17).join(', ')})
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
    parameters: [
      message.id,
      message.ticketId,
      message.direction,
      message.authorKind,
      message.authorId,
      message.channel,
      message.subject,
      message.textBody,
      message.htmlBody,
      JSON.stringify(message.attachments),
      message.automatic,
      message.deliveryStatus,
      message.deliveryReason,
      JSON.stringify(message.channelMetadata),
      message.createdAt,
      message.automaticKind,
      message.expectedAnswerAt,
    ],
  };
}
