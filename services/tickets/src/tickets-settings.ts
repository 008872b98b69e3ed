import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseConfig, positiveInt, type Env } from '@firstline/config';
import type { LifecyclePolicy } from '@firstline/ticketing';

const HOUR_MS = 60 * 60 * 1000;

const variables = {
  TICKETS_REOPEN_WINDOW_HOURS: positiveInt.default(7 * 24),
  TICKETS_AUTO_CLOSE_HOURS: positiveInt.default(7 * 24),
  /** Signs agents' tokens; every replica needs the same one. Unset: random per process. */
  TICKETS_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TICKETS_TOKEN_TTL_MINUTES: positiveInt.default(12 * 60),
};

/** The tickets service's own settings, validated when the module starts. */
export class TicketsSettings {
  readonly lifecycle: LifecyclePolicy;
  readonly tokenSecret: Buffer;
  readonly tokenTtlMs: number;
  /** False when the secret was generated: tokens then die with the process. */
  readonly tokenSecretConfigured: boolean;

  constructor(env: Env = process.env) {
    const config = parseConfig(variables, env);
    this.lifecycle = {
      reopenWindowMs: config.TICKETS_REOPEN_WINDOW_HOURS * HOUR_MS,
      autoCloseAfterMs: config.TICKETS_AUTO_CLOSE_HOURS * HOUR_MS,
    };
    this.tokenSecretConfigured = config.TICKETS_TOKEN_SECRET !== undefined;
    this.tokenSecret = config.TICKETS_TOKEN_SECRET
      ? Buffer.from(config.TICKETS_TOKEN_SECRET)
      : randomBytes(32);
    this.tokenTtlMs = config.TICKETS_TOKEN_TTL_MINUTES * 60 * 1000;
  }
}
