import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import {
  enqueueOutbox,
  outboxInsert,
  OutboxRelay,
  type OutboxRelayOptions,
} from '@firstline/persistence';
import {
  commitOutbox,
  FakeBus,
  openSchema,
  recordingLogger,
  sleep,
  ticketEvent,
  ticketEventIds,
  waitFor,
} from './support';

let database: TestDatabase;
let schemaCount = 0;
const opened: DataSource[] = [];
const relays: OutboxRelay[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(relays.splice(0).map((relay) => relay.stop()));
  await Promise.all(
    opened.splice(0).map((dataSource) => dataSource.isInitialized && dataSource.destroy()),
  );
});

afterAll(async () => {
  await database.drop();
});

/** Each test gets its own service schema, so ids start at 1. */
function nextSchema(): string {
  schemaCount += 1;
  return `tickets_${schemaCount}`;
}

async function open(schema: string, applicationName?: string): Promise<DataSource> {
  const dataSource = await openSchema(database.url, schema, { applicationName });
  opened.push(dataSource);
  return dataSource;
}

function startRelay(
  options: Omit<OutboxRelayOptions, 'logger'> & Partial<OutboxRelayOptions>,
): OutboxRelay {
  const relay = new OutboxRelay({
    pollIntervalMs: 20,
    retryDelayMs: 10,
    logger: recordingLogger().logger,
    ...options,
  });
  relays.push(relay);
  relay.start();
  return relay;
}

async function unpublishedCount(dataSource: DataSource, schema: string): Promise<number> {
  const [{ count }] = await dataSource.query(
    `SELECT count(*)::int AS count FROM ${schema}.outbox WHERE published_at IS NULL`,
  );
  return count;
}

describe('enqueueOutbox', () => {
  it('never publishes records whose transaction rolled back', async () => {
    const schema = nextSchema();
    const tickets = await open(schema);
    await expect(
      tickets.transaction(async (manager) => {
        await enqueueOutbox(manager, [ticketEvent(1)]);
        throw new Error('assignment conflict');
      }),
    ).rejects.toThrow('assignment conflict');
    await commitOutbox(tickets, [ticketEvent(2)]);
    const bus = new FakeBus();

    const relay = startRelay({ dataSource: tickets, bus });
    await waitFor(async () => (await relay.backlog()) === 0);
    await sleep(100);

    expect(bus.messageIds()).toEqual(['ticket-event-2']);
  });

  it('refuses to write outside a transaction, where the record could outlive or miss its change', async () => {
    const tickets = await open(nextSchema());

    await expect(enqueueOutbox(tickets.manager, [ticketEvent(1)])).rejects.toThrow(
      'enqueueOutbox must run inside the transaction that makes the change',
    );
  });

  it('refuses a record without its stable message id', async () => {
    const tickets = await open(nextSchema());
    const withoutId = {
      ...ticketEvent(1),
      headers: { messageId: '', type: 'firstline.v1.TicketEvent' },
    };

    await expect(commitOutbox(tickets, [withoutId])).rejects.toThrow(
      'An outbox record for support.ticket-events.v1 needs headers.messageId',
    );
  });
});

describe('outboxInsert', () => {
  it('writes records with a change made in the same statement, and none when the change is not made', async () => {
    const schema = nextSchema();
    const tickets = await open(schema);
    await tickets.query(`CREATE TABLE ${schema}.claim (id text PRIMARY KEY)`);
    /** Claims `id` and announces it in one statement: the second claim of an id changes nothing. */
    const claim = (id: string, event: number) => {
      const outbox = outboxInsert(schema, [ticketEvent(event, { claim: id })], {
        when: 'EXISTS (SELECT FROM claimed)',
        firstParameter: 2,
      });
      return tickets.query(
        `WITH claimed AS (
           INSERT INTO ${schema}.claim (id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id
         )
         ${outbox.sql}`,
        [id, ...outbox.parameters],
      );
    };
    await claim('ticket-7', 1);
    await claim('ticket-7', 2);
    await claim('ticket-8', 3);
    const bus = new FakeBus();

    startRelay({ dataSource: tickets, bus });
    await waitFor(() => bus.published.length === 2);
    await sleep(100);

    expect(bus.messageIds()).toEqual(['ticket-event-1', 'ticket-event-3']);
    expect(bus.published[1]).toMatchObject({
      topic: 'support.ticket-events.v1',
      value: Buffer.from('event 3'),
      headers: { messageId: 'ticket-event-3', producedAt: expect.stringMatching(/^\d{4}-/) },
      extraHeaders: { claim: 'ticket-8' },
    });
  });
});

