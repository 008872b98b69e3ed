import type { BusLogger } from '@firstline/bus';
import type { Logger } from '@firstline/observability';

/** The bus reports through the service's JSON logger. */
export function busLogger(logger: Logger): BusLogger {
  return {
    info: (message, fields) => logger.info(fields ?? {}, message),
    warn: (message, fields) => logger.warn(fields ?? {}, message),
    error: (message, fields) => logger.error(fields ?? {}, message),
  };
}
