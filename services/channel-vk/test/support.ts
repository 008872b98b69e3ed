import type { DescMessage, MessageShape } from '@bufbuild/protobuf';
import { KafkaBus, silentLogger, type DeliveredMessage } from '@firstline/bus';
import { decode, type Topic } from '@firstline/contracts';
import { startService, type RunningService } from '@firstline/runtime';
import { startGroupsAtTopicEnd, uniqueName } from '@firstline/testing';
import { channelVkService } from '../src';

/**
 * channel-vk under `name` (its consumer group: a restarted deployment keeps it) on the shared
 * broker and the run's own database, reading VK_* from the environment the spec set.
 */
export function startChannelVk(
  name: string,
  brokers: string[],
  databaseUrl: string,
): Promise<RunningService> {
  return startService(
    { ...channelVkService, name },
    {
      bus: new KafkaBus({ brokers, clientId: name, logger: silentLogger }),
      ownsBus: true,
      databaseUrl,
      databasePoolSize: 2,
      host: '127.0.0.1',
      logLevel: 'silent',
      partitions: 6,
      replicationFactor: 1,
    },
    0,
  );
}

/**
 * Collects into `seen` the messages published on `topic` from now on that `ours` keeps: the
 * topics are shared with every other run on the broker. Stop the observer it returns.
 */
export async function observe<Desc extends DescMessage>(
  brokers: string[],
  topic: Topic<Desc, false>,
  ours: (message: MessageShape<Desc>) => boolean,
  seen: Array<MessageShape<Desc>>,
): Promise<KafkaBus> {
  const group = uniqueName('channel-vk-test.observer');
  await startGroupsAtTopicEnd(brokers, [group]);
  const observer = new KafkaBus({ brokers, clientId: group, logger: silentLogger });
  await observer.subscribe({
    group,
    topics: [topic.name],
    handler: async (records: DeliveredMessage[]) => {
      for (const record of records) {
        const message = decode(topic.schema, record.value);
        if (ours(message)) seen.push(message);
      }
    },
  });
  await observer.start();
  return observer;
}
