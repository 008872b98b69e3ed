import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import { planLeases, type LeaseState } from './lease-plan';
import type { MigrationClass } from './migrations';
import { assertSchemaName, schemaOf } from './schema';

/**
 * `<schema>.lease`, one row per resource ever taken, and `<schema>.lease_holder`, one row per
 * live replica (so that a replica holding nothing yet still counts when shares are computed).
 * Put it in the service's migrations list.
 */
export function leaseMigration(schema: string): MigrationClass {
  assertSchemaName(schema);
  return class CreateLeases implements MigrationInterface {
    readonly name = 'CreateLeases1797000000000';

    async up(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`
        CREATE TABLE "${schema}".lease (
          resource   text PRIMARY KEY,
          holder     text,
          fence      bigint NOT NULL,
          expires_at timestamptz NOT NULL
        )`);
      await queryRunner.query(`
        CREATE TABLE "${schema}".lease_holder (
          holder     text PRIMARY KEY,
          expires_at timestamptz NOT NULL
        )`);
    }

    async down(queryRunner: QueryRunner): Promise<void> {
      await queryRunner.query(`DROP TABLE "${schema}".lease_holder`);
      await queryRunner.query(`DROP TABLE "${schema}".lease`);
    }
  };
}

/** A checkpoint write found the lease taken over (or would have moved the checkpoint back). */
export class LeaseLostError extends Error {
  constructor(readonly resource: string) {
    super(`the lease on ${resource} is no longer ours: its checkpoint was not written`);
  }
}

/**
 * This replica's hold on one resource. Its fencing token grows each time the resource changes
 * hands, so a write from an earlier holder, however late it arrives, is refused.
 */
export class Lease {
  constructor(
    readonly resource: string,
    readonly fence: number,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * Runs a checkpoint write that lands only while this lease is held. `statement` reads the CTE
   * `held` (one row while the lease is ours, none otherwise), uses $1 and $2 for nothing else and
   * its own parameters from $3, and returns a row when it wrote: its compare-and-set (the
   * checkpoint only moves forward) goes in its WHERE. The lease row is share-locked for the
   * statement, so a takeover waits for the write and the new holder reads what it wrote.
   * Throws `LeaseLostError` when nothing was written.
   */
  async write(statement: string, parameters: unknown[]): Promise<void> {
    const schema = schemaOf(this.dataSource);
    // Wrapped in a SELECT: TypeORM hands an UPDATE's result back in another shape than an INSERT's.
    const [{ written }]: Array<{ written: number }> = await this.dataSource.query(
      `WITH held AS (
         SELECT 1 FROM "${schema}".lease WHERE resource = $1 AND fence = $2 FOR SHARE
       ), written AS (
         ${statement}
       )
       SELECT count(*)::int AS written FROM written`,
      [this.resource, this.fence, ...parameters],
    );
    if (written === 0) throw new LeaseLostError(this.resource);
  }
}

/** Work on one resource, for as long as its lease is held. */
export interface LeasedWork {
  /** Begins the work; its checkpoint writes go through `lease.write`. */
  start(lease: Lease): void;
  /** Ends it, resolving once it writes nothing more. */
  stop(resource: string): Promise<void>;
}

/** The work of a loop that runs for a leased resource until its signal aborts. */
export function loopWhileLeased(
  loop: (lease: Lease, signal: AbortSignal) => Promise<void>,
): LeasedWork {
  const running = new Map<string, { stopping: AbortController; done: Promise<void> }>();
  return {
    start(lease) {
      const stopping = new AbortController();
      running.set(lease.resource, { stopping, done: loop(lease, stopping.signal) });
    },
    async stop(resource) {
      const loop = running.get(resource);
      running.delete(resource);
      loop?.stopping.abort();
      await loop?.done;
    },
  };
}

export interface LeasesOptions {
  /** The replica's name (`FIRSTLINE_REPLICA_ID`); each process adds a suffix of its own. */
  replica: string;
  /** What there is to share among the replicas: mailboxes, bots, communities. */
  resources: string[];
  /** How long a lease outlives its holder's last renewal (default 15 s). */
  ttlMs?: number;
  /** How often leases are renewed and shares looked at again (default 5 s). */
  renewEveryMs?: number;
  /** Names the resources in logs, e.g. "mailbox". */
  kind: string;
}

/**
 * Shares resources among the replicas of a service, each resource worked by one live replica at a
 * time. Every few seconds a replica renews its leases, takes free or expired ones up to its fair
 * share and releases what it holds beyond it; a replica that dies stops renewing, and its leases
 * expire and move to the others. A replica that cannot renew for a whole TTL stops its work, since
 * by then another may have taken it over. Stopping releases every lease at once.
 */
export class Leases {
  /** Unique per process: a restarted replica does not inherit the leases of its predecessor. */
  readonly holder: string;
  private readonly logger: Logger;
  private readonly schema: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;
  private readonly working = new Map<string, Lease>();
  private lastRenewedAt = 0;
  private running = false;
  private loop?: Promise<void>;
  private wake?: () => void;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: LeasesOptions,
    private readonly work: LeasedWork,
  ) {
    this.holder = `${options.replica}/${randomUUID().slice(0, 8)}`;
    this.logger = new Logger(`${options.kind} leases`);
    this.schema = schemaOf(dataSource);
    this.ttlMs = options.ttlMs ?? 15_000;
    this.renewEveryMs = options.renewEveryMs ?? 5_000;
  }

