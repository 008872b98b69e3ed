import type { DeliveredMessage, OutgoingMessage } from '../../src/port';

/** Polls until the condition holds; fails with what it was waiting for. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline)
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A handler that remembers what it was given, batch by batch. */
export function collector() {
  const batches: DeliveredMessage[][] = [];
  const messages: DeliveredMessage[] = [];
  return {
    batches,
    messages,
    handler: async (batch: DeliveredMessage[]) => {
      batches.push(batch);
      messages.push(...batch);
    },
    until: (count: number, timeoutMs?: number) =>
      eventually(
        () => messages.length >= count,
        `${count} records (have ${messages.length})`,
        timeoutMs,
      ),
  };
}

/** The n-th record of a conversation: its value says which, its message id is stable. */
export function sequenced(topic: string, key: string, seq: number): OutgoingMessage {
  return {
    topic,
    key,
    value: Buffer.from(JSON.stringify({ key, seq })),
    headers: { messageId: `${key}:${seq}`, type: 'firstline.test.Sequenced' },
  };
}

export function seqOf(message: DeliveredMessage): number {
  return (JSON.parse(message.value.toString('utf8')) as { seq: number }).seq;
}
