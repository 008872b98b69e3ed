import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { IdentityKind, type Identity, type InboundMessage } from '@firstline/contracts';

export interface CustomerRow {
  id: string;
  tier: string;
  tags: string[];
  last_agent_id: string | null;
}

/** An identity as stored: emails lower-cased, everything trimmed. */
interface IdentityKey {
  kind: IdentityKind;
  value: string;
}

const keyOf = ({ kind, value }: IdentityKey) => `${kind}\u0000${value}`;

function normalise(identity: Identity): IdentityKey {
  const value = identity.value.trim();
  return { kind: identity.kind, value: isEmail(identity.kind) ? value.toLowerCase() : value };
}

function isEmail(kind: IdentityKind): boolean {
  return kind === IdentityKind.EMAIL || kind === IdentityKind.WEBFORM_EMAIL;
}

/** Where to look a sender up, in order: a typed-in email is first sought as a verified one. */
function lookupsOf(sender: IdentityKey): IdentityKey[] {
  return sender.kind === IdentityKind.WEBFORM_EMAIL
    ? [{ kind: IdentityKind.EMAIL, value: sender.value }, sender]
    : [sender];
}

/**
 * The customer of every message's sender, for a whole batch in a fixed number of statements;
 * keyed by message id.
 *
 * - A known identity is its customer's. A web-form email nobody proved to own links to the
 *   customer of that verified address, but a verified address never joins a typed-in one.
 * - A link token (say, the web status page's "continue in Telegram" link) names the customer it
 *   was issued to: the sender's identity becomes theirs, since bringing the token proves it.
 * - An unknown identity creates a customer. Another instance may claim the same identity at the
 *   same moment: whoever inserts it first creates the customer, the other waits for that commit
 *   and then finds it.
 * - Identities the sender proved beside the sender (a shared own phone number) join their customer
 *   unless someone already has them; tokens this message issued are remembered as theirs.
 */
export async function resolveCustomers(
  manager: EntityManager,
  messages: InboundMessage[],
): Promise<Map<string, CustomerRow>> {
  const senders = new Map(
    messages.map((message) => [message.messageId, normalise(message.sender!)]),
  );
  const known = await findCustomers(manager, [...senders.values()].flatMap(lookupsOf));
  const linked = await linkTokenOwners(
    manager,
    messages.flatMap((message) => (message.linkToken ? [message.linkToken] : [])),
  );

  const customerOf = new Map<string, CustomerRow>();
  const minted = new Map<string, { identity: IdentityKey; customerId: string }>();
  const relinked: Array<{ identity: IdentityKey; customerId: string }> = [];
  for (const message of messages) {
    const sender = senders.get(message.messageId)!;
    const owner = message.linkToken ? linked.get(message.linkToken) : undefined;
    const found = lookupsOf(sender)
      .map((lookup) => known.get(keyOf(lookup)))
      .find(Boolean);
    if (owner) {
      if (found?.id !== owner.id) relinked.push({ identity: sender, customerId: owner.id });
      known.set(keyOf(sender), owner);
      customerOf.set(message.messageId, owner);
    } else if (found) {
      customerOf.set(message.messageId, found);
    } else {
      // The same new identity twice in a batch is one new customer.
      const customer: CustomerRow = { id: randomUUID(), tier: '', tags: [], last_agent_id: null };
      minted.set(keyOf(sender), { identity: sender, customerId: customer.id });
      known.set(keyOf(sender), customer);
      customerOf.set(message.messageId, customer);
    }
  }

  if (minted.size > 0) {
    const lost = await claimIdentities(manager, [...minted.values()]);
    if (lost.length > 0) {
      const winners = await findCustomers(manager, lost);
      for (const message of messages) {
        const winner = winners.get(keyOf(senders.get(message.messageId)!));
        if (winner) customerOf.set(message.messageId, winner);
      }
    }
  }
  await insertIdentities(manager, relinked, 'move');
  await insertIdentities(
    manager,
    messages.flatMap((message) =>
      message.sharedIdentities.map((identity) => ({
        identity: normalise(identity),
        customerId: customerOf.get(message.messageId)!.id,
      })),
    ),
    'keep',
  );
  await rememberLinkTokens(
    manager,
    messages.flatMap((message) =>
      message.issuedLinkToken
        ? [{ token: message.issuedLinkToken, customerId: customerOf.get(message.messageId)!.id }]
        : [],
    ),
  );
  return customerOf;
}

/** Customers by identity key (after a merge, the duplicate's identities name the survivor). */
async function findCustomers(
  manager: EntityManager,
  identities: IdentityKey[],
): Promise<Map<string, CustomerRow>> {
  if (identities.length === 0) return new Map();
  const rows: Array<CustomerRow & { kind: IdentityKind; value: string }> = await manager.query(
    `SELECT i.kind, i.value, c.id, c.tier, c.tags, c.last_agent_id
       FROM unnest($1::int[], $2::text[]) AS wanted (kind, value)
       JOIN routing.customer_identity i USING (kind, value)
       JOIN routing.customer c ON c.id = i.customer_id`,
    [identities.map((identity) => identity.kind), identities.map((identity) => identity.value)],
  );
  return new Map(
    rows.map(({ kind, value, ...customer }) => [keyOf({ kind, value }), customer as CustomerRow]),
  );
}

