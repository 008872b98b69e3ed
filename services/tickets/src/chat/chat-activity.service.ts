import { randomUUID } from 'node:crypto';
import {
  ConflictException,
  Inject,
  Injectable,
  UnprocessableEntityException,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { MESSAGE_BUS, topicRecord, type MessageBus } from '@firstline/bus';
import { agentReadActivity, typingActivity } from '@firstline/chat';
import { Channel, TOPICS, type ChatActivity } from '@firstline/contracts';
import { firstName } from '@firstline/ticketing';
import type { SignedInAgent } from '../auth/auth.service';
import { TicketAccess } from '../api/ticket-access';
import type { Ticket } from '../tickets/ticket';

/**
 * The agent's side of a live chat between messages: typing, and how far they have read. Both go
 * straight onto support.chat-activity.v1 for the chat service, with no ticket event and no outbox:
 * they are worth nothing a few seconds later, and the next one makes a lost one good.
 */
@Injectable()
export class ChatActivityService {
  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly access: TicketAccess,
    private readonly dataSource: DataSource,
  ) {}

  async typing(ticketId: string, agent: SignedInAgent): Promise<void> {
    const ticket = liveChat(await this.access.read(ticketId, agent));
    await this.publish(
      typingActivity({
        activityId: randomUUID(),
        conversationKey: ticket.conversationKey,
        ticketId: ticket.id,
        byVisitor: false,
        displayName: firstName(agent.name),
        at: new Date(),
      }),
    );
  }

  /** `messageId`: the visitor's latest message the agent has seen, one of this ticket's. */
  async read(ticketId: string, agent: SignedInAgent, messageId: string): Promise<void> {
    const ticket = liveChat(await this.access.read(ticketId, agent));
    const found = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM tickets.message WHERE id = $1 AND ticket_id = $2 AND direction = 'in'`,
      [messageId, ticket.id],
    );
    if (found.length === 0) {
      throw new UnprocessableEntityException(
        `Ticket ${ticket.number} has no message ${messageId} from the visitor`,
      );
    }
    await this.publish(
      agentReadActivity({
        activityId: randomUUID(),
        ticketId: ticket.id,
        messageId,
        at: new Date(),
      }),
    );
  }

  private publish(activity: ChatActivity): Promise<void> {
    return this.bus.publish([
      topicRecord(TOPICS.chatActivity, activity, { messageId: activity.activityId }),
    ]);
  }
}

function liveChat(ticket: Ticket): Ticket {
  if (ticket.channel !== Channel.CHAT) {
    throw new ConflictException(`Ticket ${ticket.number} is not a live chat`);
  }
  return ticket;
}
