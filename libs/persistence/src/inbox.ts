import type { EntityManager } from 'typeorm';
import { transactionSchema } from './schema';

/**
 * Records that `consumer` has applied `messageId`, in the caller's transaction. True the first
 * time: apply the message's effects in the same transaction. False for a redelivery already
 * applied: skip it. A rolled-back transaction releases the claim, so a retry claims it again.
 */
export async function claimMessage(
  manager: EntityManager,
  consumer: string,
  messageId: string,
): Promise<boolean> {
  const schema = transactionSchema(manager, 'claimMessage');
  const claimed: unknown[] = await manager.query(
    `INSERT INTO "${schema}".processed_message (consumer, message_id) VALUES ($1, $2)
     ON CONFLICT DO NOTHING
     RETURNING message_id`,
    [consumer, messageId],
  );
  return claimed.length === 1;
}

/** `claimMessage` for a batch: returns the ids claimed now, leaving out those applied before. */
export async function claimMessages(
  manager: EntityManager,
  consumer: string,
  messageIds: string[],
): Promise<Set<string>> {
  const schema = transactionSchema(manager, 'claimMessages');
  const claimed: Array<{ message_id: string }> = await manager.query(
    `INSERT INTO "${schema}".processed_message (consumer, message_id)
     SELECT $1, unnest($2::text[])
     ON CONFLICT DO NOTHING
     RETURNING message_id`,
    [consumer, messageIds],
  );
  return new Set(claimed.map((row) => row.message_id));
}
