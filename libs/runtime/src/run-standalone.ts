import { KafkaBus } from '@firstline/bus';
import { createLogger } from '@firstline/observability';
import {
  commonVariables,
  kafkaBrokers,
  loadConfigOrExit,
  port,
  positiveInt,
  postgresUrl,
} from '@firstline/config';
import type { ServiceDefinition } from './service-definition';
import { startService, type RunningService } from './start-service';
import { busLogger } from './bus-logger';
import { idleReason, startIdle } from './idle';
import { stopOnSignals } from './signals';

/** One service in its own process, on Kafka and Postgres: how it runs in production. */
export async function runStandalone(service: ServiceDefinition): Promise<RunningService> {
  const config = loadConfigOrExit({
    ...commonVariables,
    DATABASE_URL: postgresUrl,
    DATABASE_POOL_SIZE: positiveInt.default(10),
    KAFKA_BROKERS: kafkaBrokers,
    PORT: port.default(service.defaultPort),
  });
  const reason = idleReason(service, process.env);
  if (reason) {
    const idle = await startIdle(service, reason, {
      host: config.HOST,
      port: config.PORT,
      logLevel: config.LOG_LEVEL,
    });
    stopOnSignals(idle.logger, () => idle.stop());
    return idle;
  }
  const bus = new KafkaBus({
    brokers: config.KAFKA_BROKERS,
    clientId: `firstline-${service.name}`,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    logger: busLogger(createLogger({ service: service.name, level: config.LOG_LEVEL })),
  });
  const running = await startService(
    service,
    {
      mode: 'standalone',
      bus,
      ownsBus: true,
      databaseUrl: config.DATABASE_URL,
      databasePoolSize: config.DATABASE_POOL_SIZE,
      host: config.HOST,
      logLevel: config.LOG_LEVEL,
      partitions: config.KAFKA_PARTITIONS,
      replicationFactor: config.KAFKA_REPLICATION_FACTOR,
    },
    config.PORT,
  );
  stopOnSignals(running.logger, () => running.stop());
  return running;
}
