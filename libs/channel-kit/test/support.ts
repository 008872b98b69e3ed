import {
  KafkaBus,
  readTopic,
  silentLogger,
  type DeliveredMessage,
  type MessageBus,
  type OutgoingMessage,
  type Received,
} from '@firstline/bus';
import type { DescMessage, MessageShape, Topic } from '@firstline/contracts';
import { uniqueName, waitFor } from '@firstline/testing';

/** Short sessions and frequent heartbeats so consumers join and leave quickly. */
export function kafkaBus(brokers: string[]): KafkaBus {
  return new KafkaBus({
    brokers,
    clientId: 'channel-kit-test',
    logger: silentLogger,
    sessionTimeoutMs: 6_000,
    heartbeatIntervalMs: 500,
  });
}

/**
 * The real broker, with the shared topics this test writes to (inbound, receipts, dead letters)
 * mapped to topics of its own, so that it reads only its own records.
 */
export function isolated(topics: string[]) {
  const renamed = new Map(topics.map((topic) => [topic, uniqueName(`kit.${topic}`)]));
  const nameOf = (topic: string) => renamed.get(topic) ?? topic;
  return {
    nameOf,
    specs: [...renamed.values()].map((topic) => ({ topic, partitions: 2 })),
    /** `bus`, publishing to this test's topics. */
    wrap: (bus: Pick<MessageBus, 'publish'>): Pick<MessageBus, 'publish'> => ({
      publish: (messages: OutgoingMessage[]) =>
        bus.publish(messages.map((message) => ({ ...message, topic: nameOf(message.topic) }))),
    }),
  };
}

export type Isolated = ReturnType<typeof isolated>;

/** What arrives on `topic`, as raw records. */
export async function collectRecords(bus: MessageBus, topic: string) {
  const records: DeliveredMessage[] = [];
  await bus.subscribe({
    group: uniqueName('kit.reader'),
    topics: [topic],
    handler: async (batch) => {
      records.push(...batch);
    },
  });
  return {
    records,
    until: (count: number) =>
      waitFor(() => records.length >= count, 30_000, `${count} records on ${topic}`),
  };
}

/** What arrives on `name`, decoded as records of the contract topic `topic`. */
export async function collectMessages<Desc extends DescMessage>(
  bus: MessageBus,
  name: string,
  topic: Topic<Desc, false>,
) {
  const received: Array<Received<MessageShape<Desc>>> = [];
  await bus.subscribe<Received<MessageShape<Desc>>>({
    group: uniqueName('kit.reader'),
    topics: [name],
    read: readTopic(topic),
    handler: async (batch) => {
      received.push(...batch);
    },
  });
  return {
    received,
    messages: () => received.map(({ message }) => message),
    until: (count: number) =>
      waitFor(() => received.length >= count, 30_000, `${count} messages on ${name}`),
  };
}
