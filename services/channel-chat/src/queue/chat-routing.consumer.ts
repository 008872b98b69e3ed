import { Injectable } from '@nestjs/common';
import { Consume, type Received } from '@firstline/bus';
import { waitInLine, type WaitInLine } from '@firstline/channel-kit';
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
    // The batch's latest decision for each visitor is where their chat stands.
    const waits = new Map<string, WaitInLine>();
    for (const { message: decision } of messages) {
      const visitorId = visitorOfConversation(decision.conversationKey);
      const wait = visitorId && decision.ticketId ? waitInLine(decision) : undefined;
      if (visitorId && wait) waits.set(visitorId, wait);
    }
    for (const visitorId of await this.store.recordWaits(waits)) {
      this.listeners.queueMoved(visitorId);
    }
  }
}
