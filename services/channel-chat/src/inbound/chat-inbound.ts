import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@firstline/bus';
import { InboundPublisher, jsonPayload } from '@firstline/channel-kit';
import {
  chatAdapter,
  leftMessage,
  type ChatSite,
  type ChatVisitorMessage,
  type LeftMessage,
} from '@firstline/chat';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ConversationStore } from '../visitors/conversation.store';
import { VisitorListeners } from '../visitors/visitor-listeners';

/** What became of a message the widget sent; the widget shows "delivered" only for the first. */
export type SendAnswer =
  | { status: 'delivered'; clientMessageId: string; seq: number }
  | { status: 'rejected'; clientMessageId: string; reason: string };

/**
 * A visitor's message, from the WebSocket or the long-poll fallback: stored in the conversation
 * first (the visitor's other tabs and a reload show it), then published to the router. The
 * answer says delivered only once the broker acknowledged it; until then the widget keeps the
 * message and sends it again under the same client id after reconnecting, which finds the stored
 * one and publishes it again: the same message id, recognised downstream.
 */
@Injectable()
export class ChatInbound {
  private readonly publisher: InboundPublisher;

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
  ) {
    this.publisher = new InboundPublisher({ bus, name: 'chat' });
  }

  /**
   * `sent` is what the widget sent: its client message id, text and language. Files never come
   * from the widget's own words (it could name any stored file); they will come from the
   * service's upload (docs/adr/0019-live-chat.md).
   */
  async accept(visitorId: string, sent: unknown, pageUrl?: string): Promise<SendAnswer> {
    const { clientMessageId, text, locale } = (sent ?? {}) as Partial<Record<string, unknown>>;
    const profile = await this.store.profile(visitorId);
    const payload = {
      visitorId,
      clientMessageId,
      text,
      locale,
      pageUrl,
      ...(Object.keys(profile).length > 0 ? { profile } : {}),
    } as ChatVisitorMessage;
    const result = await chatAdapter.normalise(
      payload,
      { tokenSecret: this.config.tokenSecret },
      new Date(),
    );
    const raw = jsonPayload(
      `chat:${visitorId}`,
      `chat:${visitorId}:${String(clientMessageId)}`,
      'chat.VisitorMessage',
      payload,
    );
    if (result.kind !== 'message') {
      await this.publisher.publish([{ result, payload: raw }]);
      return {
        status: 'rejected',
        clientMessageId: String(clientMessageId ?? ''),
        reason: result.reason,
      };
    }
    const entry = await this.store.addVisitorMessage(
      visitorId,
      payload.clientMessageId,
      result.message.textBody,
    );
    this.listeners.changed(visitorId, entry);
    if (!entry.delivered) {
      await this.publisher.publish([{ result, payload: raw }]);
      await this.store.markDelivered(visitorId, entry.seq);
    }
    return { status: 'delivered', clientMessageId: payload.clientMessageId, seq: entry.seq };
  }

  /**
   * A message left while nobody could chat (the widget's "leave a message" form): published as
   * the email conversation it becomes (libs/chat offline.ts), answered the same way a chat
   * message is. Not stored in the chat: the answer comes by mail.
   */
  async leave(
    visitorId: string,
    sent: unknown,
    site: ChatSite,
    pageUrl?: string,
  ): Promise<SendAnswer> {
    const { clientMessageId, name, email, text, topic, locale } = (sent ?? {}) as Partial<
      Record<string, unknown>
    >;
    const payload = { visitorId, clientMessageId, name, email, text, topic, locale, pageUrl };
    const result = leftMessage(payload as LeftMessage, site, new Date());
    const raw = jsonPayload(
      `chat-left:${visitorId}`,
      `chat-left:${visitorId}:${String(clientMessageId)}`,
      'chat.LeftMessage',
      payload,
    );
    await this.publisher.publish([{ result, payload: raw }]);
    return result.kind === 'message'
      ? { status: 'delivered', clientMessageId: String(clientMessageId), seq: 0 }
      : {
          status: 'rejected',
          clientMessageId: String(clientMessageId ?? ''),
          reason: result.reason,
        };
  }
}
