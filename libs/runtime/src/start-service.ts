import { Global, Module, type DynamicModule, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AddressInfo } from 'node:net';
import { BusModule, type MessageBus } from '@firstline/bus';
import { replicaId } from '@firstline/config';
import { TOPICS } from '@firstline/contracts';
import {
  createLogger,
  NestLogger,
  ObservabilityModule,
  runWithTrace,
  ServiceMetrics,
  traceMiddleware,
  type Logger,
} from '@firstline/observability';
import {
  databaseHealth,
  openDatabase,
  OutboxRelay,
  PersistenceModule,
  persistenceMigrations,
} from '@firstline/persistence';
import { HttpErrorFilter, validationPipe } from './http-errors';
import type { ServiceDefinition } from './service-definition';

/** Alone in its own process (production), or beside the others in `npm start`. */
export type RunMode = 'standalone' | 'embedded';

/** Injects the service's RunMode, for the few defaults that differ (the tickets service's demo). */
export const RUN_MODE = Symbol('firstline.run-mode');

/** What a service runs on; the embedded mode hands every service the same bus and database server. */
export interface Infrastructure {
  /** Default: standalone, so that nothing meant only for trying Firstline out runs by omission. */
  mode?: RunMode;
  bus: MessageBus;
  /** Whether stopping the service also stops the bus (false when the process shares one bus). */
  ownsBus: boolean;
  databaseUrl: string;
  databasePoolSize: number;
  /** Default true: statements run often are prepared per connection; false for PGlite. */
  prepareStatements?: boolean;
  host: string;
  logLevel: string;
  partitions: number;
  replicationFactor: number;
}

export interface RunningService {
  name: string;
  url: string;
  app: INestApplication;
  logger: Logger;
  stop(): Promise<void>;
}

/** Opens the service's schema (running its migrations), starts its outbox relay, its consumers and its HTTP server. */
export async function startService(
  service: ServiceDefinition,
  infrastructure: Infrastructure,
  port: number,
): Promise<RunningService> {
  const logger = createLogger({ service: service.name, level: infrastructure.logLevel });
  const dataSource = await openDatabase({
    url: infrastructure.databaseUrl,
    schema: service.schema,
    migrations: [...persistenceMigrations(service.schema), ...service.migrations],
    poolSize: infrastructure.databasePoolSize,
    applicationName: `firstline-${service.name}`,
    prepareStatements: infrastructure.prepareStatements ?? true,
    logger,
  });
  const relay = new OutboxRelay({ dataSource, bus: infrastructure.bus, logger });
  const metrics = new ServiceMetrics(service.name, {
    consumerLag: () => infrastructure.bus.lag(),
    outboxBacklog: () => relay.backlog(),
  });

  let app: INestApplication | undefined;
  try {
    app = await NestFactory.create(
      serviceRoot(service, {
        bus: BusModule.forRoot({
          bus: infrastructure.bus,
          ownsBus: infrastructure.ownsBus,
          defaultGroup: service.name,
          replica: replicaId(),
          topics: Object.values(TOPICS).map(({ name, compacted }) => ({
            topic: name,
            partitions: infrastructure.partitions,
            replicationFactor: infrastructure.replicationFactor,
            compacted,
          })),
          onHandled: (batch) => metrics.recordBatch(batch),
          // A batch is one partition's records, mostly of one conversation: its log lines carry
          // the first record's trace; a handler that loops over records can narrow it per record.
          aroundHandler: (messages, handle) => runWithTrace(messages[0].headers.traceId, handle),
        }),
        persistence: PersistenceModule.forRoot({ dataSource, relay }),
        runMode: runModeModule(infrastructure.mode ?? 'standalone'),
        observability: ObservabilityModule.forService({
          metrics,
          checks: {
            bus: () => infrastructure.bus.health(),
            database: () => databaseHealth(dataSource),
          },
        }),
      }),
      {
        logger: new NestLogger(logger),
        abortOnError: false,
        bodyParser: !service.readsOwnBodies && service.rawBodiesUpTo === undefined,
      },
    );
    app.use(traceMiddleware);
    app.useGlobalPipes(validationPipe());
    app.useGlobalFilters(new HttpErrorFilter(logger));
    if (service.rawBodiesUpTo !== undefined) {
      (app as NestExpressApplication).useBodyParser('raw', {
        type: () => true,
        limit: service.rawBodiesUpTo,
      });
    }
    await service.configure?.(app);
    await app.listen(port, infrastructure.host);
    await relay.start();
  } catch (error) {
    await app?.close();
    await relay.stop();
    await dataSource.destroy();
    throw error;
  }

  const address = app.getHttpServer().address() as AddressInfo;
  const url = `http://${displayHost(infrastructure.host)}:${address.port}`;
  logger.info({ url }, `${service.name} is listening`);
  const running = app;
  return {
    name: service.name,
    url,
    app: running,
    logger,
    async stop() {
      await relay.stop();
      await running.close();
      await dataSource.destroy();
    },
  };
}

function serviceRoot(
  service: ServiceDefinition,
  modules: {
    bus: DynamicModule;
    persistence: DynamicModule;
    runMode: DynamicModule;
    observability: DynamicModule;
  },
): DynamicModule {
  @Module({})
  class ServiceRoot {}
  return {
    module: ServiceRoot,
    imports: [
      modules.bus,
      modules.persistence,
      modules.runMode,
      modules.observability,
      service.module,
    ],
  };
}

function runModeModule(mode: RunMode): DynamicModule {
  @Global()
  @Module({})
  class RunModeModule {}
  return {
    module: RunModeModule,
    providers: [{ provide: RUN_MODE, useValue: mode }],
    exports: [RUN_MODE],
  };
}

/** The address to print: a wildcard listener is reached on the loopback address. */
export function displayHost(host: string): string {
  return host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
}
