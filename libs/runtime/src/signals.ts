import type { Logger } from '@firstline/observability';

/**
 * SIGTERM / SIGINT finish in-flight work and stop cleanly (consumers commit what they handled);
 * a second signal, or a stop that hangs, exits at once.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info({ signal }, 'stopping');
    setTimeout(() => {
      logger.error({ graceMs }, 'stop took too long; exiting');
      process.exit(1);
    }, graceMs).unref();
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
