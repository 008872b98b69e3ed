import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { typingUntil } from '@firstline/chat';
import {
  DeliveryStatus,
  TOPICS,
  type ChatActivity,
  type DeliveryReceipt,
} from '@firstline/contracts';
import { mayWorkOn } from '../api/ticket-access';
import { LiveGateway } from '../live/live.gateway';
import { TicketTeams } from '../live/ticket-teams';
import { DELIVERY_STATUS_NAMES } from '../tickets/delivery-receipt.consumer';

/**
 * Live-chat news for the agents connected to this replica (every replica reads every record): a
 * visitor typing, and what became of replies — a live chat's visitor reading one above all. Both
 * are pushes only: the receipt's status is stored by DeliveryReceiptConsumer, and typing is
 * never stored. Best effort, like the other live updates: a push that fails is logged.
 */
@Injectable()
export class ChatLiveConsumer {
  private readonly logger = new Logger(ChatLiveConsumer.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly dataSource: DataSource,
    private readonly gateway: LiveGateway,
    private readonly teams: TicketTeams,
  ) {}

  @Consume({ topic: TOPICS.chatActivity, everyReplica: true, retry: { attempts: 1 } })
  async activity(messages: Array<Received<ChatActivity>>): Promise<void> {
    if (this.gateway.connected === 0) return;
    const now = new Date();
    const typing = messages.flatMap(({ message }) => {
      const until = typingUntil(message, now);
      return until && message.details.case === 'typing' && message.details.value.byVisitor
        ? [{ conversationKey: message.conversationKey, until }]
        : [];
    });
    if (typing.length === 0) return;
    await this.pushSafely(async () => {
      const tickets = await this.dataSource.query<
        Array<{ id: string; team_id: string; conversation_key: string }>
      >(
        `SELECT DISTINCT ON (conversation_key) id, team_id, conversation_key FROM tickets.ticket
         WHERE conversation_key = ANY($1::text[]) ORDER BY conversation_key, created_at DESC`,
        [[...new Set(typing.map((cue) => cue.conversationKey))]],
      );
      const ticketOf = new Map(tickets.map((ticket) => [ticket.conversation_key, ticket]));
      for (const cue of typing) {
        const ticket = ticketOf.get(cue.conversationKey);
        if (!ticket) continue;
        this.gateway.push(
          { type: 'chat-typing', ticketId: ticket.id, until: cue.until.toISOString() },
          (agent) => mayWorkOn(agent, { teamId: ticket.team_id }),
        );
      }
    });
  }

  @Consume({ topic: TOPICS.deliveryReceipts, everyReplica: true, retry: { attempts: 1 } })
  async receipts(messages: Array<Received<DeliveryReceipt>>): Promise<void> {
    if (this.gateway.connected === 0) return;
    const receipts = messages
      .filter(({ record }) => Date.parse(record.headers.producedAt) >= this.startedAt)
      .map(({ message }) => message)
      .filter((receipt) => DELIVERY_STATUS_NAMES[receipt.status] && receipt.ticketId);
    if (receipts.length === 0) return;
    await this.pushSafely(async () => {
      // Mostly known from the ticket's events: a reply's receipt follows its MessageAdded.
      const teamOf = await this.teams.of(receipts.map((receipt) => receipt.ticketId));
      for (const receipt of receipts) {
        const teamId = teamOf.get(receipt.ticketId);
        if (!teamId) continue;
        this.gateway.push(
          {
            type: 'delivery',
            ticketId: receipt.ticketId,
            messageId: receipt.outboundId,
            status: DELIVERY_STATUS_NAMES[receipt.status],
            reason: receipt.status === DeliveryStatus.FAILED ? receipt.reason : null,
          },
          (agent) => mayWorkOn(agent, { teamId }),
        );
      }
    });
  }

  private async pushSafely(push: () => Promise<void>): Promise<void> {
    try {
      await push();
    } catch (error) {
      this.logger.warn(`A live-chat push failed: ${String(error)}`);
    }
  }
}