describe('OutboxRelay', () => {
  it('publishes committed records in id order, as they were written, then marks them published', async () => {
    const schema = nextSchema();
    const tickets = await open(schema);
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2, { 'reply-to': 'agent-7' })]);
    await commitOutbox(tickets, [ticketEvent(3), ticketEvent(4), ticketEvent(5)]);
    const bus = new FakeBus();

    startRelay({ dataSource: tickets, bus, batchSize: 2 });
    await waitFor(() => bus.published.length === 5);

    expect(bus.messageIds()).toEqual(ticketEventIds(1, 5));
    expect(bus.published[1]).toEqual({
      topic: 'support.ticket-events.v1',
      key: 'ticket-2',
      value: Buffer.from('event 2'),
      headers: {
        messageId: 'ticket-event-2',
        type: 'firstline.v1.TicketEvent',
        producedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
      extraHeaders: { 'reply-to': 'agent-7' },
    });
    await waitFor(async () => (await unpublishedCount(tickets, schema)) === 0);
  });

  it('publishes soon after a nudge, without waiting for the next poll', async () => {
    const tickets = await open(nextSchema());
    const bus = new FakeBus();
    const relay = startRelay({ dataSource: tickets, bus, pollIntervalMs: 60_000 });
    await sleep(100); // the first round found nothing; the next poll is a minute away

    await commitOutbox(tickets, [ticketEvent(1)]);
    relay.nudge();

    await waitFor(() => bus.published.length === 1, 2_000);
  });

  it('counts the backlog of committed, unpublished records', async () => {
    const tickets = await open(nextSchema());
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2), ticketEvent(3)]);
    const relay = new OutboxRelay({
      dataSource: tickets,
      bus: new FakeBus(),
      logger: recordingLogger().logger,
    });

    expect(await relay.backlog()).toBe(3);
  });

  it('republishes, with the same message ids, records a relay published but died before marking', async () => {
    const schema = nextSchema();
    const first = await open(schema, 'relay-that-dies');
    await commitOutbox(first, [ticketEvent(1), ticketEvent(2), ticketEvent(3)]);
    const bus = new FakeBus();
    // The broker acknowledged; then the relay's process dies before its transaction commits.
    bus.afterPublish = async () => {
      bus.afterPublish = undefined;
      await killConnectionsInTransaction('relay-that-dies');
    };
    const { logger, lines } = recordingLogger();
    const dying = startRelay({ dataSource: first, bus, logger, retryDelayMs: 60_000 });
    await waitFor(() => lines.some((line) => line.msg.startsWith('Outbox relay round failed')));
    await dying.stop();
    await first.destroy();
    expect(bus.messageIds()).toEqual(ticketEventIds(1, 3));

    const restarted = await open(schema);
    startRelay({ dataSource: restarted, bus });
    await waitFor(() => bus.published.length === 6);

    expect(bus.messageIds()).toEqual([...ticketEventIds(1, 3), ...ticketEventIds(1, 3)]);
    await waitFor(async () => (await unpublishedCount(restarted, schema)) === 0);
  });

  it('keeps relaying after its database connection drops mid-round, republishing that round', async () => {
    const tickets = await open(nextSchema(), 'relay-losing-its-connection');
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2)]);
    const bus = new FakeBus();
    bus.afterPublish = async () => {
      bus.afterPublish = undefined;
      await killConnectionsInTransaction('relay-losing-its-connection');
    };

    startRelay({ dataSource: tickets, bus });
    await waitFor(() => bus.published.length === 4);

    expect(bus.messageIds()).toEqual([...ticketEventIds(1, 2), ...ticketEventIds(1, 2)]);
  });

  it('with two replicas relaying at once, publishes every record once and in order', async () => {
    const schema = nextSchema();
    const replicaA = await open(schema);
    const replicaB = await open(schema);
    for (let n = 1; n <= 40; n += 5) {
      await commitOutbox(
        n % 2 ? replicaA : replicaB,
        [1, 2, 3, 4, 5].map((i) => ticketEvent(n + i - 1)),
      );
    }
    const bus = new FakeBus();
    bus.delayMs = 15; // long enough for the replicas' rounds to overlap

    startRelay({ dataSource: replicaA, bus, batchSize: 3, pollIntervalMs: 5 });
    startRelay({ dataSource: replicaB, bus, batchSize: 3, pollIntervalMs: 5 });
    await waitFor(async () => (await unpublishedCount(replicaA, schema)) === 0);
    await sleep(100);

    expect(bus.messageIds()).toEqual(ticketEventIds(1, 40));
  });

  it('hands relaying over when the replica relaying through a stream of commits stops', async () => {
    const schema = nextSchema();
    const replicaA = await open(schema);
    const replicaB = await open(schema);
    const bus = new FakeBus();
    bus.delayMs = 5;
    const relayA = startRelay({ dataSource: replicaA, bus, batchSize: 3, pollIntervalMs: 5 });
    startRelay({ dataSource: replicaB, bus, batchSize: 3, pollIntervalMs: 5 });

    for (let n = 1; n <= 60; n++) {
      await commitOutbox(n % 2 ? replicaA : replicaB, [ticketEvent(n)]);
      if (n === 30) await relayA.stop(); // whichever replica holds the lock, B relays the rest
    }
    await waitFor(async () => (await unpublishedCount(replicaB, schema)) === 0);
    await sleep(100);

    expect(bus.messageIds()).toEqual(ticketEventIds(1, 60));
  });

  it('marks what it published when it stops between rounds, so its successor sends none of it again', async () => {
    const schema = nextSchema();
    const tickets = await open(schema);
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2), ticketEvent(3)]);
    const bus = new FakeBus();
    // Rows were found, so the next round, which would mark them, is a poll away.
    const first = startRelay({ dataSource: tickets, bus, pollIntervalMs: 60_000 });
    await waitFor(() => bus.published.length === 3);

    await first.stop();
    expect(await unpublishedCount(tickets, schema)).toBe(0);
    startRelay({ dataSource: tickets, bus });
    await commitOutbox(tickets, [ticketEvent(4)]);
    await waitFor(() => bus.published.length === 4);

    expect(bus.messageIds()).toEqual(ticketEventIds(1, 4));
  });

  it('retries a failed publish with backoff and never skips a record', async () => {
    const tickets = await open(nextSchema());
    await commitOutbox(
      tickets,
      [1, 2, 3, 4, 5, 6, 7].map((n) => ticketEvent(n)),
    );
    const bus = new FakeBus();
    bus.failures = 3;
    const { logger, lines } = recordingLogger();

    startRelay({ dataSource: tickets, bus, logger, batchSize: 3 });
    await waitFor(() => bus.published.length === 7);

    expect(bus.messageIds()).toEqual(ticketEventIds(1, 7));
    const retries = lines.filter((line) => line.msg.startsWith('Outbox relay round failed'));
    expect(retries.map((line) => line.retryInMs)).toEqual([10, 20, 40]);
  });

  it('deletes published records once they are older than the retention', async () => {
    const schema = nextSchema();
    const tickets = await open(schema);
    await commitOutbox(tickets, [ticketEvent(1), ticketEvent(2), ticketEvent(3)]);
    await tickets.query(
      `UPDATE ${schema}.outbox SET published_at = now() - interval '8 days' WHERE id = 1`,
    );
    await tickets.query(
      `UPDATE ${schema}.outbox SET published_at = now() - interval '6 days' WHERE id = 2`,
    );
    const relay = new OutboxRelay({
      dataSource: tickets,
      bus: new FakeBus(),
      logger: recordingLogger().logger,
    });

    expect(await relay.purgePublished()).toBe(1);

    const remaining = await tickets.query(`SELECT id FROM ${schema}.outbox ORDER BY id`);
    expect(remaining).toEqual([{ id: '2' }, { id: '3' }]);
  });
});

/** What a crashed process leaves: its connections gone, its open transactions rolled back. */
async function killConnectionsInTransaction(applicationName: string): Promise<void> {
  const admin = new Client({ connectionString: database.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE application_name = $1 AND state = 'idle in transaction'`,
      [applicationName],
    );
    if (rowCount !== 1)
      throw new Error(`expected one relay transaction to kill, found ${rowCount}`);
  } finally {
    await admin.end();
  }
}
