import type { EntityManager } from 'typeorm';
import type { Channel, Priority } from '@firstline/contracts';
import type { JoinableWrite } from '@firstline/persistence';
import type { KnownTicket } from '@firstline/routing';

/** A ticket as the router tracks it: enough to thread, queue, escalate and count capacity. */
export interface TicketRow {
  id: string;
  number: string;
  conversation_key: string;
  customer_id: string;
  channel: Channel;
  team_id: string;
  skill_ids: string[];
  priority: Priority;
  tags: string[];
  language: string;
  state: 'open' | 'resolved' | 'closed';
  resolved_at: Date | null;
  assigned_agent_id: string | null;
  queued_at: Date;
  first_response_due_at: Date | null;
  resolution_due_at: Date | null;
  sla_policy_id: string;
  matched_rule_id: string;
  rule_set_version: number;
  previous_ticket_id: string | null;
  first_responded_at: Date | null;
  /** The customer wrote last: an agent owes them an answer. */
  awaiting_agent: boolean;
  /** Messages routed to the ticket that tickets has not recorded yet (see `HOLDS_ITS_AGENT`). */
  unrecorded_messages: number;
}

/**
 * Whether a ticket takes a place of its agent's capacity: while open, and while resolved with
 * messages routed to it that tickets has not recorded yet. The router appends a message to a
 * ticket it believes open; when the agent resolved it meanwhile, tickets reopens it on recording
 * the message, for the same agent. Counting it until then keeps that place from going to a queued
 * ticket in between, which would put the agent over capacity once the reopen arrives.
 */
export const HOLDS_ITS_AGENT = `(state = 'open' OR (state = 'resolved' AND unrecorded_messages > 0))`;

export interface Conversation {
  key: string;
  latest?: TicketRow;
  lastAutomaticReplyAt?: Date;
}

/**
 * Locks the batch's conversations (creating those seen for the first time) and their latest
 * tickets, in key order so that concurrent batches never wait on each other in a cycle. The locks
 * make the messages of one conversation take turns even while a partition moves between router
 * instances.
 */
export async function lockConversations(
  manager: EntityManager,
  keys: string[],
): Promise<Map<string, Conversation>> {
  // An upsert that always updates: it creates what is new and locks what exists, returning the
  // latest committed state of each row, in one round trip.
  const rows: Array<{
    conversation_key: string;
    latest_ticket_id: string | null;
    last_automatic_reply_at: Date | null;
  }> = await manager.query(
    `INSERT INTO routing.conversation (conversation_key)
     SELECT unnest($1::text[])
     ON CONFLICT (conversation_key) DO UPDATE SET conversation_key = excluded.conversation_key
     RETURNING conversation_key, latest_ticket_id, last_automatic_reply_at`,
    [[...new Set(keys)].sort()],
  );
  const tickets = await lockTickets(
    manager,
    rows.flatMap((row) => (row.latest_ticket_id ? [row.latest_ticket_id] : [])),
  );
  return new Map(
    rows.map((row) => [
      row.conversation_key,
      {
        key: row.conversation_key,
        latest: row.latest_ticket_id ? tickets.get(row.latest_ticket_id) : undefined,
        lastAutomaticReplyAt: row.last_automatic_reply_at ?? undefined,
      },
    ]),
  );
}

/** Reads and locks these tickets, in id order. */
export async function lockTickets(
  manager: EntityManager,
  ids: string[],
): Promise<Map<string, TicketRow>> {
  if (ids.length === 0) return new Map();
  const rows: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
    [ids],
  );
  return new Map(rows.map((row) => [row.id, row]));
}

/** A ticket as threading sees it. */
export function knownTicket(ticket: TicketRow): KnownTicket {
  const { id: ticketId, customer_id: customerId } = ticket;
  if (ticket.state === 'resolved' && ticket.resolved_at) {
    return { ticketId, customerId, state: 'resolved', resolvedAt: ticket.resolved_at };
  }
  return { ticketId, customerId, state: ticket.state === 'closed' ? 'closed' : 'open' };
}

