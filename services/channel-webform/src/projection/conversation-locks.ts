import type { EntityManager } from 'typeorm';

/**
 * Locks the web-form conversations a batch touches, in the order of their status tokens, and
 * returns those that exist. The routing and ticket-event projections both write a conversation's
 * row and its tickets' rows; each taking its batch's conversations first, in one order, means
 * neither holds a row the other waits for while waiting for one the other holds (a deadlock),
 * whatever order their records came in. `ticketIds` adds the conversations of those tickets.
 */
export async function lockConversations(
  manager: EntityManager,
  statusTokens: string[],
  ticketIds: string[] = [],
): Promise<Set<string>> {
  // FOR NO KEY UPDATE: what the updates take anyway; new submissions (a KEY SHARE) still go in.
  const locked: Array<{ status_token: string }> = await manager.query(
    `SELECT status_token FROM channel_webform.conversation
     WHERE status_token = ANY($1)
        OR status_token IN (SELECT status_token FROM channel_webform.ticket WHERE ticket_id = ANY($2))
     ORDER BY status_token
     FOR NO KEY UPDATE`,
    [statusTokens, ticketIds],
  );
  return new Set(locked.map((row) => row.status_token));
}
