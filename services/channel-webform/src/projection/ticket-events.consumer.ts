import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { TicketStatus, timestampDate, TOPICS, type TicketEvent } from '@firstline/contracts';
import { statusTokenOf } from './records';

/**
 * Follows the web-form tickets' lives for the status page: created (number, due time), status
 * changes (stage) and assignment (whose first name to show). Events of one ticket arrive in order
 * on one partition, and each sets a value rather than adding to one, so a replay converges.
 */
@Injectable()
export class TicketEventsProjection {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.ticketEvents })
  async handle(messages: Array<Received<TicketEvent>>): Promise<void> {
    const events = messages.map(({ message }) => message);
    await this.dataSource.transaction(async (manager) => {
      const created = events.filter(
        (event) =>
          event.details.case === 'created' && statusTokenOf(event.details.value.conversationKey),
      );
      for (const event of created) {
        if (event.details.case !== 'created') continue;
        const token = statusTokenOf(event.details.value.conversationKey)!;
        const due = event.details.value.firstResponseDueAt;
        await manager.query(
          `INSERT INTO channel_webform.ticket
             (ticket_id, status_token, ticket_number, status, first_response_due_at, updated_at)
           SELECT $1, $2, NULLIF($3, ''), 'new', $4, $5
           WHERE EXISTS (SELECT 1 FROM channel_webform.conversation WHERE status_token = $2)
           ON CONFLICT (ticket_id) DO UPDATE SET
             ticket_number = COALESCE(channel_webform.ticket.ticket_number, EXCLUDED.ticket_number),
             status = COALESCE(channel_webform.ticket.status, 'new'),
             first_response_due_at = COALESCE(channel_webform.ticket.first_response_due_at, EXCLUDED.first_response_due_at)`,
          [
            event.ticketId,
            token,
            event.ticketNumber,
            due ? timestampDate(due) : null,
            occurredAt(event),
          ],
        );
        await manager.query(
          `UPDATE channel_webform.conversation SET ticket_id = $2 WHERE status_token = $1 AND ticket_id IS NULL`,
          [token, event.ticketId],
        );
      }
      const known: Array<{ ticket_id: string }> = await manager.query(
        `SELECT ticket_id FROM channel_webform.ticket WHERE ticket_id = ANY($1)`,
        [[...new Set(events.map((event) => event.ticketId))]],
      );
      const ours = new Set(known.map((row) => row.ticket_id));
      for (const event of events) {
        if (!ours.has(event.ticketId)) continue;
        const change = changeOf(event);
        await manager.query(
          `UPDATE channel_webform.ticket SET
             ticket_number = COALESCE(ticket_number, NULLIF($2, '')),
             status = CASE WHEN $3::boolean THEN $4 ELSE status END,
             agent_id = CASE WHEN $5::boolean THEN $6 ELSE agent_id END,
             updated_at = GREATEST(updated_at, $7)
           WHERE ticket_id = $1`,
          [
            event.ticketId,
            event.ticketNumber,
            change.status !== undefined,
            change.status ?? null,
            change.agentId !== undefined,
            change.agentId || null,
            occurredAt(event),
          ],
        );
      }
    });
  }
}

function changeOf(event: TicketEvent): { status?: string; agentId?: string } {
  switch (event.details.case) {
    case 'statusChanged':
      return { status: TicketStatus[event.details.value.toStatus].toLowerCase() };
    case 'assigned':
      return { agentId: event.details.value.agentId };
    default:
      return {};
  }
}

function occurredAt(event: TicketEvent): Date {
  return event.occurredAt ? timestampDate(event.occurredAt) : new Date();
}
