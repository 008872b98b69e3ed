import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { BadInputError } from '@firstline/errors';
import type { JoinableWrite } from '@firstline/persistence';
import {
  create,
  CustomerEventSchema,
  IdentitySchema,
  timestampFromDate,
  type CustomerEvent,
  type IdentityKind,
  type IdentityProof,
  type InboundMessage,
} from '@firstline/contracts';
import {
  isTypedIdentity,
  issuesLinkToken,
  linkTokenState,
  normaliseIdentity,
  proofApplies,
  provenKindOf,
  resolveSender,
  type CustomerResolution,
  type IdentityKey,
} from '@firstline/routing';

export interface CustomerRow {
  id: string;
  tier: string;
  tags: string[];
  last_agent_id: string | null;
  /** Made for a typed identity nobody has verified yet (docs/adr/0014-identity.md). */
  provisional: boolean;
}

const keyOf = ({ kind, value }: IdentityKey) => `${kind}\u0000${value}`;

const newCustomer = (provisional: boolean): CustomerRow => ({
  id: randomUUID(),
  tier: '',
  tags: [],
  last_agent_id: null,
  provisional,
});

/**
 * The customer of every message's sender, for a whole batch in a fixed number of statements;
 * keyed by message id. Which customer is decided by `resolveSender` (libs/routing): this is its
 * I/O.
 *
 * - A proven identity (a mailbox that wrote, a Telegram or VK user) is its customer's; a new one
 *   creates a customer. Another instance may claim the same identity at the same moment: whoever
 *   inserts it first creates the customer, the other waits for that commit and then finds it.
 * - A typed identity (web-form email or phone) reaches a customer only once its owner verified
 *   it, or through the conversation it continues; otherwise each submission gets a provisional
 *   customer of its own, with the typed identities kept as claims that a proof can verify.
 * - A usable link token (the web status page's, brought to Telegram) moves the proven sender to
 *   the customer it was issued for, and is used up; a token a message hands out is remembered as
 *   `issuesLinkToken` says.
 * - Proven identities beside the sender (a shared own phone number) join their customer unless
 *   someone already has them; typed ones become claims.
 */
