import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTestDatabase, waitFor, type TestDatabase } from '@firstline/testing';
import { Lease, LeaseLostError, leaseMigration, Leases } from '@firstline/persistence';
import { openSchema } from './support';

const schema = 'channel_test';
const mailboxes = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6'];

/** A replica's work as the test sees it: which resources it works now, under which lease. */
class Replica {
  readonly working = new Map<string, Lease>();
  readonly leases: Leases;

  constructor(dataSource: DataSource, name: string, ttlMs = 1_500) {
    this.leases = new Leases(
      dataSource,
      { replica: name, resources: mailboxes, ttlMs, renewEveryMs: 200, kind: 'mailbox' },
      {
        start: (lease) => void this.working.set(lease.resource, lease),
        stop: async (resource) => void this.working.delete(resource),
      },
    );
  }
}

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  Logger.overrideLogger(false);
  database = await createTestDatabase();
  dataSource = await openSchema(database.url, schema, { migrations: [leaseMigration(schema)] });
  await dataSource.query(
    `CREATE TABLE ${schema}.checkpoint (resource text PRIMARY KEY, position bigint NOT NULL)`,
  );
});

afterAll(async () => {
  await dataSource.destroy();
  await database.drop();
});

beforeEach(() => dataSource.query(`TRUNCATE ${schema}.lease, ${schema}.lease_holder`));

/** The compare-and-set a checkpoint table does: never backwards, only while the lease is held. */
const saveCheckpoint = (lease: Lease, position: number) =>
  lease.write(
    `INSERT INTO ${schema}.checkpoint AS c (resource, position) SELECT $1, $3 FROM held
     ON CONFLICT (resource) DO UPDATE SET position = EXCLUDED.position
       WHERE c.position <= EXCLUDED.position
     RETURNING 1`,
    [position],
  );

const everyResourceOnce = (replicas: Replica[]) =>
  replicas
    .flatMap((replica) => [...replica.working.keys()])
    .sort()
    .join() === mailboxes.join();

describe('Leases', () => {
  it('spreads the resources over the replicas, each worked by exactly one', async () => {
    const replicas = ['a', 'b', 'c'].map((name) => new Replica(dataSource, name));
    for (const replica of replicas) replica.leases.start();
    try {
      await waitFor(
        () =>
          everyResourceOnce(replicas) && replicas.every((replica) => replica.working.size === 2),
        10_000,
      );
    } finally {
      await Promise.all(replicas.map((replica) => replica.leases.stop()));
    }
  });

  it('hands a stopped replica’s resources over at once, and a cut-off one’s once its leases expire', async () => {
    // b on a database connection of its own, to be cut off.
    const cutOff = await openSchema(database.url, schema);
    const [a, b, c] = [
      new Replica(dataSource, 'a'),
      new Replica(cutOff, 'b'),
      new Replica(dataSource, 'c'),
    ];
    for (const replica of [a, b, c]) replica.leases.start();
    try {
      await waitFor(() => everyResourceOnce([a, b, c]), 10_000);
      await a.leases.stop();
      await waitFor(() => everyResourceOnce([b, c]), 3_000);

      const orphaned = [...b.working.keys()];
      await cutOff.destroy();
      // b cannot renew: it stops working once its leases may have expired, and c takes them.
      await waitFor(() => b.working.size === 0, 5_000);
      await waitFor(() => orphaned.every((resource) => c.working.has(resource)), 10_000);
      expect(c.working.size).toBe(mailboxes.length);
    } finally {
      await Promise.all([a, c].map((replica) => replica.leases.stop()));
      await b.leases.stop();
    }
  });

  it('works its resources again once the database is back from an outage longer than the leases', async () => {
    // The replica's database answers like a Postgres that crashed and is recovering, while `down`.
    let down = false;
    const recovering = new Proxy(dataSource, {
      get(target, property, receiver) {
        if (property !== 'query') return Reflect.get(target, property, receiver);
        return (...args: Parameters<DataSource['query']>) =>
          down
            ? Promise.reject(new Error('the database system is not yet accepting connections'))
            : target.query(...args);
      },
    });
    const a = new Replica(recovering, 'a');
    a.leases.start();
    try {
      await waitFor(() => a.working.size === mailboxes.length, 5_000);
      const before = new Map([...a.working].map(([resource, lease]) => [resource, lease.fence]));
      down = true;
      // It stops working once its leases may have expired...
      await waitFor(() => a.working.size === 0, 5_000);
      down = false;
      // ...and takes them again, with new fences, when the database answers.
      await waitFor(() => a.working.size === mailboxes.length, 5_000);
      for (const [resource, lease] of a.working) {
        expect(lease.fence).toBeGreaterThan(before.get(resource)!);
      }
    } finally {
      down = false;
      await a.leases.stop();
    }
  });

  it('a replica joining later gets its share from one that held everything', async () => {
    const a = new Replica(dataSource, 'a');
    const b = new Replica(dataSource, 'b');
    a.leases.start();
    try {
      await waitFor(() => a.working.size === mailboxes.length, 5_000);
      b.leases.start();
      await waitFor(() => a.working.size === 3 && b.working.size === 3, 10_000);
      expect(everyResourceOnce([a, b])).toBe(true);
    } finally {
      await Promise.all([a.leases.stop(), b.leases.stop()]);
    }
  });

  it('refuses a checkpoint from an earlier holder, and one that would move back', async () => {
    const a = new Replica(dataSource, 'a');
    a.leases.start();
    await waitFor(() => a.working.has('m1'), 5_000);
    const earlier = a.working.get('m1')!;
    await saveCheckpoint(earlier, 10);
    await a.leases.stop();

    const b = new Replica(dataSource, 'b');
    b.leases.start();
    try {
      await waitFor(() => b.working.has('m1'), 5_000);
      const current = b.working.get('m1')!;
      expect(current.fence).toBeGreaterThan(earlier.fence);
      await expect(saveCheckpoint(earlier, 20)).rejects.toBeInstanceOf(LeaseLostError);
      await expect(saveCheckpoint(current, 9)).rejects.toBeInstanceOf(LeaseLostError);
      await saveCheckpoint(current, 12);
      const [row] = await dataSource.query(
        `SELECT position FROM ${schema}.checkpoint WHERE resource = 'm1'`,
      );
      expect(Number(row.position)).toBe(12);
    } finally {
      await b.leases.stop();
    }
  });
});
