import { uniqueName } from '@firstline/testing';
import type { BusOptions } from '../src/delivery';
import { BadInputError, RetryableError, UnavailableError } from '@firstline/errors';
import { silentLogger } from '../src/logger';
import { partitionForKey } from '../src/partitioner';
import {
  DEAD_LETTER_HEADER,
  SourceFencedError,
  type DeliveredMessage,
  type HandledInfo,
  type MessageBus,
} from '../src/port';
import { collector, eventually, seqOf, sequenced, sleep } from './support/collect';

/** One key for each of the first `count` partitions of a topic with that many. */
function keysOnPartitions(count: number): string[] {
  const keys: string[] = [];
  for (let n = 0; keys.length < count; n += 1) {
    const key = `conversation-${n}`;
    if (partitionForKey(key, count) === keys.length) keys.push(key);
  }
  return keys;
}

/**
 * What every implementation of the bus port promises, run against each of them: services see
 * the same behaviour embedded and on Kafka.
 */
export function describeBusContract(
  name: string,
  makeBus: (options: BusOptions) => MessageBus,
): void {
  describe(`${name} (bus contract)`, () => {
    const buses: MessageBus[] = [];

    /** A bus with its own dead-letter topic, so tests never read each other's dead letters. */
    function open(options: BusOptions = {}) {
      const deadLetterTopic = uniqueName('contract.dlq');
      const bus = makeBus({ logger: silentLogger, deadLetterTopic, ...options });
      buses.push(bus);
      return { bus, deadLetterTopic };
    }

    afterEach(async () => {
      await Promise.all(buses.splice(0).map((bus) => bus.stop()));
    });

    /** What reaches the dead-letter topic, from the moment the bus starts. */
    async function readDeadLetters(bus: MessageBus, deadLetterTopic: string) {
      const deadLetters = collector();
      await bus.subscribe({
        group: uniqueName('dlq-reader'),
        topics: [deadLetterTopic],
        handler: deadLetters.handler,
      });
      return deadLetters;
    }

    it("publishes a source's records with its checkpoint; a new opening reads it and fences the old", async () => {
      const { bus } = open();
      const topic = uniqueName('contract.source');
      await bus.ensureTopics([{ topic, partitions: 2 }]);
      const seen = collector();
      await bus.subscribe({ group: uniqueName('group'), topics: [topic], handler: seen.handler });
      await bus.start();
      const name = uniqueName('mailbox');

      const first = await bus.openSource(name);
      expect(first.checkpoint).toBeUndefined();
      await first.publish([sequenced(topic, 'c', 0), sequenced(topic, 'c', 1)], 'uid:2');
      expect(first.checkpoint).toBe('uid:2');
      await first.publish([], 'uid:3'); // nothing to publish, the position moves all the same

      const second = await bus.openSource(name);
      expect(second.checkpoint).toBe('uid:3');
      await expect(first.publish([sequenced(topic, 'c', 99)], 'uid:99')).rejects.toBeInstanceOf(
        SourceFencedError,
      );
      await second.publish([sequenced(topic, 'c', 2)], 'uid:4');
      await eventually(() => seen.messages.length >= 3, 'the records of both openings');
      await sleep(300);
      expect(seen.messages.map(seqOf)).toEqual([0, 1, 2]); // the fenced record never shows
      await Promise.all([first.close(), second.close()]);
      const third = await bus.openSource(name);
      expect(third.checkpoint).toBe('uid:4');
      await third.close();
    });

    it('delivers a record with its key, value and headers, filling in the defaults', async () => {
      const { bus } = open();
      const topic = uniqueName('contract.headers');
      await bus.ensureTopics([{ topic, partitions: 2 }]);
      const seen = collector();
      await bus.subscribe({ group: uniqueName('group'), topics: [topic], handler: seen.handler });
      await bus.start();

      const before = Date.now();
      await bus.publish([
        {
          topic,
          key: 'conversation-1',
          value: Buffer.from('hello'),
          headers: {
            messageId: 'email:<a@b>',
            type: 'firstline.v1.InboundMessage',
            schemaVersion: 3,
            traceId: 'trace-1',
            producedAt: '2026-01-02T03:04:05.000Z',
          },
          extraHeaders: { 'x-channel': 'email' },
        },
        {
          topic,
          key: 'conversation-2',
          value: new Uint8Array([1, 2, 3]),
          headers: { messageId: 'email:<c@d>', type: 'firstline.v1.InboundMessage' },
        },
      ]);
      await seen.until(2);

      const byId = new Map(seen.messages.map((message) => [message.headers.messageId, message]));
      expect(byId.get('email:<a@b>')).toEqual({
        topic,
        partition: partitionForKey('conversation-1', 2),
        offset: expect.any(String),
        key: 'conversation-1',
        value: Buffer.from('hello'),
        headers: {
          messageId: 'email:<a@b>',
          type: 'firstline.v1.InboundMessage',
          schemaVersion: 3,
          traceId: 'trace-1',
          producedAt: '2026-01-02T03:04:05.000Z',
        },
        extraHeaders: { 'x-channel': 'email' },
      });
      const defaulted = byId.get('email:<c@d>')!;
      expect(defaulted.value).toEqual(Buffer.from([1, 2, 3]));
      expect(defaulted.partition).toBe(partitionForKey('conversation-2', 2));
      expect(defaulted.headers.schemaVersion).toBe(1);
      expect(defaulted.headers.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(Date.parse(defaulted.headers.producedAt)).toBeGreaterThanOrEqual(before - 1_000);
      expect(defaulted.extraHeaders).toEqual({});
    });

    it('keeps the order of each key across several partitions, one partition per batch', async () => {
      const { bus } = open();
      const topic = uniqueName('contract.order');
      await bus.ensureTopics([{ topic, partitions: 4 }]);
      const seen = collector();
      const handled: HandledInfo[] = [];
      await bus.subscribe({
        group: uniqueName('group'),
        topics: [topic],
        handler: seen.handler,
        maxBatchSize: 7,
        onHandled: (info) => handled.push(info),
      });
      await bus.start();

      const keys = Array.from({ length: 20 }, (_, k) => `conversation-${k}`);
      for (let seq = 0; seq < 25; seq += 5) {
        await bus.publish(
          [0, 1, 2, 3, 4].flatMap((step) => keys.map((key) => sequenced(topic, key, seq + step))),
        );
      }
      await seen.until(500);

      for (const key of keys) {
        const ofKey = seen.messages.filter((message) => message.key === key);
        expect(ofKey.map(seqOf)).toEqual(Array.from({ length: 25 }, (_, seq) => seq));
        expect(new Set(ofKey.map((message) => message.partition)).size).toBe(1);
      }
      for (const batch of seen.batches) {
        expect(batch.length).toBeLessThanOrEqual(7);
        expect(new Set(batch.map((message) => message.partition)).size).toBe(1);
        const offsets = batch.map((message) => Number(message.offset));
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
      expect(handled.every((info) => info.outcome === 'ok')).toBe(true);
      expect(handled.reduce((sum, info) => sum + info.count, 0)).toBe(500);
    });

    it('gathers the partitions ready at once into one batch when asked, each still in order', async () => {
      const { bus, deadLetterTopic } = open();
      const topic = uniqueName('contract.gather');
      await bus.ensureTopics([{ topic, partitions: 4 }]);
      const keys = Array.from({ length: 20 }, (_, k) => `conversation-${k}`);
      await bus.publish(
        [0, 1, 2, 3, 4, 5].flatMap((seq) => keys.map((key) => sequenced(topic, key, seq))),
      );
      const seen = collector();
      const handled: HandledInfo[] = [];
      const poison = 'conversation-7:2';
      await bus.subscribe({
        group: uniqueName('group'),
        topics: [topic],
        maxBatchSize: 100,
        gatherPartitions: true,
        retry: { attempts: 1 },
        onHandled: (info) => handled.push(info),
        handler: async (messages) => {
          if (messages.some((message) => message.headers.messageId === poison)) {
            throw new BadInputError('not a conversation message');
          }
          await seen.handler(messages);
        },
      });
      const deadLetters = await readDeadLetters(bus, deadLetterTopic);
      await bus.start();
      await seen.until(119);
      await deadLetters.until(1);

      expect(deadLetters.messages.map((message) => message.headers.messageId)).toEqual([poison]);
      for (const key of keys) {
        const ofKey = seen.messages.filter((message) => message.key === key).map(seqOf);
        expect(ofKey).toEqual([0, 1, 2, 3, 4, 5].filter((seq) => `${key}:${seq}` !== poison));
      }
      for (const batch of seen.batches) {
        expect(batch.length).toBeLessThanOrEqual(100);
        for (const partition of new Set(batch.map((message) => message.partition))) {
          const offsets = batch
            .filter((message) => message.partition === partition)
            .map((message) => Number(message.offset));
          expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        }
      }
      expect(handled.some((info) => info.partitions.length > 1)).toBe(true);
      expect(handled.reduce((sum, info) => sum + info.count, 0)).toBe(120);
    });

    it('gives every consumer group every record', async () => {
      const { bus } = open();
      const topic = uniqueName('contract.groups');
      await bus.ensureTopics([{ topic, partitions: 3 }]);
      const router = collector();
      const tickets = collector();
      await bus.subscribe({
        group: uniqueName('router'),
        topics: [topic],
        handler: router.handler,
      });
      await bus.subscribe({
        group: uniqueName('tickets'),
        topics: [topic],
        handler: tickets.handler,
      });
      await bus.start();

      const records = Array.from({ length: 30 }, (_, n) =>
        sequenced(topic, `conversation-${n % 7}`, n),
      );
      await bus.publish(records);
      await router.until(30);
      await tickets.until(30);

      const ids = (messages: DeliveredMessage[]) => messages.map((m) => m.headers.messageId).sort();
      const published = records.map((record) => record.headers.messageId).sort();
      expect(ids(router.messages)).toEqual(published);
      expect(ids(tickets.messages)).toEqual(published);
    });

    it('resumes a group from its committed offsets after stop and start, losing and repeating nothing', async () => {
      const { bus } = open();
      const topic = uniqueName('contract.resume');
      await bus.ensureTopics([{ topic, partitions: 3 }]);
      const seen = collector();
      await bus.subscribe({ group: uniqueName('group'), topics: [topic], handler: seen.handler });
      await bus.start();

      const record = (n: number) => sequenced(topic, `conversation-${n % 5}`, n);
      await bus.publish(Array.from({ length: 20 }, (_, n) => record(n)));
      await seen.until(20);
      await bus.stop();
      await bus.publish(Array.from({ length: 20 }, (_, n) => record(20 + n)));
      await sleep(300);
      expect(seen.messages).toHaveLength(20);

      await bus.start();
      await seen.until(40);
      await sleep(500);
      expect(seen.messages.map(seqOf).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 40 }, (_, n) => n),
      );
    });

    it('dead-letters a poison record with its error while the rest of its partition flows on', async () => {
      const { bus, deadLetterTopic } = open();
      const topic = uniqueName('contract.poison');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      const handled = collector();
      const outcomes: HandledInfo['outcome'][] = [];
      const group = uniqueName('group');
      await bus.subscribe({
        group,
        topics: [topic],
        retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
        maxBatchSize: 10,
        onHandled: (info) => outcomes.push(info.outcome),
        handler: async (messages) => {
          if (messages.some((message) => seqOf(message) === 3)) {
            throw new TypeError('cannot read properties of undefined (reading "subject")');
          }
          await handled.handler(messages);
        },
      });
      const deadLetters = await readDeadLetters(bus, deadLetterTopic);
      await bus.start();

      const records = Array.from({ length: 10 }, (_, seq) =>
        sequenced(topic, 'conversation-1', seq),
      );
      records[3].headers.traceId = 'trace-of-the-poison';
      records[3].extraHeaders = { 'x-channel': 'telegram' };
      await bus.publish(records);
      await handled.until(9);
      await bus.publish([sequenced(topic, 'conversation-1', 10)]);
      await handled.until(10);
      await deadLetters.until(1);

      expect(handled.messages.map(seqOf)).toEqual([0, 1, 2, 4, 5, 6, 7, 8, 9, 10]);
      expect(outcomes).toContain('dead-lettered');
      expect(deadLetters.messages).toHaveLength(1);
      const [deadLetter] = deadLetters.messages;
      expect(deadLetter.key).toBe('conversation-1');
      expect(deadLetter.value).toEqual(Buffer.from(records[3].value));
      expect(deadLetter.headers).toMatchObject({
        messageId: 'conversation-1:3',
        type: 'firstline.test.Sequenced',
        traceId: 'trace-of-the-poison',
      });
      expect(deadLetter.extraHeaders).toEqual({
        'x-channel': 'telegram',
        [DEAD_LETTER_HEADER.error]:
          'TypeError: cannot read properties of undefined (reading "subject")',
        [DEAD_LETTER_HEADER.errorKind]: 'retryable',
        [DEAD_LETTER_HEADER.sourceTopic]: topic,
        [DEAD_LETTER_HEADER.sourcePartition]: '0',
        [DEAD_LETTER_HEADER.sourceOffset]: '3',
        [DEAD_LETTER_HEADER.group]: group,
        // Two attempts on the whole batch, then two on the record alone.
        [DEAD_LETTER_HEADER.attempts]: '4',
      });
    });

    it('dead-letters bad input at once, without retrying', async () => {
      // A retry would wait a minute and time the test out.
      const { bus, deadLetterTopic } = open({
        retry: { attempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      const topic = uniqueName('contract.bad-input');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      let calls = 0;
      await bus.subscribe({
        group: uniqueName('group'),
        topics: [topic],
        handler: async () => {
          calls += 1;
          throw new BadInputError('the form has no e-mail address');
        },
      });
      const deadLetters = await readDeadLetters(bus, deadLetterTopic);
      await bus.start();

      await bus.publish([sequenced(topic, 'form-1', 0)]);
      await deadLetters.until(1);

      expect(calls).toBe(1);
      expect(deadLetters.messages[0].extraHeaders).toMatchObject({
        [DEAD_LETTER_HEADER.error]: 'BadInputError: the form has no e-mail address',
        [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
        [DEAD_LETTER_HEADER.attempts]: '1',
      });
    });

    it('dead-letters the records its subscription cannot read and hands over the rest', async () => {
      // A retry would wait a minute and time the test out: unreadable records are not retried.
      const { bus, deadLetterTopic } = open({
        retry: { attempts: 5, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      });
      const topic = uniqueName('contract.read');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      const received: Array<{ seq: number; offset: string }> = [];
      await bus.subscribe<{ seq: number; offset: string }>({
        group: uniqueName('group'),
        topics: [topic],
        read: (record) => {
          if (record.headers.type !== 'firstline.test.Sequenced') {
            throw new BadInputError(`not a sequenced record: ${record.headers.type}`);
          }
          return { seq: seqOf(record), offset: record.offset };
        },
        handler: async (items) => {
          received.push(...items);
        },
      });
      const deadLetters = await readDeadLetters(bus, deadLetterTopic);
      await bus.start();

      await bus.publish([
        sequenced(topic, 'ticket-1', 0),
        { ...sequenced(topic, 'ticket-1', 1), headers: { messageId: 'odd', type: 'other.Type' } },
        sequenced(topic, 'ticket-1', 2),
      ]);
      await deadLetters.until(1);
      await eventually(() => received.length === 2, 'the readable records');

      expect(received).toEqual([
        { seq: 0, offset: '0' },
        { seq: 2, offset: '2' },
      ]);
      expect(deadLetters.messages[0].headers.messageId).toBe('odd');
      expect(deadLetters.messages[0].extraHeaders).toMatchObject({
        [DEAD_LETTER_HEADER.error]: 'BadInputError: not a sequenced record: other.Type',
        [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
        [DEAD_LETTER_HEADER.sourceTopic]: topic,
        [DEAD_LETTER_HEADER.sourceOffset]: '1',
        [DEAD_LETTER_HEADER.attempts]: '1',
      });
    });

    it('retries a failing batch with growing delays until it succeeds', async () => {
      const { bus } = open();
      const topic = uniqueName('contract.retry');
      await bus.ensureTopics([{ topic, partitions: 1 }]);
      const attemptsAt: number[] = [];
      const handled: HandledInfo[] = [];
      await bus.subscribe({
        group: uniqueName('group'),
        topics: [topic],
        retry: { attempts: 4, initialDelayMs: 100, maxDelayMs: 1_000 },
        onHandled: (info) => handled.push(info),
        handler: async () => {
          attemptsAt.push(performance.now());
          if (attemptsAt.length <= 2) throw new RetryableError('database is restarting');
        },
      });
      await bus.start();

      await bus.publish([sequenced(topic, 'conversation-1', 0)]);
      await eventually(() => handled.length === 1, 'the handled batch');

      expect(attemptsAt).toHaveLength(3);
      expect(attemptsAt[1] - attemptsAt[0]).toBeGreaterThanOrEqual(95);
      expect(attemptsAt[2] - attemptsAt[1]).toBeGreaterThanOrEqual(195);
      expect(handled[0]).toMatchObject({ topic, partitions: [0], count: 1, outcome: 'retried' });
    });

    it('holds only the partition whose dependency is unavailable, for longer than the retry budget, and dead-letters nothing', async () => {
      const { bus, deadLetterTopic } = open({
        retry: { attempts: 2, initialDelayMs: 20, maxDelayMs: 100 },
      });
      const topic = uniqueName('contract.unavailable');
      await bus.ensureTopics([{ topic, partitions: 2 }]);
      const [waiting, flowing] = keysOnPartitions(2);
      let databaseDown = true;
      let refusals = 0;
      const handled = collector();
      const outcomes: HandledInfo['outcome'][] = [];
      await bus.subscribe({
        group: uniqueName('group'),
        topics: [topic],
        onHandled: (info) => outcomes.push(info.outcome),
        handler: async (messages) => {
          if (databaseDown && messages.some((message) => message.key === waiting)) {
            refusals += 1;
            throw new UnavailableError('connect ECONNREFUSED 127.0.0.1:5432');
          }
          await handled.handler(messages);
        },
      });
      const deadLetters = await readDeadLetters(bus, deadLetterTopic);
      await bus.start();

      await bus.publish([0, 1, 2].map((seq) => sequenced(topic, waiting, seq)));
      await bus.publish([0, 1, 2].map((seq) => sequenced(topic, flowing, seq)));
      await handled.until(3);
      // Far beyond two attempts' budget; the other partition keeps taking new records meanwhile.
      await sleep(1_500);
      await bus.publish([3, 4].map((seq) => sequenced(topic, flowing, seq)));
      await handled.until(5);
      expect(handled.messages.map((message) => message.key)).toEqual(Array(5).fill(flowing));
      expect(refusals).toBeGreaterThan(2);

      databaseDown = false;
      await handled.until(8);
      await sleep(300);
      const ofWaiting = handled.messages.filter((message) => message.key === waiting);
      expect(ofWaiting.map(seqOf)).toEqual([0, 1, 2]);
      expect(outcomes).not.toContain('dead-lettered');
      expect(deadLetters.messages).toEqual([]);
    });
  });
}
