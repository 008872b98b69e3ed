import { Injectable } from '@nestjs/common';
import { Consume, type Received } from '@firstline/bus';
import { waitInLine } from '@firstline/channel-kit';
import { visitorOfConversation } from '@firstline/chat';
import { TOPICS, type RoutingDecision } from '@firstline/contracts';
import { ConversationStore } from '../visitors/conversation.store';
import { VisitorListeners } from '../visitors/visitor-listeners';

/**
 * Learns from the router where each chat waits and when it is promised an answer, as it is
 * routed and whenever its queue moves (QUEUE_MOVED, docs/adr/0023), and tells the visitor's
 * sockets and long polls on every replica. Other channels' decisions are passed over; a
 * redelivered one changes nothing, so it is told to no one.
 */
@Injectable()
export class ChatRoutingConsumer {
  constructor(
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
  ) {}

  @Consume({ topic: TOPICS.routing })
  async handle(messages: Array<Received<RoutingDecision>>): Promise<void> {
    for (const { message: decision } of messages) {
      const visitorId = visitorOfConversation(decision.conversationKey);
      const wait = visitorId && decision.ticketId ? waitInLine(decision) : undefined;
      if (!visitorId || !wait) continue;
      if (await this.store.recordWait(visitorId, wait)) this.listeners.queueMoved(visitorId);
    }
  }
}