/** Every column but `number`, which the sequence fills in as a ticket is inserted. */
const NUMBERED_COLUMNS = [
  'id',
  'conversation_key',
  'customer_id',
  'channel',
  'team_id',
  'skill_ids',
  'priority',
  'tags',
  'language',
  'state',
  'resolved_at',
  'assigned_agent_id',
  'queued_at',
  'first_response_due_at',
  'resolution_due_at',
  'sla_policy_id',
  'matched_rule_id',
  'rule_set_version',
  'previous_ticket_id',
  'first_responded_at',
  'awaiting_agent',
  'unrecorded_messages',
].join(', ');

/** Inserts new tickets (whole rows), giving each its number, set on the rows passed in. */
export async function insertTickets(manager: EntityManager, created: TicketRow[]): Promise<void> {
  if (created.length === 0) return;
  const numbered: Array<{ id: string; number: string }> = await manager.query(
    `INSERT INTO routing.ticket (${NUMBERED_COLUMNS})
     SELECT ${NUMBERED_COLUMNS} FROM jsonb_populate_recordset(null::routing.ticket, $1::jsonb)
     RETURNING id, number`,
    [JSON.stringify(created)],
  );
  const numbers = new Map(numbered.map((row) => [row.id, row.number]));
  for (const ticket of created) ticket.number = numbers.get(ticket.id)!;
}

/** Writes back what the router changes of tickets it holds; none when nothing changed. */
export function ticketsUpdate(changed: TicketRow[]): JoinableWrite | undefined {
  if (changed.length === 0) return undefined;
  return (first) => ({
    sql: `UPDATE routing.ticket t SET
            team_id = r.team_id, skill_ids = r.skill_ids, priority = r.priority, state = r.state,
            resolved_at = r.resolved_at, assigned_agent_id = r.assigned_agent_id,
            queued_at = r.queued_at, first_response_due_at = r.first_response_due_at,
            resolution_due_at = r.resolution_due_at, sla_policy_id = r.sla_policy_id,
            first_responded_at = r.first_responded_at, awaiting_agent = r.awaiting_agent,
            unrecorded_messages = r.unrecorded_messages
          FROM jsonb_populate_recordset(null::routing.ticket, $${first}::jsonb) r
          WHERE t.id = r.id`,
    parameters: [JSON.stringify(changed)],
  });
}

/** Points conversations at their latest tickets and records when they got an automatic reply. */
export function conversationsUpdate(conversations: Conversation[]): JoinableWrite | undefined {
  if (conversations.length === 0) return undefined;
  return (first) => ({
    sql: `UPDATE routing.conversation c
             SET latest_ticket_id = u.latest_ticket_id, last_automatic_reply_at = u.replied_at
            FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::timestamptz[])
                 AS u (conversation_key, latest_ticket_id, replied_at)
           WHERE c.conversation_key = u.conversation_key`,
    parameters: [
      conversations.map((conversation) => conversation.key),
      conversations.map((conversation) => conversation.latest?.id ?? null),
      conversations.map((conversation) => conversation.lastAutomaticReplyAt ?? null),
    ],
  });
}

/**
 * The 1-based place each queued ticket has in its team's queue, by ticket id, in the order drains
 * take them. Each team's queue is numbered once, however many of its tickets the batch queued.
 */
export async function queuePositions(
  manager: EntityManager,
  tickets: TicketRow[],
): Promise<Map<string, number>> {
  if (tickets.length === 0) return new Map();
  const rows: Array<{ id: string; position: number }> = await manager.query(
    `SELECT id, position FROM (
       SELECT id, row_number() OVER (
                PARTITION BY team_id
                ORDER BY priority DESC, first_response_due_at NULLS LAST, queued_at, id
              )::int AS position
         FROM routing.ticket
        WHERE state = 'open' AND assigned_agent_id IS NULL AND team_id = ANY($1)
     ) AS queue
     WHERE id = ANY($2)`,
    [[...new Set(tickets.map((ticket) => ticket.team_id))], tickets.map((ticket) => ticket.id)],
  );
  return new Map(rows.map((row) => [row.id, row.position]));
}
