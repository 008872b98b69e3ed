import { ConfigError } from '@firstline/config';
import { stopOnSignals } from '@firstline/runtime';
import { DEMO_PASSWORD, demoSignIns } from '@firstline/tickets';
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
  const tickets = embedded.services.find((service) => service.name === 'tickets');
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
    ...(tickets ? [`Agents' console: ${tickets.url}/console/`, ...signIns(embedded.demo)] : []),
  ];
  return lines.join('\n') + '\n';
}

function signIns(demo: boolean): string[] {
  if (!demo) {
    return [
      'Sign in as FIRSTLINE_ADMIN_EMAIL, or as the admin whose password the first start logged.',
      '',
    ];
  }
  const accounts = demoSignIns();
  const width = Math.max(...accounts.map((account) => account.email.length));
  return [
    `Demo sign-ins, all with the password ${DEMO_PASSWORD} (FIRSTLINE_DEMO=0 starts without the demo):`,
    ...accounts.map((account) => `  ${account.email.padEnd(width)}  ${account.role}`),
    '',
  ];
}