export async function resolveCustomers(
  manager: EntityManager,
  messages: InboundMessage[],
  now: Date,
  linkTokenTtlMs: number,
): Promise<Map<string, CustomerRow>> {
  const senders = new Map(
    messages.map((message) => [message.messageId, normaliseIdentity(message.sender!)]),
  );
  const typedIn = messages.filter((message) =>
    isTypedIdentity(senders.get(message.messageId)!.kind),
  );
  const known = await findCustomers(manager, [...senders.values()]);
  const ofConversation = await conversationCustomers(
    manager,
    typedIn.map((message) => message.conversationKey),
  );
  const tokens = await lockLinkTokens(
    manager,
    messages.flatMap((message) => (message.linkToken ? [message.linkToken] : [])),
  );

  const customerOf = new Map<string, CustomerRow>();
  const resolved = new Map<string, CustomerResolution['kind']>();
  const minted = new Map<string, { identity: IdentityKey; customerId: string }>();
  const provisional: CustomerRow[] = [];
  const relinked: Array<{ identity: IdentityKey; customerId: string }> = [];
  const used: string[] = [];
  for (const message of messages) {
    const sender = senders.get(message.messageId)!;
    const token = message.linkToken ? tokens.get(message.linkToken) : undefined;
    const rows = new Map<string, CustomerRow>();
    for (const row of [known.get(keyOf(sender)), ofConversation.get(message.conversationKey)]) {
      if (row) rows.set(row.id, row);
    }
    if (token) rows.set(token.customer.id, token.customer);
    const resolution = resolveSender({
      sender,
      knownCustomerId: known.get(keyOf(sender))?.id,
      conversationCustomerId: ofConversation.get(message.conversationKey)?.id,
      linkToken: token && {
        customerId: token.customer.id,
        state: linkTokenState(token, now, linkTokenTtlMs),
      },
    });
    let customer: CustomerRow;
    if (resolution.kind === 'linked') {
      customer = rows.get(resolution.customerId)!;
      if (known.get(keyOf(sender))?.id !== customer.id) {
        relinked.push({ identity: sender, customerId: customer.id });
      }
      token!.usedAt = now;
      used.push(message.linkToken!);
      known.set(keyOf(sender), customer);
    } else if (resolution.kind === 'known') {
      customer = rows.get(resolution.customerId)!;
    } else if (resolution.kind === 'provisional') {
      // A follow-up later in the batch finds it through its conversation.
      customer = newCustomer(true);
      provisional.push(customer);
      ofConversation.set(message.conversationKey, customer);
    } else {
      // The same new identity twice in a batch is one new customer.
      customer = newCustomer(false);
      minted.set(keyOf(sender), { identity: sender, customerId: customer.id });
      known.set(keyOf(sender), customer);
    }
    customerOf.set(message.messageId, customer);
    resolved.set(message.messageId, resolution.kind);
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
  if (provisional.length > 0) {
    await manager.query(
      `INSERT INTO routing.customer (id, provisional) SELECT unnest($1::text[]), true`,
      [provisional.map((customer) => customer.id)],
    );
  }
  await insertIdentities(manager, relinked, 'move');
  if (used.length > 0) {
    await manager.query(`UPDATE routing.link_token SET used_at = $2 WHERE token = ANY($1)`, [
      used,
      now,
    ]);
  }
  const besideSenders = (pick: (message: InboundMessage) => InboundMessage['sharedIdentities']) =>
    messages.flatMap((message) =>
      pick(message).map((identity) => ({
        identity: normaliseIdentity(identity),
        customerId: customerOf.get(message.messageId)!.id,
      })),
    );
  await insertIdentities(
    manager,
    besideSenders((message) => message.sharedIdentities).filter(
      ({ identity }) => !isTypedIdentity(identity.kind),
    ),
    'keep',
  );
  await insertClaims(
    manager,
    besideSenders((message) => [message.sender!, ...message.sharedIdentities]).filter(
      ({ identity }) => isTypedIdentity(identity.kind),
    ),
  );
  await rememberLinkTokens(
    manager,
    messages.flatMap((message) =>
      message.issuedLinkToken &&
      issuesLinkToken(senders.get(message.messageId)!.kind, resolved.get(message.messageId)!)
        ? [{ token: message.issuedLinkToken, customerId: customerOf.get(message.messageId)!.id }]
        : [],
    ),
    now,
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
    `SELECT i.kind, i.value, c.id, c.tier, c.tags, c.last_agent_id, c.provisional
       FROM unnest($1::int[], $2::text[]) AS wanted (kind, value)
       JOIN routing.customer_identity i USING (kind, value)
       JOIN routing.customer c ON c.id = i.customer_id`,
    [identities.map((identity) => identity.kind), identities.map((identity) => identity.value)],
  );
  return new Map(
    rows.map(({ kind, value, ...customer }) => [keyOf({ kind, value }), customer as CustomerRow]),
  );
}

/** The customers of conversations that have a ticket already (after a merge, the survivor). */
async function conversationCustomers(
  manager: EntityManager,
  conversationKeys: string[],
): Promise<Map<string, CustomerRow>> {
  if (conversationKeys.length === 0) return new Map();
  const rows: Array<CustomerRow & { conversation_key: string }> = await manager.query(
    `SELECT v.conversation_key, c.id, c.tier, c.tags, c.last_agent_id, c.provisional
       FROM routing.conversation v
       JOIN routing.ticket t ON t.id = v.latest_ticket_id
       JOIN routing.customer c ON c.id = t.customer_id
      WHERE v.conversation_key = ANY($1)`,
    [conversationKeys],
  );
  return new Map(rows.map(({ conversation_key, ...customer }) => [conversation_key, customer]));
}

interface LinkTokenRow {
  customer: CustomerRow;
  issuedAt: Date;
  usedAt: Date | null;
}

/**
 * The link tokens messages brought, with their customers; locked, so that two messages bringing
 * one token on two router instances cannot both use it.
 */
async function lockLinkTokens(
  manager: EntityManager,
  tokens: string[],
): Promise<Map<string, LinkTokenRow>> {
  if (tokens.length === 0) return new Map();
  const rows: Array<CustomerRow & { token: string; issued_at: Date; used_at: Date | null }> =
    await manager.query(
      `SELECT l.token, l.issued_at, l.used_at, c.id, c.tier, c.tags, c.last_agent_id, c.provisional
       FROM routing.link_token l JOIN routing.customer c ON c.id = l.customer_id
      WHERE l.token = ANY($1)
      ORDER BY l.token
        FOR UPDATE OF l`,
      [tokens],
    );
  return new Map(
    rows.map(({ token, issued_at, used_at, ...customer }) => [
      token,
      { customer, issuedAt: issued_at, usedAt: used_at },
    ]),
  );
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

/** Typed identities as the customer's claims, verified when they act on a link sent there. */
async function insertClaims(
  manager: EntityManager,
  claims: Array<{ identity: IdentityKey; customerId: string }>,
): Promise<void> {
  if (claims.length === 0) return;
  await manager.query(
    `INSERT INTO routing.identity_claim (customer_id, kind, value)
     SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) ON CONFLICT DO NOTHING`,
    [
      claims.map(({ customerId }) => customerId),
      claims.map(({ identity }) => identity.kind),
      claims.map(({ identity }) => identity.value),
    ],
  );
}

async function rememberLinkTokens(
  manager: EntityManager,
  tokens: Array<{ token: string; customerId: string }>,
  now: Date,
): Promise<void> {
  if (tokens.length === 0) return;
  await manager.query(
    `INSERT INTO routing.link_token (token, customer_id, issued_at)
     SELECT *, $3::timestamptz FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [tokens.map(({ token }) => token), tokens.map(({ customerId }) => customerId), now],
  );
}

/** Records who served each customer last, for the next assignment's preference. */
export function lastAgentsUpdate(lastAgents: Map<string, string>): JoinableWrite | undefined {
  if (lastAgents.size === 0) return undefined;
  return (first) => ({
    sql: `UPDATE routing.customer c SET last_agent_id = l.agent_id
            FROM unnest($${first}::text[], $${first + 1}::text[]) AS l (customer_id, agent_id)
           WHERE c.id = l.customer_id`,
    parameters: [[...lastAgents.keys()], [...lastAgents.values()]],
  });
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
  await manager.query(
    `WITH moved AS (DELETE FROM routing.identity_claim WHERE customer_id = $2 RETURNING kind, value)
     INSERT INTO routing.identity_claim (customer_id, kind, value)
     SELECT $1, kind, value FROM moved ON CONFLICT DO NOTHING`,
    [survivorId, duplicateId],
  );
  // An agent said they are one person: whatever one of them proved, the survivor has.
  await manager.query(
    `UPDATE routing.customer s SET provisional = s.provisional AND d.provisional
       FROM routing.customer d WHERE s.id = $1 AND d.id = $2`,
    [survivorId, duplicateId],
  );
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

/**
 * A customer proved a typed identity by acting on the link sent to it: the identity becomes
 * theirs, verified, and so does the mailbox it names unless that is someone's already; they are
 * no longer provisional. An identity someone verified before stays theirs: two verified records
 * of one person are the agents' to merge. Returns the event that tells the tickets service.
 */
export async function verifyIdentity(
  manager: EntityManager,
  proof: IdentityProof,
): Promise<CustomerEvent> {
  const proven = normaliseIdentity(proof.identity!);
  const [owner] = await conversationCustomers(manager, [proof.conversationKey]).then((found) => [
    ...found.values(),
  ]);
  if (!owner) {
    throw new BadInputError(
      `identity proof ${proof.proofId}: no customer wrote in ${proof.conversationKey}`,
    );
  }
  const claims: IdentityKey[] = await manager.query(
    `SELECT kind, value FROM routing.identity_claim WHERE customer_id = $1`,
    [owner.id],
  );
  if (!proofApplies(claims, proven)) {
    throw new BadInputError(
      `identity proof ${proof.proofId}: customer ${owner.id} of ${proof.conversationKey} never typed the identity proved`,
    );
  }
  const mailbox = provenKindOf(proven.kind)!;
  await insertIdentities(
    manager,
    [
      { identity: proven, customerId: owner.id },
      { identity: { kind: mailbox, value: proven.value }, customerId: owner.id },
    ],
    'keep',
  );
  await manager.query(`UPDATE routing.customer SET provisional = false WHERE id = $1`, [owner.id]);
  return create(CustomerEventSchema, {
    eventId: `verified:${proof.proofId}`,
    occurredAt: proof.provenAt ?? timestampFromDate(new Date()),
    details: {
      case: 'identityVerified',
      value: {
        customerId: owner.id,
        identity: create(IdentitySchema, { kind: proven.kind, value: proven.value }),
      },
    },
  });
}
