import { join } from 'node:path';
import { KafkaBus } from '@firstline/bus';
import { createLogger } from '@firstline/observability';
import { startService, stopOnSignals, busLogger, type ServiceDefinition } from '@firstline/runtime';
import { sealedToRun } from '../pipeline';
import { repositoryRoot } from '../repository-root';

/**
 * `node dist/libs/testing/src/replicas/replica-main.js <service>`: one replica of a built service,
 * started as `runStandalone` starts it, on the shared test broker but sealed to the test's run
 * (FIRSTLINE_TEST_RUN): its consumer groups carry the run, it consumes only what the run published,
 * and what it publishes is marked with the run. Other suites on the broker are none of its business.
 * FIRSTLINE_TEST_WITH_DIRECTORY=1 lets the run's directory through, as `Pipeline`'s `withDirectory`;
 * DATABASE_POOL_SIZE (default 3, few for many replicas on one test server) is what a bench sets to
 * the production default.
 */
async function main(): Promise<void> {
  const [directory] = process.argv.slice(2);
  const run = process.env.FIRSTLINE_TEST_RUN!;
  const exported = (await import(
    join(repositoryRoot, 'dist/services', directory, 'src/service.js')
  )) as Record<string, unknown>;
  const service = Object.values(exported).find(
    (value): value is ServiceDefinition =>
      typeof value === 'object' && value !== null && 'schema' in value && 'module' in value,
  )!;
  const poolSize = Number(process.env.DATABASE_POOL_SIZE ?? 3);
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) {
    throw new Error(
      `DATABASE_POOL_SIZE must be a positive whole number, not "${process.env.DATABASE_POOL_SIZE}"`,
    );
  }
  const name = `${service.name}-${run}`;
  const logger = createLogger({ service: name, level: 'info' });
  const bus = new KafkaBus({
    brokers: process.env.KAFKA_BROKERS!.split(','),
    clientId: name,
    logger: busLogger(logger),
  });
  const running = await startService(
    { ...service, name },
    {
      mode: 'standalone',
      bus: sealedToRun(bus, run, process.env.FIRSTLINE_TEST_WITH_DIRECTORY === '1'),
      ownsBus: true,
      databaseUrl: process.env.DATABASE_URL!,
      databasePoolSize: poolSize,
      host: '127.0.0.1',
      logLevel: 'info',
      partitions: 6,
      replicationFactor: 1,
    },
    0,
  );
  stopOnSignals(running.logger, () => running.stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`replica failed to start: ${String(error)}\n`);
  process.exit(1);
});
