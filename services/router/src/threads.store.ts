import type { EntityManager } from 'typeorm';
import type { JoinableWrite } from '@firstline/persistence';

/**
 * The messages the router knows by id, each with its ticket: what customers sent (routed here)
 * and what we sent them (learned from delivery receipts). An answer naming any of them continues
 * that ticket, whatever its conversation key says.
 */

/** The ticket of each of these message ids that the router knows. */
export async function ticketsOfMessages(
  manager: EntityManager,
  messageIds: string[],
): Promise<Map<string, string>> {
  if (messageIds.length === 0) return new Map();
  const rows: Array<{ message_id: string; ticket_id: string }> = await manager.query(
    `SELECT message_id, ticket_id FROM routing.thread_message WHERE message_id = ANY($1)`,
    [[...new Set(messageIds)]],
  );
  return new Map(rows.map((row) => [row.message_id, row.ticket_id]));
}

/** Remembers messages with their tickets; a message already known keeps its first ticket. */
export function messagesRemembered(
  messages: Array<{ messageId: string; ticketId: string }>,
): JoinableWrite | undefined {
  if (messages.length === 0) return undefined;
  return (first) => ({
    sql: `INSERT INTO routing.thread_message (message_id, ticket_id)
          SELECT * FROM unnest($${first}::text[], $${first + 1}::text[])
          ON CONFLICT (message_id) DO NOTHING`,
    parameters: [
      messages.map((message) => message.messageId),
      messages.map((message) => message.ticketId),
    ],
  });
}

/** The ids of the tickets with these numbers. */
export async function ticketsByNumber(
  manager: EntityManager,
  numbers: string[],
): Promise<Map<string, string>> {
  if (numbers.length === 0) return new Map();
  const rows: Array<{ number: string; id: string }> = await manager.query(
    `SELECT number, id FROM routing.ticket WHERE number = ANY($1)`,
    [[...new Set(numbers)]],
  );
  return new Map(rows.map((row) => [row.number, row.id]));
}
