/**
 * The Bot API FAQ's broadcasting limits: about one message per second in a chat and about 30 per
 * second overall; going faster earns 429s. The limiter books a slot per send and says how long to
 * wait for it, so concurrent senders queue up instead of all waking at once.
 *
 * The overall limit is a calendar of slots (one every 1/30 s), not a single "next free" time: a
 * message that must wait a second for its chat books a slot a second ahead and leaves the slots
 * before it to other chats, so one customer's burst of replies does not hold back everyone's.
 */
export class SendRateLimiter {
  /** Slots booked, by number: slot n starts at n × 1000 / globalPerSecond ms. */
  private readonly bookedSlots = new Set<number>();
  private readonly nextChatAt = new Map<string, number>();

  constructor(
    private readonly perChatIntervalMs = 1_000,
    private readonly globalPerSecond = 30,
  ) {}

  /** Books the next slot for a message to `chatId`; returns the milliseconds to wait for it. */
  reserve(chatId: string, now: number): number {
    const earliest = Math.max(now, this.nextChatAt.get(chatId) ?? 0);
    let slot = Math.ceil((earliest * this.globalPerSecond) / 1_000);
    while (this.bookedSlots.has(slot)) slot += 1;
    this.bookedSlots.add(slot);
    const at = (slot * 1_000) / this.globalPerSecond;
    this.nextChatAt.set(chatId, at + this.perChatIntervalMs);
    if (this.nextChatAt.size > 10_000) this.forgetIdleChats(now);
    if (this.bookedSlots.size > 10_000) this.forgetPastSlots(now);
    return at - now;
  }

  private forgetIdleChats(now: number): void {
    for (const [chat, next] of this.nextChatAt) if (next <= now) this.nextChatAt.delete(chat);
  }

  private forgetPastSlots(now: number): void {
    const current = Math.floor((now * this.globalPerSecond) / 1_000);
    for (const slot of this.bookedSlots) if (slot < current) this.bookedSlots.delete(slot);
  }
}
