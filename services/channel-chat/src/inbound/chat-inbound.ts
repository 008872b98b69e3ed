import { Inject, Injectable } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@firstline/bus';
import { InboundPublisher, jsonPayload, RateLimiter } from '@firstline/channel-kit';
import type { Normalised } from '@firstline/channel';
import {
  chatAdapter,
  leftMessage,
  MAX_ATTACHMENTS,
  type ChatFile,
  type ChatSite,
  type ChatVisitorMessage,
  type LeftMessage,
} from '@firstline/chat';
import { CHAT_CONFIG, type ChatConfig } from '../config';
import { ConversationStore } from '../visitors/conversation.store';
import { VisitorListeners } from '../visitors/visitor-listeners';

/** A file as POST /chat/files names it: the hex SHA-256 of its bytes. */
export const DIGEST = /^[0-9a-f]{64}$/;

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
  /** A visitor sending faster than people type is a script: its messages are turned away. */
  private readonly perVisitor: RateLimiter;

  constructor(
    @Inject(MESSAGE_BUS) bus: MessageBus,
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    private readonly store: ConversationStore,
    private readonly listeners: VisitorListeners,
  ) {
    this.publisher = new InboundPublisher({ bus, name: 'chat' });
    this.perVisitor = new RateLimiter(config.messagesPerMinute, 60_000);
  }

  /**
   * `sent` is what the widget sent: its client message id, text, language and the digests of
   * files it uploaded (POST /chat/files). A file is taken only from the visitor's own uploads,
   * never on the widget's word (it could name any stored file).
   */
  async accept(visitorId: string, sent: unknown, pageUrl?: string): Promise<SendAnswer> {
    const { clientMessageId, text, locale, files } = (sent ?? {}) as Partial<
      Record<string, unknown>
    >;
    const tooFast = this.tooFast(visitorId, clientMessageId);
    if (tooFast) return tooFast;
    const uploaded = await this.uploadsNamed(visitorId, files);
    const sentPayload = {
      visitorId,
      clientMessageId,
      text,
      locale,
      pageUrl,
      ...(Array.isArray(uploaded) && uploaded.length > 0 ? { attachments: uploaded } : {}),
    } as ChatVisitorMessage;
    const receivedAt = new Date();
    const normalise = (payload: ChatVisitorMessage): Promise<Normalised> =>
      chatAdapter.normalise(payload, { tokenSecret: this.config.tokenSecret }, receivedAt);
    const raw = (payload: ChatVisitorMessage) =>
      jsonPayload(
        `chat:${visitorId}`,
        `chat:${visitorId}:${String(clientMessageId)}`,
        'chat.VisitorMessage',
        payload,
      );
    // Whether a message is taken does not depend on the pre-chat profile, which the statement
    // storing it reads; the message published is normalised again with the profile.
    const checked: Normalised =
      typeof uploaded === 'string'
        ? { kind: 'rejected', reason: uploaded }
        : await normalise(sentPayload);
    if (checked.kind !== 'message') {
      await this.publisher.publish([{ result: checked, payload: raw(sentPayload) }]);
      return {
        status: 'rejected',
        clientMessageId: String(clientMessageId ?? ''),
        reason: checked.reason,
      };
    }
    const { entry, profile } = await this.store.addVisitorMessage(
      visitorId,
      sentPayload.clientMessageId,
      checked.message.textBody,
      sentPayload.attachments ?? [],
    );
    this.listeners.changed(visitorId, entry);
    if (!entry.delivered) {
      const payload = Object.keys(profile).length > 0 ? { ...sentPayload, profile } : sentPayload;
      const result = payload === sentPayload ? checked : await normalise(payload);
      await this.publisher.publish([{ result, payload: raw(payload) }]);
      await this.store.markDelivered(visitorId, entry.seq);
    }
    return { status: 'delivered', clientMessageId: sentPayload.clientMessageId, seq: entry.seq };
  }

  /**
   * The answer to a message over the visitor's CHAT_MESSAGES_PER_MINUTE, undefined within it.
   * Not published: a flood would only go on through the bus.
   */
  private tooFast(visitorId: string, clientMessageId: unknown): SendAnswer | undefined {
    const decision = this.perVisitor.take(visitorId, Date.now());
    if (decision.allowed) return undefined;
    return {
      status: 'rejected',
      clientMessageId: String(clientMessageId ?? ''),
      reason: `Too many messages: wait ${decision.retryAfterSeconds} s before sending this one again`,
    };
  }

  /** The visitor's own uploads the widget named by digest, or why they cannot be sent. */
  private async uploadsNamed(visitorId: string, digests: unknown): Promise<ChatFile[] | string> {
    if (digests === undefined) return [];
    if (!Array.isArray(digests) || !digests.every((digest) => DIGEST.test(String(digest)))) {
      return 'files must be a list of the digests POST /chat/files answered';
    }
    if (digests.length > MAX_ATTACHMENTS) {
      return `a chat message carries at most ${MAX_ATTACHMENTS} files`;
    }
    const found = await this.store.uploads(visitorId, digests as string[]);
    const missing = digests.filter((_, index) => !found[index]);
    if (missing.length > 0) return `files ${missing.join(', ')} were not uploaded to this chat`;
    return found as ChatFile[];
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
    const tooFast = this.tooFast(visitorId, clientMessageId);
    if (tooFast) return tooFast;
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
