import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { Identity } from '@firstline/contracts';

export interface Customer {
  id: string;
  displayName: string;
  tier: string;
  tags: string[];
  mergedInto: string | null;
  identities: Array<{ kind: number; value: string; displayName: string }>;
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
   * they wrote through. Inserted in id order, so concurrent batches wait on each other in one
   * order and never deadlock.
   */
  async upsertCustomers(
    manager: EntityManager,
    customers: Array<{ id: string; sender: Identity | undefined }>,
  ): Promise<void> {
    const sorted = [...customers].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await manager.query(
      `INSERT INTO tickets.customer (id, display_name)
       SELECT id, display_name FROM unnest($1::text[], $2::text[]) AS c (id, display_name)
       ON CONFLICT (id) DO NOTHING`,
      [sorted.map((c) => c.id), sorted.map((c) => c.sender?.displayName ?? '')],
    );
    const identities = sorted.filter((c) => c.sender?.value);
    if (identities.length === 0) return;
    await manager.query(
      `INSERT INTO tickets.customer_identity (kind, value, customer_id, display_name)
       SELECT * FROM unnest($1::integer[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (kind, value) DO NOTHING`,
      [
        identities.map((c) => c.sender!.kind),
        identities.map((c) => c.sender!.value),
        identities.map((c) => c.id),
        identities.map((c) => c.sender!.displayName),
      ],
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
      }>
    >(`SELECT id, display_name, tier, tags, merged_into FROM tickets.customer WHERE id = $1`, [id]);
    if (!row) return undefined;
    const identities = await manager.query<
      Array<{ kind: number; value: string; display_name: string }>
    >(
      `SELECT kind, value, display_name FROM tickets.customer_identity WHERE customer_id = $1
       ORDER BY kind, value`,
      [id],
    );
    const customer: Customer = {
      id: row.id,
      displayName: row.display_name,
      tier: row.tier,
      tags: row.tags,
      mergedInto: row.merged_into,
      identities: identities.map((identity) => ({
        kind: identity.kind,
        value: identity.value,
        displayName: identity.display_name,
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
    await manager.query(
      `UPDATE tickets.customer_identity SET customer_id = $1 WHERE customer_id = $2`,
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
}