async function linkTokenOwners(
  manager: EntityManager,
  tokens: string[],
): Promise<Map<string, CustomerRow>> {
  if (tokens.length === 0) return new Map();
  const rows: Array<CustomerRow & { token: string }> = await manager.query(
    `SELECT l.token, c.id, c.tier, c.tags, c.last_agent_id
       FROM routing.link_token l JOIN routing.customer c ON c.id = l.customer_id
      WHERE l.token = ANY($1)`,
    [tokens],
  );
  return new Map(rows.map(({ token, ...customer }) => [token, customer as CustomerRow]));
}

/**
 * Inserts new identities with their new customers; returns the identities another transaction
 * claimed first. Rows go in key order so that concurrent batches lock them in one order.
 */
async function claimIdentities(
  manager: EntityManager,
  claims: Array<{ identity: IdentityKey; customerId: string }>,
): Promise<IdentityKey[]> {
  const sorted = [...claims].sort((a, b) => keyOf(a.identity).localeCompare(keyOf(b.identity)));
  const won: Array<{ customer_id: string }> = await manager.query(
    `INSERT INTO routing.customer_identity (kind, value, customer_id)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[])
     ON CONFLICT DO NOTHING RETURNING customer_id`,
    [
      sorted.map(({ identity }) => identity.kind),
      sorted.map(({ identity }) => identity.value),
      sorted.map(({ customerId }) => customerId),
    ],
  );
  const winners = new Set(won.map((row) => row.customer_id));
  await manager.query(`INSERT INTO routing.customer (id) SELECT unnest($1::text[])`, [
    [...winners],
  ]);
  return sorted
    .filter(({ customerId }) => !winners.has(customerId))
    .map(({ identity }) => identity);
}

/**
 * Gives identities to customers. `move`: an identity someone else has becomes this customer's
 * (the sender proved it with a link token); otherwise whoever has it keeps it.
 */
async function insertIdentities(
  manager: EntityManager,
  identities: Array<{ identity: IdentityKey; customerId: string }>,
  onConflict: 'keep' | 'move',
): Promise<void> {
  if (identities.length === 0) return;
  await manager.query(
    `INSERT INTO routing.customer_identity (kind, value, customer_id)
     SELECT * FROM unnest($1::int[], $2::text[], $3::text[])
     ON CONFLICT (kind, value) ${
       onConflict === 'move' ? 'DO UPDATE SET customer_id = excluded.customer_id' : 'DO NOTHING'
     }`,
    [
      identities.map(({ identity }) => identity.kind),
      identities.map(({ identity }) => identity.value),
      identities.map(({ customerId }) => customerId),
    ],
  );
}

async function rememberLinkTokens(
  manager: EntityManager,
  tokens: Array<{ token: string; customerId: string }>,
): Promise<void> {
  if (tokens.length === 0) return;
  await manager.query(
    `INSERT INTO routing.link_token (token, customer_id)
     SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [tokens.map(({ token }) => token), tokens.map(({ customerId }) => customerId)],
  );
}

/** Records who served each customer last, for the next assignment's preference. */
export async function saveLastAgents(
  manager: EntityManager,
  lastAgents: Map<string, string>,
): Promise<void> {
  if (lastAgents.size === 0) return;
  await manager.query(
    `UPDATE routing.customer c SET last_agent_id = l.agent_id
       FROM unnest($1::text[], $2::text[]) AS l (customer_id, agent_id)
      WHERE c.id = l.customer_id`,
    [[...lastAgents.keys()], [...lastAgents.values()]],
  );
}

/**
 * An agent merged a duplicate customer into a survivor: the duplicate's identities, link tokens
 * and tickets become the survivor's, so every later message of theirs reaches the survivor.
 */
export async function mergeCustomers(
  manager: EntityManager,
  survivorId: string,
  duplicateId: string,
): Promise<void> {
  await manager.query(`INSERT INTO routing.customer (id) VALUES ($1) ON CONFLICT DO NOTHING`, [
    survivorId,
  ]);
  await manager.query(
    `UPDATE routing.customer_identity SET customer_id = $1 WHERE customer_id = $2`,
    [survivorId, duplicateId],
  );
  await manager.query(`UPDATE routing.link_token SET customer_id = $1 WHERE customer_id = $2`, [
    survivorId,
    duplicateId,
  ]);
  await manager.query(`UPDATE routing.ticket SET customer_id = $1 WHERE customer_id = $2`, [
    survivorId,
    duplicateId,
  ]);
  await manager.query(`UPDATE routing.customer SET merged_into = $1 WHERE id = $2`, [
    survivorId,
    duplicateId,
  ]);
}

/** The customer's tier and tags as an agent last set them: what rules on customers read. */
export async function saveCustomerProfile(
  manager: EntityManager,
  customerId: string,
  profile: { tier: string; tags: string[] },
): Promise<void> {
  await manager.query(
    `INSERT INTO routing.customer (id, tier, tags) VALUES ($1, $2, $3)
     ON CONFLICT (id) DO UPDATE SET tier = excluded.tier, tags = excluded.tags`,
    [customerId, profile.tier, profile.tags],
  );
}
