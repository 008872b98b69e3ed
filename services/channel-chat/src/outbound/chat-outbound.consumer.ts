import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { OUTBOUND_RETRY, OutboundDelivery } from '@firstline/channel-kit';
import { chatAdapter, conversationKey, type ChatReply } from '@firstline/chat';
import { Channel, TOPICS, type OutboundMessage } from '@firstline/contracts';
import { OutboxRelay } from '@firstline/persistence';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ConversationStore } from '../visitors/conversation.store';
import { VisitorListeners } from '../visitors/visitor-listeners';

/**
 * Agents' replies and Firstline's own messages to visitors. Sending is storing the reply in the
 * visitor's conversation, then telling the visitor's open sockets and long polls: a visitor who is
 * offline reads it on reconnecting. The SENT receipt therefore means "in the conversation", not
 * "seen".
 */
@Injectable()
export class ChatOutbound {
  private readonly delivery: OutboundDelivery<ChatReply>;

  constructor(
    dataSource: DataSource,
    relay: OutboxRelay,
    @Inject(CHAT_CONFIG) config: ChatConfig,
    store: ConversationStore,
    listeners: VisitorListeners,
  ) {
    this.delivery = new OutboundDelivery({
      channel: Channel.CHAT,
      dataSource,
      relay,
      render: (message) => chatAdapter.render(message, { tokenSecret: config.tokenSecret }),
      send: async (reply) => {
        const entry = await store.addReply(reply);
        listeners.changed(reply.visitorId, entry);
        return { channelMessageId: `${conversationKey(reply.visitorId)}#${entry.seq}` };
      },
      classifyError: chatAdapter.classifyError,
      sendIsIdempotent: true,
    });
  }

  @Consume({ topic: TOPICS.outboundChat, retry: OUTBOUND_RETRY })
  handle(messages: Array<Received<OutboundMessage>>): Promise<void> {
    return this.delivery.handle(messages);
  }
}
