import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InProcessBus, KafkaBus, type MessageBus } from '@firstline/bus';
import { channelChatService } from '@firstline/channel-chat';
import { channelEmailService } from '@firstline/channel-email';
import { channelOkService } from '@firstline/channel-ok';
import { channelTelegramService } from '@firstline/channel-telegram';
import { channelVkService } from '@firstline/channel-vk';
import { channelWebformService } from '@firstline/channel-webform';
import {
  commonVariables,
  kafkaBrokers,
  parseConfig,
  port,
  positiveInt,
  postgresUrl,
  type Env,
} from '@firstline/config';
import { openDatabaseRecordLog, startEmbeddedPostgres } from '@firstline/persistence';
import { routerService } from '@firstline/router';
import { createLogger } from '@firstline/observability';
import {
  busLogger,
  startService,
  type RunningService,
  type ServiceDefinition,
} from '@firstline/runtime';
import { isDemo, ticketsService } from '@firstline/tickets';
import { z } from 'zod';

/** In start order: the consumers of a topic come up before its producers. */
export const SERVICES: ServiceDefinition[] = [
  ticketsService,
  routerService,
  channelWebformService,
  channelEmailService,
  channelTelegramService,
  channelVkService,
  channelOkService,
  channelChatService,
];

const variables = {
  ...commonVariables,
  HOST: z.string().default('127.0.0.1'),
  /** Shifts every service's default port by the same amount (PORT=4000 → tickets on 4000, web forms on 4001, …). */
  PORT: port.default(3000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: postgresUrl.optional(),
  DATABASE_POOL_SIZE: positiveInt.default(2),
  KAFKA_BROKERS: kafkaBrokers.optional(),
};

export interface Embedded {
  services: RunningService[];
  databaseUrl: string;
  dataDir: string;
  busKind: 'in-process' | 'kafka';
  /** Whether the tickets service seeds the demo directory and its accounts. */
  demo: boolean;
  stop(): Promise<void>;
}

/**
 * Every service in one process: the in-process bus and PGlite (data in DATA_DIR) unless
 * KAFKA_BROKERS / DATABASE_URL point at real infrastructure, in which case the same services run
 * on it unchanged.
 */
export async function startEmbedded(env: Env = process.env): Promise<Embedded> {
  const config = parseConfig(variables, env);
  const dataDir = resolve(config.DATA_DIR);
  env.RATING_LINK_SECRET ??= keptSecret(dataDir, 'rating-link.secret');
  env.CHAT_TOKEN_SECRET ??= keptSecret(dataDir, 'chat-token.secret');
  const database = config.DATABASE_URL
    ? { url: config.DATABASE_URL, stop: async () => undefined }
    : await startEmbeddedPostgres({ dataDir: resolve(dataDir, 'postgres') });
  const busLog = createLogger({ service: 'bus', level: config.LOG_LEVEL });
  const logger = busLogger(busLog);
  // The in-process bus keeps its records in the database, so what it acknowledged survives a crash.
  const recordLog = config.KAFKA_BROKERS
    ? undefined
    : await openDatabaseRecordLog({ url: database.url, logger: busLog }).catch(
        async (error: unknown) => {
          await database.stop();
          throw error;
        },
      );
  const bus: MessageBus = recordLog
    ? new InProcessBus({ logger, log: recordLog })
    : new KafkaBus({
        brokers: config.KAFKA_BROKERS!,
        clientId: 'firstline-embedded',
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
        logger,
      });

  const services: RunningService[] = [];
  const stop = async () => {
    for (const service of services.reverse()) await service.stop();
    await bus.stop();
    await recordLog?.close();
    await database.stop();
  };
  try {
    for (const service of SERVICES.filter((definition) => definition.enabledInEmbeddedMode(env))) {
      const servicePort = config.PORT === 0 ? 0 : service.defaultPort - 3000 + config.PORT;
      services.push(
        await startService(
          service,
          {
            mode: 'embedded',
            bus,
            ownsBus: false,
            databaseUrl: database.url,
            databasePoolSize: config.DATABASE_POOL_SIZE,
            // PGlite is one session for every connection: prepared names would collide there.
            prepareStatements: Boolean(config.DATABASE_URL),
            host: config.HOST,
            logLevel: config.LOG_LEVEL,
            partitions: config.KAFKA_PARTITIONS,
            replicationFactor: config.KAFKA_REPLICATION_FACTOR,
          },
          servicePort,
        ),
      );
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return {
    services,
    databaseUrl: database.url,
    dataDir,
    busKind: config.KAFKA_BROKERS ? 'kafka' : 'in-process',
    demo: isDemo(env, 'embedded'),
    stop,
  };
}

/**
 * A secret made once and kept in the data directory, when none is configured: the one the tickets
 * service signs the survey's rating links with and the web form checks them by, so links in mails
 * already sent keep working after a restart; the one visitor tokens are signed with, so chat
 * visitors keep their conversations.
 */
function keptSecret(dataDir: string, name: string): string {
  const file = resolve(dataDir, name);
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  }
  return readFileSync(file, 'utf8').trim();
}
