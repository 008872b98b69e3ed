import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Identity } from '@firstline/contracts';
import { write, type JoinableWrite } from '@firstline/persistence';
import { isTypedIdentity } from '@firstline/routing';

export interface Customer {
  id: string;
  displayName: string;
  tier: string;
  tags: string[];
  mergedInto: string | null;
  /**
   * False for a provisional customer: made for an address typed into a web form that nobody has
   * verified (docs/adr/0014-identity.md). Agents treat what it claims with care, and may merge it.
   */
  verified: boolean;
  identities: Array<{ kind: number; value: string; displayName: string; verified: boolean }>;
}

/** What routing rules read of a customer: a tier ("" for none) and lower-case tags. */
export interface CustomerProfile {
  tier: string;
  tags: string[];
}

/** SQL of customers and their identities on every channel. */
@Injectable()
export class CustomerRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Records the customers the router resolved (named as on first contact) and the identities
   * they wrote through, in one statement. Inserted in id order, so concurrent batches wait on
   * each other in one order and never deadlock.
   */
  async upsertCustomers(
    manager: EntityManager,
    customers: Array<{ id: string; sender: Identity | undefined; provisional: boolean }>,
  ): Promise<void> {
    const sorted = [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    // Whether a customer is provisional is the router's word on first contact; a verification
    // (identity_verified) or a merge changes it later, never a decision.
    const customersInsert: JoinableWrite = (first) => ({
      sql: `INSERT INTO tickets.customer (id, display_name, provisional)
            SELECT * FROM unnest($${first}::text[], $${first + 1}::text[], $${first + 2}::boolean[])
            ON CONFLICT (id) DO NOTHING`,
      parameters: [
        sorted.map((c) => c.id),
        sorted.map((c) => c.sender?.displayName ?? ''),
        sorted.map((c) => c.provisional),
      ],
    });
    const identities = sorted.filter((c) => c.sender?.value);
    // What a provisional customer typed is unverified; what a channel proved (a Telegram account
    // linked to them by a token) is proven all the same. A new customer's row, inserted in the
    // same statement, is there for the identity's foreign key, checked at the statement's end.
    const identitiesInsert: JoinableWrite = (first) => ({
      sql: `INSERT INTO tickets.customer_identity (kind, value, customer_id, display_name, verified)
            SELECT * FROM unnest($${first}::integer[], $${first + 1}::text[], $${first + 2}::text[],
                                 $${first + 3}::text[], $${first + 4}::boolean[])
            ON CONFLICT (customer_id, kind, value) DO NOTHING`,
      parameters: [
        identities.map((c) => c.sender!.kind),
        identities.map((c) => c.sender!.value),
        identities.map((c) => c.id),
        identities.map((c) => c.sender!.displayName),
        identities.map((c) => !c.provisional || !isTypedIdentity(c.sender!.kind)),
      ],
    });
    await write(manager, [customersInsert, identities.length > 0 ? identitiesInsert : undefined]);
  }

  /**
   * The router verified a typed identity of the customer (they acted on the link sent to it):
   * the identity is verified and the customer no longer provisional.
   */
  async markVerified(
    manager: EntityManager,
    customerId: string,
    identity: { kind: number; value: string },
  ): Promise<void> {
    // Merged meanwhile: what the duplicate proved, the survivor has.
    const [{ id }] = await manager.query<Array<{ id: string }>>(
      `WITH RECURSIVE chain (id, merged_into) AS (
         SELECT id, merged_into FROM tickets.customer WHERE id = $1
         UNION ALL
         SELECT c.id, c.merged_into FROM tickets.customer c JOIN chain ON c.id = chain.merged_into)
       SELECT COALESCE((SELECT id FROM chain WHERE merged_into IS NULL), $1) AS id`,
      [customerId],
    );
    await manager.query(
      `INSERT INTO tickets.customer (id, provisional) VALUES ($1, false)
       ON CONFLICT (id) DO UPDATE SET provisional = false`,
      [id],
    );
    await manager.query(
      `INSERT INTO tickets.customer_identity (kind, value, customer_id, verified)
       VALUES ($1, $2, $3, true)
       ON CONFLICT (customer_id, kind, value) DO UPDATE SET verified = true`,
      [identity.kind, identity.value, id],
    );
  }

  async findCustomer(id: string, manager: EntityManager = this.dataSource.manager) {
    const [row] = await manager.query<
      Array<{
        id: string;
        display_name: string;
        tier: string;
        tags: string[];
        merged_into: string | null;
        provisional: boolean;
      }>
    >(
      `SELECT id, display_name, tier, tags, merged_into, provisional
         FROM tickets.customer WHERE id = $1`,
      [id],
    );
    if (!row) return undefined;
    const identities = await manager.query<
      Array<{ kind: number; value: string; display_name: string; verified: boolean }>
    >(
      `SELECT kind, value, display_name, verified FROM tickets.customer_identity
        WHERE customer_id = $1
       ORDER BY kind, value`,
      [id],
    );
    const customer: Customer = {
      id: row.id,
      displayName: row.display_name,
      tier: row.tier,
      tags: row.tags,
      mergedInto: row.merged_into,
      verified: !row.provisional,
      identities: identities.map((identity) => ({
        kind: identity.kind,
        value: identity.value,
        displayName: identity.display_name,
        verified: identity.verified,
      })),
    };
    return customer;
  }

  /**
   * Sets the tier and tags of a customer that was not merged away; false when there is no such
   * customer (none, or merged).
   */
  async setProfile(manager: EntityManager, id: string, profile: CustomerProfile): Promise<boolean> {
    // Merged customers are excluded in the UPDATE itself, so a merge committing meanwhile counts.
    const rows = await manager.query<Array<{ id: string }>>(
      `WITH changed AS (
         UPDATE tickets.customer SET tier = $2, tags = $3
         WHERE id = $1 AND merged_into IS NULL
         RETURNING id)
       SELECT id FROM changed`,
      [id, profile.tier, profile.tags],
    );
    return rows.length === 1;
  }

  /**
   * Gives the duplicate's identities and tags to the survivor and marks the duplicate merged.
   * Returns the survivor's profile after the merge.
   */
  async merge(
    manager: EntityManager,
    survivorId: string,
    duplicateId: string,
  ): Promise<CustomerProfile> {
    // Both may have typed the same address; it stays verified if either had it verified.
    await manager.query(
      `WITH moved AS (
         DELETE FROM tickets.customer_identity WHERE customer_id = $2
         RETURNING kind, value, display_name, verified)
       INSERT INTO tickets.customer_identity (kind, value, customer_id, display_name, verified)
       SELECT kind, value, $1, display_name, verified FROM moved
       ON CONFLICT (customer_id, kind, value)
         DO UPDATE SET verified = tickets.customer_identity.verified OR excluded.verified`,
      [survivorId, duplicateId],
    );
    // An agent said they are one person: whatever one of them proved, the survivor has.
    await manager.query(
      `UPDATE tickets.customer s SET provisional = s.provisional AND d.provisional
         FROM tickets.customer d WHERE s.id = $1 AND d.id = $2`,
      [survivorId, duplicateId],
    );
    const [survivor] = await manager.query<CustomerProfile[]>(
      `WITH merged AS (
         UPDATE tickets.customer SET tags = ARRAY(
           SELECT DISTINCT unnest(tags || (SELECT tags FROM tickets.customer WHERE id = $2)))
         WHERE id = $1
         RETURNING tier, tags)
       SELECT tier, tags FROM merged`,
      [survivorId, duplicateId],
    );
    await manager.query(`UPDATE tickets.customer SET merged_into = $1 WHERE id = $2`, [
      survivorId,
      duplicateId,
    ]);
    return survivor;
  }

  /**
   * Customers not merged away whose name or one of whose addresses contains the text (case
   * aside), with how many tickets each has: what a supervisor picks a duplicate from.
   */
  async searchCustomers(
    text: string,
    limit: number,
  ): Promise<
    Array<{
      id: string;
      displayName: string;
      verified: boolean;
      identities: string[];
      tickets: number;
    }>
  > {
    const pattern = `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const rows = await this.dataSource.query<
      Array<{
        id: string;
        display_name: string;
        provisional: boolean;
        identities: string[];
        tickets: number;
      }>
    >(
      `SELECT c.id, c.display_name, c.provisional,
              ARRAY(SELECT i.value FROM tickets.customer_identity i
                     WHERE i.customer_id = c.id ORDER BY i.kind, i.value) AS identities,
              (SELECT count(*)::int FROM tickets.ticket t WHERE t.customer_id = c.id) AS tickets
         FROM tickets.customer c
        WHERE c.merged_into IS NULL
          AND (c.display_name ILIKE $1 OR c.id = $2 OR EXISTS (
                SELECT 1 FROM tickets.customer_identity i
                 WHERE i.customer_id = c.id AND i.value ILIKE $1))
        ORDER BY c.display_name, c.id
        LIMIT $3`,
      [pattern, text, limit],
    );
    return rows.map((row) => ({
      id: row.id,
      displayName: row.display_name,
      verified: !row.provisional,
      identities: row.identities,
      tickets: row.tickets,
    }));
  }
}
