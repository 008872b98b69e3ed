import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Consume, MESSAGE_BUS, topicRecord, type MessageBus, type Received } from '@firstline/bus';
import {
  conversationKey,
  readMessage,
  readReceipt,
  TYPING_REPEAT_SECONDS,
  typingActivity,
  typingUntil,
  visitorOfConversation,
} from '@firstline/chat';
import { TOPICS, type ChatActivity } from '@firstline/contracts';
import { ConversationStore } from '../visitors/conversation.store';
import { VisitorCues } from '../visitors/visitor-cues';

/**
 * Typing and read marks between the widget and the agents' console (docs/adr/0019-live-chat.md),
 * on support.chat-activity.v1 and, for replies the visitor saw, as READ delivery receipts.
 * Every replica reads every activity record, for the visitors connected to it; the agent's read
 * mark is also stored (by each replica: the mark only ever rises, so the repeats are harmless).
 */
@Injectable()
export class ChatActivityRelay {
  /** When each visitor's typing last went out: a widget repeating faster is not passed on. */
  private readonly lastTyping = new Map<string, number>();

  constructor(
    @Inject(MESSAGE_BUS) private readonly bus: MessageBus,
    private readonly store: ConversationStore,
    private readonly cues: VisitorCues,
  ) {}

  @Consume({ topic: TOPICS.chatActivity, everyReplica: true })
  async handle(messages: Array<Received<ChatActivity>>): Promise<void> {
    const now = new Date();
    for (const { message: activity } of messages) {
      const visitorId = visitorOfConversation(activity.conversationKey);
      if (!visitorId) continue;
      const details = activity.details;
      if (details.case === 'typing' && !details.value.byVisitor) {
        const until = typingUntil(activity, now);
        if (until) {
          this.cues.tell(visitorId, {
            type: 'typing',
            author: details.value.displayName,
            until: until.toISOString(),
          });
        }
      } else if (details.case === 'agentRead') {
        const read = readMessage(details.value.messageId);
        if (read?.visitorId !== visitorId) continue;
        const agentRead = await this.store.markAgentRead(visitorId, read.clientMessageId);
        if (agentRead !== undefined) this.cues.tell(visitorId, { type: 'read', agentRead });
      }
    }
  }

  /** The visitor is typing; told to the agents at most every TYPING_REPEAT_SECONDS. */
  async visitorTyping(visitorId: string): Promise<void> {
    const now = Date.now();
    // A little slack: a widget on schedule must not lose every other repeat to timer jitter.
    if (now - (this.lastTyping.get(visitorId) ?? 0) < TYPING_REPEAT_SECONDS * 1000 - 500) return;
    this.lastTyping.set(visitorId, now);
    if (this.lastTyping.size > 1000) {
      for (const [visitor, at] of this.lastTyping) {
        if (now - at >= TYPING_REPEAT_SECONDS * 1000) this.lastTyping.delete(visitor);
      }
    }
    const activity = typingActivity({
      activityId: randomUUID(),
      conversationKey: conversationKey(visitorId),
      byVisitor: true,
      at: new Date(now),
    });
    await this.bus.publish([
      topicRecord(TOPICS.chatActivity, activity, { messageId: activity.activityId }),
    ]);
  }

  /** The visitor stopped typing (sent, or left): the next keystroke is news again. */
  forgetTyping(visitorId: string): void {
    this.lastTyping.delete(visitorId);
  }

  /** The widget showed the conversation up to `seq` while its page was visible. */
  async visitorRead(visitorId: string, seq: unknown): Promise<void> {
    if (!Number.isSafeInteger(seq) || (seq as number) < 1) return;
    await this.store.markVisitorRead(visitorId, seq as number, async (replies) => {
      const at = new Date();
      await this.bus.publish(
        replies.map((reply) => {
          const receipt = readReceipt(reply, at);
          return topicRecord(TOPICS.deliveryReceipts, receipt, { messageId: receipt.receiptId });
        }),
      );
    });
  }
}
