import { ConfigError } from '@firstline/config';
import { stopOnSignals } from '@firstline/runtime';
import { startEmbedded, type Embedded } from './embedded';

const started = Date.now();

startEmbedded().then(
  (embedded) => {
    process.stdout.write(banner(embedded, Date.now() - started));
    stopOnSignals(embedded.services[0].logger, () => embedded.stop());
  },
  (error: unknown) => {
    const reason =
      error instanceof ConfigError
        ? error.message
        : `failed to start: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`firstline: ${reason}\n`);
    process.exit(error instanceof ConfigError ? 78 : 1);
  },
);

function banner(embedded: Embedded, elapsedMs: number): string {
  const width = Math.max(...embedded.services.map((service) => service.name.length));
  const lines = [
    '',
    `Firstline is running (${embedded.busKind} bus, started in ${(elapsedMs / 1000).toFixed(1)} s)`,
    ...embedded.services.map(
      (service) =>
        `  ${service.name.padEnd(width)}  ${service.url}   (${service.url}/health, ${service.url}/metrics)`,
    ),
    `  ${'database'.padEnd(width)}  ${embedded.databaseUrl}`,
    `  ${'data'.padEnd(width)}  ${embedded.dataDir}`,
    '',
  ];
  return lines.join('\n') + '\n';
}