  start(): void {
    if (this.running || this.options.resources.length === 0) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops every work, then releases its lease, so the other replicas take over at once. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    for (const lease of [...this.working.values()]) await this.release(lease);
    await this.dataSource
      .query(`DELETE FROM "${this.schema}".lease_holder WHERE holder = $1`, [this.holder])
      .catch(() => undefined);
  }

  /** The resources this replica works now. */
  held(): string[] {
    return [...this.working.keys()];
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.round();
      } catch (error) {
        this.logger.warn(`lease round failed: ${String(error)}`);
        if (Date.now() - this.lastRenewedAt > this.ttlMs) await this.stopAll('not renewed in time');
      }
      await this.pause();
    }
  }

  /** Renews, then takes and releases as `planLeases` says. */
  private async round(): Promise<void> {
    const ttl = `${this.ttlMs} milliseconds`;
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".lease_holder (holder, expires_at) VALUES ($1, now() + $2::interval)
       ON CONFLICT (holder) DO UPDATE SET expires_at = EXCLUDED.expires_at`,
      [this.holder, ttl],
    );
    // Only the leases whose work runs are renewed. A lease still in this replica's name whose work
    // stopped (it could not renew for a whole TTL, as through a database outage) is let go, to be
    // taken again with a new fence: renewing it would hold it for ever with nothing working it.
    const renewed: Array<{ resource: string; fence: string }> = await this.dataSource.query(
      `WITH renewed AS (
         UPDATE "${this.schema}".lease SET expires_at = now() + $2::interval
          WHERE holder = $1 AND resource = ANY($3::text[]) RETURNING resource, fence
       ), disowned AS (
         UPDATE "${this.schema}".lease SET holder = NULL
          WHERE holder = $1 AND NOT resource = ANY($3::text[])
       )
       SELECT resource, fence FROM renewed`,
      [this.holder, ttl, this.held()],
    );
    this.lastRenewedAt = Date.now();
    const stillOurs = new Set(renewed.map((row) => `${row.resource}#${row.fence}`));
    for (const lease of [...this.working.values()]) {
      if (stillOurs.has(`${lease.resource}#${lease.fence}`)) continue;
      this.logger.warn(`${this.options.kind} ${lease.resource}: lease lost to another replica`);
      this.working.delete(lease.resource);
      await this.work.stop(lease.resource);
    }

    const [{ replicas }]: Array<{ replicas: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS replicas FROM "${this.schema}".lease_holder WHERE expires_at > now()`,
    );
    const rows: Array<{ resource: string; live_holder: string | null }> =
      await this.dataSource.query(
        `SELECT resource, CASE WHEN expires_at > now() THEN holder END AS live_holder
           FROM "${this.schema}".lease WHERE resource = ANY($1::text[])`,
        [this.options.resources],
      );
    const holders = new Map(rows.map((row) => [row.resource, row.live_holder]));
    const states: LeaseState[] = this.options.resources.map((resource) => ({
      resource,
      liveHolder: holders.get(resource) ?? null,
    }));
    const plan = planLeases(this.holder, states, replicas);
    for (const resource of plan.release) await this.release(this.working.get(resource)!);
    for (const resource of plan.take) await this.take(resource, ttl);
    await this.dataSource.query(
      `DELETE FROM "${this.schema}".lease_holder WHERE expires_at < now()`,
    );
  }

  /** Takes the resource if it is still free when the row is written: one replica wins a race. */
  private async take(resource: string, ttl: string): Promise<void> {
    const taken: Array<{ fence: string }> = await this.dataSource.query(
      `INSERT INTO "${this.schema}".lease AS lease (resource, holder, fence, expires_at)
       VALUES ($1, $2, 1, now() + $3::interval)
       ON CONFLICT (resource) DO UPDATE
         SET holder = EXCLUDED.holder, fence = lease.fence + 1, expires_at = EXCLUDED.expires_at
         WHERE lease.holder IS NULL OR lease.expires_at <= now()
       RETURNING fence`,
      [resource, this.holder, ttl],
    );
    if (taken.length === 0) return;
    const lease = new Lease(resource, Number(taken[0].fence), this.dataSource);
    this.working.set(resource, lease);
    this.logger.log(`${this.options.kind} ${resource}: taken (fence ${lease.fence})`);
    this.work.start(lease);
  }

  private async release(lease: Lease): Promise<void> {
    this.working.delete(lease.resource);
    await this.work.stop(lease.resource);
    await this.dataSource.query(
      `UPDATE "${this.schema}".lease SET holder = NULL
        WHERE resource = $1 AND holder = $2 AND fence = $3`,
      [lease.resource, this.holder, lease.fence],
    );
    this.logger.log(`${this.options.kind} ${lease.resource}: released`);
  }

  private async stopAll(reason: string): Promise<void> {
    for (const resource of this.held()) {
      this.logger.warn(`${this.options.kind} ${resource}: stopped, ${reason}`);
      this.working.delete(resource);
      await this.work.stop(resource);
    }
  }

  private pause(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(), this.renewEveryMs);
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      this.wake = done;
    });
  }
}
