import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  TicketDisposition,
  timestampDate,
  TOPICS,
  type RoutingDecision,
} from '@firstline/contracts';
import { waitInLine } from '@firstline/channel-kit';
import { lockConversations } from './conversation-locks';
import { statusTokenOf } from './records';

/**
 * Learns from the router which ticket each submission went to, its number and when the first
 * answer is due: what the widget's confirmation and the status page show. Upserts only, so a
 * redelivered decision changes nothing.
 */
@Injectable()
export class RoutingProjection {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.routing })
  async handle(messages: Array<Received<RoutingDecision>>): Promise<void> {
    const decisions = messages
      .map(({ message }) => message)
      .filter((decision) => statusTokenOf(decision.conversationKey) && decision.ticketId);
    if (decisions.length === 0) return;
    await this.dataSource.transaction(async (manager) => {
      const tokens = decisions.map((decision) => statusTokenOf(decision.conversationKey)!);
      const ours = await lockConversations(manager, tokens);
      for (const decision of decisions) {
        const token = statusTokenOf(decision.conversationKey)!;
        if (ours.has(token)) await apply(manager, token, decision);
      }
    });
  }
}

async function apply(
  manager: EntityManager,
  token: string,
  decision: RoutingDecision,
): Promise<void> {
  const due = decision.firstResponseDueAt ?? decision.automaticReply?.expectedAnswerAt;
  const decidedAt = decision.decidedAt ? timestampDate(decision.decidedAt) : new Date();
  const wait = waitInLine(decision);
  await manager.query(
    `INSERT INTO channel_webform.ticket
       (ticket_id, status_token, ticket_number, agent_id, first_response_due_at, updated_at,
        queue_position, promised_answer_at)
     VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6, COALESCE($7, 0), $8)
     ON CONFLICT (ticket_id) DO UPDATE SET
       ticket_number = COALESCE(channel_webform.ticket.ticket_number, EXCLUDED.ticket_number),
       agent_id = COALESCE(EXCLUDED.agent_id, channel_webform.ticket.agent_id),
       first_response_due_at = COALESCE(EXCLUDED.first_response_due_at, channel_webform.ticket.first_response_due_at),
       updated_at = GREATEST(channel_webform.ticket.updated_at, EXCLUDED.updated_at),
       queue_position = COALESCE($7, channel_webform.ticket.queue_position),
       promised_answer_at = COALESCE($8, channel_webform.ticket.promised_answer_at)`,
    [
      decision.ticketId,
      token,
      decision.ticketNumber,
      decision.assignedAgentId ?? null,
      due ? timestampDate(due) : null,
      decidedAt,
      wait?.position ?? null,
      wait?.promisedAt ?? null,
    ],
  );
  await manager.query(
    `UPDATE channel_webform.conversation SET ticket_id = $2
     WHERE status_token = $1 AND (ticket_id IS NULL OR $3)`,
    // A follow-up ticket (the old one was closed) becomes the one the status page shows.
    [token, decision.ticketId, decision.disposition === TicketDisposition.FOLLOW_UP],
  );
  if (decision.inboundMessageId) {
    await manager.query(
      `UPDATE channel_webform.submission SET ticket_id = $2 WHERE message_id = $1 AND ticket_id IS NULL`,
      [decision.inboundMessageId, decision.ticketId],
    );
  }
}
