import { InProcessBus, silentLogger } from '@firstline/bus';
import { openDatabaseRecordLog, type DatabaseRecordLog } from '@firstline/persistence';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { describeBusContract } from '../../bus/test/bus-contract';
import { collector, seqOf, sequenced, sleep } from '../../bus/test/support/collect';
import { recordingLogger } from './support';

let database: TestDatabase;
const logs: DatabaseRecordLog[] = [];

function openLog(url = database.url): Promise<DatabaseRecordLog> {
  return openDatabaseRecordLog({ url, logger: recordingLogger().logger }).then((log) => {
    logs.push(log);
    return log;
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(logs.splice(0).map((log) => log.close()));
});

afterAll(async () => {
  await database.drop();
});

describe('the in-process bus on the database log', () => {
  let own: TestDatabase;
  let shared: DatabaseRecordLog;
  beforeAll(async () => {
    own = await createTestDatabase();
    shared = await openDatabaseRecordLog({ url: own.url, logger: recordingLogger().logger });
  });
  afterAll(async () => {
    await shared.close();
    await own.drop();
  });

  // The suite's topics and groups are unique per test, so its buses can share one log.
  describeBusContract('InProcessBus on DatabaseRecordLog', (options) => {
    return new InProcessBus({ ...options, log: shared });
  });
});

describe('DatabaseRecordLog', () => {
  const topic = 'support.inbound.v1';

  it("keeps a source's checkpoint with its records through a crash", async () => {
    const before = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await before.ensureTopics([{ topic, partitions: 2 }]);
    const mailbox = await before.openSource('email:support@example.test/INBOX');
    await mailbox.publish([sequenced(topic, 'conversation-1', 1)], '7:41');
    await logs.pop()!.close();

    const after = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await after.ensureTopics([{ topic, partitions: 2 }]);
    expect((await after.openSource('email:support@example.test/INBOX')).checkpoint).toBe('7:41');
    const handled = collector();
    await after.subscribe({
      group: 'checkpoint-reader',
      topics: [topic],
      handler: handled.handler,
    });
    await after.start();
    await handled.until(1);
    await after.stop();
    expect(handled.messages.map(seqOf)).toEqual([1]);
  });

  it('keeps what publish acknowledged through a crash: a new process delivers it, resuming each group after its last commit', async () => {
    const before = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await before.ensureTopics([{ topic, partitions: 2 }]);
    const handledBefore = collector();
    await before.subscribe({ group: 'router', topics: [topic], handler: handledBefore.handler });
    await before.start();
    const record = (seq: number) => sequenced(topic, `conversation-${seq % 3}`, seq);
    await before.publish(Array.from({ length: 30 }, (_, seq) => record(seq)));
    await handledBefore.until(30);
    await before.stop();
    // Acknowledged while nobody consumes, then the process dies: nothing is kept in memory.
    await before.publish(Array.from({ length: 20 }, (_, seq) => record(30 + seq)));
    await logs.pop()!.close();

    const after = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await after.ensureTopics([{ topic, partitions: 2 }]);
    const handledAfter = collector();
    await after.subscribe({ group: 'router', topics: [topic], handler: handledAfter.handler });
    await after.start();
    await after.publish([record(50)]);
    await handledAfter.until(21);
    await sleep(300);
    await after.stop();

    expect(handledBefore.messages.map(seqOf).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 30 }, (_, n) => n),
    );
    expect(handledAfter.messages.map(seqOf).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 21 }, (_, n) => 30 + n),
    );
    // Offsets count on across the restart: every partition's are ascending and unique.
    for (const partition of [0, 1]) {
      const offsets = [...handledBefore.messages, ...handledAfter.messages]
        .filter((message) => message.partition === partition)
        .map((message) => Number(message.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(new Set(offsets).size).toBe(offsets.length);
    }
  });

  it('trims what every group has handled, and keeps only the latest record per key of a compacted topic', async () => {
    const log = await openLog();
    const bus = new InProcessBus({ logger: silentLogger, log });
    await bus.ensureTopics([
      { topic: 'support.routing.v1', partitions: 1 },
      { topic: 'support.directory.v1', partitions: 1, compacted: true },
    ]);
    const handled = collector();
    await bus.subscribe({
      group: 'tickets',
      topics: ['support.routing.v1'],
      handler: handled.handler,
    });
    await bus.start();
    await bus.publish(
      Array.from({ length: 10 }, (_, seq) => sequenced('support.routing.v1', 't', seq)),
    );
    for (let seq = 0; seq < 5; seq += 1) {
      await bus.publish(
        ['team:1', 'agent:7'].map((key) => sequenced('support.directory.v1', key, seq)),
      );
    }
    await handled.until(10);
    await sleep(200);
    await bus.stop();

    const kept = await database.pool().query<{ topic: string; n: number }>(
      `SELECT topic, count(*)::int AS n FROM bus.record
         WHERE topic IN ('support.routing.v1', 'support.directory.v1') GROUP BY topic ORDER BY topic`,
    );
    expect(kept.rows).toEqual([{ topic: 'support.directory.v1', n: 2 }]);
  });

  it('belongs to one process: a second one is refused while the first has it open', async () => {
    await openLog();
    await expect(openLog()).rejects.toThrow(
      'Another process runs the in-process bus on this database; run one process, or give every one KAFKA_BROKERS',
    );
  });

  it('keeps the partitions a topic was created with, as Kafka does', async () => {
    const before = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await before.ensureTopics([{ topic: 'support.customer-events.v1', partitions: 3 }]);
    await before.publish(
      Array.from({ length: 30 }, (_, seq) =>
        sequenced('support.customer-events.v1', `customer-${seq}`, seq),
      ),
    );
    await logs.pop()!.close();

    const after = new InProcessBus({ logger: silentLogger, log: await openLog() });
    await after.ensureTopics([{ topic: 'support.customer-events.v1', partitions: 6 }]);
    const seen = collector();
    await after.subscribe({
      group: 'router',
      topics: ['support.customer-events.v1'],
      handler: seen.handler,
    });
    await after.start();
    await seen.until(30);
    await after.stop();
    expect(new Set(seen.messages.map((message) => message.partition))).toEqual(new Set([0, 1, 2]));
  });

  it('delivers 50,000 records to a slow handler, none dropped: publish waits instead', async () => {
    const bus = new InProcessBus({ logger: silentLogger, log: await openLog() });
    const bulk = 'support.bulk.v1';
    await bus.ensureTopics([{ topic: bulk, partitions: 1 }]);
    const seen = collector();
    await bus.subscribe({
      group: 'slow',
      topics: [bulk],
      maxBatchSize: 200,
      handler: async (batch) => {
        await sleep(2);
        await seen.handler(batch);
      },
    });
    await bus.start();

    let mostUnhandled = 0;
    for (let seq = 0; seq < 50_000; seq += 1_000) {
      await bus.publish(Array.from({ length: 1_000 }, (_, n) => sequenced(bulk, 'c', seq + n)));
      mostUnhandled = Math.max(mostUnhandled, seq + 1_000 - seen.messages.length);
    }
    await seen.until(50_000, 120_000);
    await bus.stop();

    expect(seen.messages.map(seqOf)).toEqual(Array.from({ length: 50_000 }, (_, seq) => seq));
    expect(mostUnhandled).toBeLessThanOrEqual(11_000);
  }, 180_000);
});
