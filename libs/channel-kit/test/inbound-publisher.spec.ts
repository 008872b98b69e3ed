import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  type CheckpointedSource,
  type KafkaBus,
  type MessageBus,
  type OutgoingMessage,
} from '@firstline/bus';
import type { Normalised } from '@firstline/channel';
import {
  Channel,
  create,
  IdentitySchema,
  InboundMessageSchema,
  TOPICS,
} from '@firstline/contracts';
import { ensureKafka } from '@firstline/testing';
import { InboundPublisher, jsonPayload, type NormalisedPayload } from '../src/inbound-publisher';
import { collectMessages, collectRecords, isolated, kafkaBus } from './support';

jest.setTimeout(60_000);

const topics = isolated([TOPICS.inbound.name, DEAD_LETTER_TOPIC]);
let bus: KafkaBus;
/** The real broker, on this test's topics. */
let broker: Pick<MessageBus, 'publish'>;

beforeAll(async () => {
  bus = kafkaBus(await ensureKafka());
  broker = topics.wrap(bus);
  await bus.ensureTopics(topics.specs);
});

afterAll(() => bus.stop());

/** A customer's Telegram message as the adapter normalises it. */
function customerWrote(updateId: number, text: string): NormalisedPayload {
  const message = create(InboundMessageSchema, {
    messageId: `telegram:support_bot:${updateId}`,
    conversationKey: 'telegram:support_bot:1001',
    channel: Channel.TELEGRAM,
    sender: create(IdentitySchema, { value: '1001' }),
    textBody: text,
  });
  return {
    result: { kind: 'message', message },
    payload: update(updateId, { message: { text } }),
  };
}

function update(updateId: number, body: object) {
  return jsonPayload(
    'telegram:support_bot',
    `telegram:support_bot:update:${updateId}`,
    'telegram.Update',
    { update_id: updateId, ...body },
  );
}

function outcome(updateId: number, result: Normalised): NormalisedPayload {
  return { result, payload: update(updateId, { edited_message: {} }) };
}

describe('InboundPublisher', () => {
  it('publishes messages, dead-letters rejected payloads with their reason and counts the ignored', async () => {
    const publisher = new InboundPublisher({ bus: broker, name: 'telegram' });
    const inbound = await collectMessages(bus, topics.nameOf(TOPICS.inbound.name), TOPICS.inbound);
    const deadLetters = await collectRecords(bus, topics.nameOf(DEAD_LETTER_TOPIC));
    await bus.start();

    const summary = await publisher.publish([
      customerWrote(1, 'My parcel has not arrived'),
      outcome(2, { kind: 'rejected', reason: 'a contact without a phone number' }),
      outcome(3, { kind: 'ignored', reason: 'a live location update' }),
      customerWrote(4, 'It is order 1234'),
    ]);

    expect(summary).toEqual({ published: 2, rejected: 1, ignored: 1 });
    await inbound.until(2);
    await deadLetters.until(1);
    expect(inbound.messages().map((message) => message.textBody)).toEqual([
      'My parcel has not arrived',
      'It is order 1234',
    ]);
    expect(inbound.received[0].record.headers.messageId).toBe('telegram:support_bot:1');
    expect(inbound.received[0].record.key).toBe('telegram:support_bot:1001');

    const [deadLetter] = deadLetters.records;
    expect(JSON.parse(deadLetter.value.toString('utf8'))).toEqual({
      update_id: 2,
      edited_message: {},
    });
    expect(deadLetter.key).toBe('telegram:support_bot');
    expect(deadLetter.headers).toMatchObject({
      messageId: 'telegram:support_bot:update:2',
      type: 'telegram.Update',
    });
    expect(deadLetter.extraHeaders).toEqual({
      [DEAD_LETTER_HEADER.error]: 'BadInputError: a contact without a phone number',
      [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
      [DEAD_LETTER_HEADER.sourceTopic]: 'telegram:support_bot',
      [DEAD_LETTER_HEADER.attempts]: '1',
    });
  });

  it("publishes a polled source's batch and its checkpoint in one call of the source", async () => {
    const calls: Array<{ records: OutgoingMessage[]; checkpoint: string }> = [];
    const source: CheckpointedSource = {
      name: 'telegram:support_bot',
      checkpoint: undefined,
      publish: async (records, checkpoint) => void calls.push({ records, checkpoint }),
      close: async () => undefined,
    };
    const publisher = new InboundPublisher({ bus: broker, name: 'telegram' });

    const summary = await publisher.publishWithCheckpoint(
      source,
      [
        customerWrote(7, 'Hello'),
        outcome(8, { kind: 'rejected', reason: 'a contact without a phone number' }),
        outcome(9, { kind: 'ignored', reason: 'a live location update' }),
      ],
      '10',
    );

    expect(summary).toEqual({ published: 1, rejected: 1, ignored: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0].checkpoint).toBe('10');
    expect(calls[0].records.map((record) => [record.topic, record.headers.messageId])).toEqual([
      [TOPICS.inbound.name, 'telegram:support_bot:7'],
      [DEAD_LETTER_TOPIC, 'telegram:support_bot:update:8'],
    ]);
  });

  it('resolves only once the broker acknowledged, publishing concurrent callers together', async () => {
    const requests: number[] = [];
    let acknowledge!: () => void;
    const acknowledged = new Promise<void>((resolve) => (acknowledge = resolve));
    const publisher = new InboundPublisher({
      name: 'telegram',
      bus: {
        // The first request is held back, as a slow broker would: the others queue behind it.
        publish: async (records) => {
          requests.push(records.length);
          if (requests.length === 1) await acknowledged;
          await broker.publish(records);
        },
      },
    });
    const answered: number[] = [];
    const webhooks = [10, 11, 12].map((id) =>
      publisher.publish([customerWrote(id, `message ${id}`)]).then(() => answered.push(id)),
    );

    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(answered).toEqual([]);
    acknowledge();
    await Promise.all(webhooks);

    expect(answered.sort()).toEqual([10, 11, 12]);
    // The first alone, the two that arrived while it was in flight in one request.
    expect(requests).toEqual([1, 2]);
  });

  it('fails the callers whose records the broker did not take, so their platform redelivers', async () => {
    const publisher = new InboundPublisher({
      name: 'telegram',
      bus: kafkaBus(['127.0.0.1:1']),
    });

    await expect(publisher.publish([customerWrote(20, 'hello')])).rejects.toThrow();
  });

  it('stores the files of a message before publishing it', async () => {
    const steps: string[] = [];
    const publisher = new InboundPublisher({
      name: 'email',
      bus: {
        publish: async (records) => {
          await broker.publish(records);
          steps.push(`published ${records.length}`);
        },
      },
      storeFiles: async (files) => {
        steps.push(`stored ${files.map((file) => file.storageKey).join(', ')}`);
      },
    });
    const withFile = customerWrote(30, 'see the photo');
    if (withFile.result.kind !== 'message') throw new Error('a message');
    withFile.result.files = [{ storageKey: 'sha256:abc', content: Buffer.from('jpeg') }];

    await publisher.publish([withFile]);

    expect(steps).toEqual(['stored sha256:abc', 'published 1']);
  });
});
