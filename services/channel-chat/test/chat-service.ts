import { KafkaBus, silentLogger, type MessageBus } from '@firstline/bus';
import { startService, type RunningService } from '@firstline/runtime';
import { ensureKafka, sealedToRun, startGroupsAtTopicEnd } from '@firstline/testing';
import { channelChatService } from '../src';

/**
 * The name a suite's chat service runs under on the shared broker: one of its own, since in the
 * shared group another suite's chat service would take its replies. Its groups start at the
 * topics' end.
 */
export async function chatServiceOfRun(run: string): Promise<string> {
  const name = `channel-chat-${run}`;
  await startGroupsAtTopicEnd(await ensureKafka(), [name]);
  return name;
}

/**
 * One replica of that chat service on the suite's database, with the bus it owns: sealed to the
 * service's name, so that it reads only what the suite publishes through it (or through another
 * bus sealed so), directory records included, and another suite's replies are not its to refuse.
 */
export async function startChatReplica(
  name: string,
  databaseUrl: string,
  replica = '',
): Promise<{ service: RunningService; bus: MessageBus }> {
  const bus = sealedToRun(
    new KafkaBus({
      brokers: await ensureKafka(),
      clientId: replica ? `${name}-${replica}` : name,
      logger: silentLogger,
    }),
    name,
    // The suites' directories (teams, hours, agents) are theirs too.
    true,
  );
  try {
    const service = await startService(
      { ...channelChatService, name },
      {
        bus,
        ownsBus: true,
        databaseUrl,
        databasePoolSize: 3,
        host: '127.0.0.1',
        logLevel: 'silent',
        partitions: 6,
        replicationFactor: 1,
      },
      0,
    );
    return { service, bus };
  } catch (error) {
    await bus.stop();
    throw error;
  }
}
