import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { IdentityKind, type Identity } from '@firstline/contracts';

export interface CustomerRow {
  id: string;
  tier: string;
  tags: string[];
  last_agent_id: string | null;
}

/**
 * The customer an identity belongs to, created on first contact. A web-form email nobody proved
 * to own links to the customer of that verified email address when there is one, but never
 * becomes that address itself: a verified email is not merged into a typed-in one.
 */
export async function resolveCustomer(
  manager: EntityManager,
  sender: Identity,
): Promise<CustomerRow> {
  const value = isEmail(sender.kind) ? sender.value.trim().toLowerCase() : sender.value.trim();
  const lookups: Array<[IdentityKind, string]> =
    sender.kind === IdentityKind.WEBFORM_EMAIL
      ? [
          [IdentityKind.EMAIL, value],
          [IdentityKind.WEBFORM_EMAIL, value],
        ]
      : [[sender.kind, value]];
  for (const [kind, lookupValue] of lookups) {
    const found = await findCustomer(manager, kind, lookupValue);
    if (found) return found;
  }
  // Another instance may claim the same identity at the same moment: whoever inserts it first
  // creates the customer, the other waits for that commit and then finds it.
  const claimed: unknown[] = await manager.query(
    `INSERT INTO routing.customer_identity (kind, value, customer_id) VALUES ($1, $2, $3)
     ON CONFLICT DO NOTHING RETURNING customer_id`,
    [sender.kind, value, randomUUID()],
  );
  if (claimed.length === 0) {
    const winner = await findCustomer(manager, sender.kind, value);
    if (!winner) throw new Error(`identity ${sender.kind}:${value} claimed but has no customer`);
    return winner;
  }
  const [{ customer_id: id }] = claimed as Array<{ customer_id: string }>;
  await manager.query(`INSERT INTO routing.customer (id) VALUES ($1)`, [id]);
  return { id, tier: '', tags: [], last_agent_id: null };
}

function isEmail(kind: IdentityKind): boolean {
  return kind === IdentityKind.EMAIL || kind === IdentityKind.WEBFORM_EMAIL;
}

async function findCustomer(
  manager: EntityManager,
  kind: IdentityKind,
  value: string,
): Promise<CustomerRow | undefined> {
  const rows: CustomerRow[] = await manager.query(
    `SELECT c.id, c.tier, c.tags, c.last_agent_id
       FROM routing.customer_identity i JOIN routing.customer c ON c.id = i.customer_id
      WHERE i.kind = $1 AND i.value = $2`,
    [kind, value],
  );
  return rows[0];
}
