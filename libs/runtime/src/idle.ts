import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AddressInfo } from 'node:net';
import type { Env } from '@firstline/config';
import {
  createLogger,
  NestLogger,
  ObservabilityModule,
  ServiceMetrics,
} from '@firstline/observability';
import type { ServiceDefinition } from './service-definition';
import { displayHost, type RunningService } from './start-service';

/** Why the service has nothing to work on, or undefined when it has (or always works). */
export function idleReason(service: ServiceDefinition, env: Env): string | undefined {
  const variable = service.idleWithout;
  if (!variable || env[variable]?.trim()) return undefined;
  return `${variable} is not set`;
}

/**
 * The service without its work: /health answers (nothing it depends on is in use) and /metrics
 * shows the process, so a deployment that lists every channel keeps the unconfigured ones up
 * instead of restarting them in a loop. The log line says what to set.
 */
export async function startIdle(
  service: ServiceDefinition,
  reason: string,
  options: { host: string; port: number; logLevel: string },
): Promise<RunningService> {
  const logger = createLogger({ service: service.name, level: options.logLevel });
  const metrics = new ServiceMetrics(service.name, {
    consumerLag: () => Promise.resolve([]),
    outboxBacklog: () => Promise.resolve(0),
  });

  @Module({ imports: [ObservabilityModule.forService({ metrics, checks: {} })] })
  class IdleRoot {}

  const app = await NestFactory.create(IdleRoot, { logger: new NestLogger(logger) });
  await app.listen(options.port, options.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const url = `http://${displayHost(options.host)}:${port}`;
  logger.warn({ url }, `${service.name} is idle: ${reason}; set it and restart to start working`);
  return { name: service.name, url, app, logger, stop: () => app.close() };
}
