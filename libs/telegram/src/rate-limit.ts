/**
 * The Bot API FAQ's broadcasting limits: about one message per second in a chat and about 30 per
 * second overall; going faster earns 429s. The limiter books a slot per send and says how long to
 * wait for it, so concurrent senders queue up instead of all waking at once.
 */
export class SendRateLimiter {
  private readonly globalIntervalMs: number;
  private nextGlobalAt = 0;
  private readonly nextChatAt = new Map<string, number>();

  constructor(
    private readonly perChatIntervalMs = 1_000,
    globalPerSecond = 30,
  ) {
    this.globalIntervalMs = 1_000 / globalPerSecond;
  }

  /** Books the next slot for a message to `chatId`; returns the milliseconds to wait for it. */
  reserve(chatId: string, now: number): number {
    const at = Math.max(now, this.nextGlobalAt, this.nextChatAt.get(chatId) ?? 0);
    this.nextGlobalAt = at + this.globalIntervalMs;
    this.nextChatAt.set(chatId, at + this.perChatIntervalMs);
    if (this.nextChatAt.size > 10_000) this.forgetIdleChats(now);
    return at - now;
  }

  private forgetIdleChats(now: number): void {
    for (const [chat, next] of this.nextChatAt) if (next <= now) this.nextChatAt.delete(chat);
  }
}
