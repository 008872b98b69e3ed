import type { EntityManager } from 'typeorm';
import type { Channel, Priority } from '@firstline/contracts';
import type { ConversationTicket } from '@firstline/routing';

/** A ticket as the router tracks it: enough to thread, queue and count capacity. */
export interface TicketRow {
  id: string;
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
}

/**
 * Locks the conversation (creating it on first contact) and returns its latest ticket, locked too.
 * The lock makes the messages of one conversation take turns even while a partition moves
 * between router instances.
 */
export async function lockConversation(
  manager: EntityManager,
  conversationKey: string,
): Promise<TicketRow | undefined> {
  await manager.query(
    `INSERT INTO routing.conversation (conversation_key) VALUES ($1) ON CONFLICT DO NOTHING`,
    [conversationKey],
  );
  const [conversation]: Array<{ latest_ticket_id: string | null }> = await manager.query(
    `SELECT latest_ticket_id FROM routing.conversation WHERE conversation_key = $1 FOR UPDATE`,
    [conversationKey],
  );
  if (!conversation.latest_ticket_id) return undefined;
  const [ticket]: TicketRow[] = await manager.query(
    `SELECT * FROM routing.ticket WHERE id = $1 FOR UPDATE`,
    [conversation.latest_ticket_id],
  );
  return ticket;
}

export function conversationTicket(ticket: TicketRow | undefined): ConversationTicket | undefined {
  if (!ticket) return undefined;
  if (ticket.state === 'resolved' && ticket.resolved_at) {
    return { ticketId: ticket.id, state: 'resolved', resolvedAt: ticket.resolved_at };
  }
  return { ticketId: ticket.id, state: ticket.state === 'closed' ? 'closed' : 'open' };
}

/** Saves a new ticket and makes it the conversation's latest. */
export async function insertTicket(manager: EntityManager, ticket: TicketRow): Promise<void> {
  await manager.query(
    `INSERT INTO routing.ticket (id, conversation_key, customer_id, channel, team_id, skill_ids,
       priority, tags, language, state, resolved_at, assigned_agent_id, queued_at,
       first_response_due_at, resolution_due_at, sla_policy_id, matched_rule_id, rule_set_version,
       previous_ticket_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)`,
    [
      ticket.id,
      ticket.conversation_key,
      ticket.customer_id,
      ticket.channel,
      ticket.team_id,
      ticket.skill_ids,
      ticket.priority,
      ticket.tags,
      ticket.language,
      ticket.state,
      ticket.resolved_at,
      ticket.assigned_agent_id,
      ticket.queued_at,
      ticket.first_response_due_at,
      ticket.resolution_due_at,
      ticket.sla_policy_id,
      ticket.matched_rule_id,
      ticket.rule_set_version,
      ticket.previous_ticket_id,
    ],
  );
  await manager.query(
    `UPDATE routing.conversation SET latest_ticket_id = $2 WHERE conversation_key = $1`,
    [ticket.conversation_key, ticket.id],
  );
}

/** Opens a resolved ticket again with new due times and, maybe, a new assignee. */
export async function reopenTicket(manager: EntityManager, ticket: TicketRow): Promise<void> {
  await manager.query(
    `UPDATE routing.ticket SET state = 'open', resolved_at = NULL, assigned_agent_id = $2,
       queued_at = $3, first_response_due_at = $4, resolution_due_at = $5, sla_policy_id = $6
     WHERE id = $1`,
    [
      ticket.id,
      ticket.assigned_agent_id,
      ticket.queued_at,
      ticket.first_response_due_at,
      ticket.resolution_due_at,
      ticket.sla_policy_id,
    ],
  );
}

/** The 1-based place a queued ticket has in its team's queue. */
export async function queuePosition(manager: EntityManager, ticket: TicketRow): Promise<number> {
  const [{ ahead }]: Array<{ ahead: number }> = await manager.query(
    `SELECT count(*)::int AS ahead FROM routing.ticket
      WHERE state = 'open' AND assigned_agent_id IS NULL AND team_id = $1 AND id <> $2
        AND (priority > $3 OR (priority = $3 AND
             coalesce(first_response_due_at, 'infinity') <= coalesce($4::timestamptz, 'infinity')))`,
    [ticket.team_id, ticket.id, ticket.priority, ticket.first_response_due_at],
  );
  return ahead + 1;
}
