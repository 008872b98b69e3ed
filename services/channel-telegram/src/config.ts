import { baseUrl, jsonList, parseConfig, webhookSecret, type Env } from '@firstline/config';
import { z } from 'zod';

/** One bot as configured in TELEGRAM_BOTS. */
export interface BotConfig {
  /** Our name for it: part of ids, conversation keys and its webhook path. */
  name: string;
  token: string;
  mode: 'webhook' | 'polling';
  /** Webhook mode: what Telegram must send in X-Telegram-Bot-Api-Secret-Token. */
  secret?: string;
}

export interface TelegramConfig {
  bots: BotConfig[];
  /** Where the Bot API lives; tests point it at a local fake. */
  apiRoot: string;
  /**
   * How Telegram and agents reach this service from outside: webhooks are registered at
   * `<url>/telegram/<bot>/webhook` when it is set, and file links point at `<url>/telegram/<bot>/files/…`.
   */
  publicUrl?: string;
  filesBaseUrl: string;
  /** How long a signed file link stored in a ticket opens the file. */
  fileLinkTtlSeconds: number;
  /** Long polling: how long one getUpdates call waits for updates. */
  pollTimeoutSeconds: number;
}

export const TELEGRAM_CONFIG = Symbol('TelegramConfig');

const bot = z
  .object({
    name: z.string().regex(/^[a-z0-9_-]{1,32}$/, 'name must be 1-32 of a-z, 0-9, _ and -'),
    token: z
      .string()
      .regex(/^\d+:[\w-]+$/, 'token must look like 123456:ABC-DEF… (from @BotFather)'),
    mode: z.enum(['webhook', 'polling'], { message: 'mode must be "webhook" or "polling"' }),
    // setWebhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and -; we ask for at least 16.
    secret: webhookSecret({
      max: 256,
      alphabet: { pattern: /^[A-Za-z0-9_-]+$/, described: 'A-Z, a-z, 0-9, _ and -' },
    }).optional(),
  })
  .strict()
  .refine((b) => b.mode !== 'webhook' || b.secret, 'webhook mode needs a secret');

const bots = z
  .array(bot)
  .min(1, 'must name at least one bot')
  .refine(
    (list) => new Set(list.map((b) => b.name)).size === list.length,
    'bot names must be unique',
  );

function wholeNumber(unit: string, min: number, max: number) {
  const message = `must be a whole number of ${unit}, ${min}-${max}`;
  return z.coerce.number({ message }).int(message).min(min, message).max(max, message);
}

const variables = {
  /**
   * A JSON array of bots (tokens contain ":", so a colon-separated list would be ambiguous), e.g.
   * [{"name":"support","token":"123:ABC","mode":"polling"},{"name":"sales","token":"456:DEF","mode":"webhook","secret":"wH7kQ2pLx9vR4tZb"}].
   */
  TELEGRAM_BOTS: jsonList(bots, {
    item: 'bot',
    example: '[{"name":"support","token":"123:ABC","mode":"polling"}]',
  }),
  /** Where the Bot API lives; tests point it at a local fake. */
  TELEGRAM_API_ROOT: baseUrl.default('https://api.telegram.org'),
  TELEGRAM_PUBLIC_URL: baseUrl.optional(),
  TELEGRAM_POLL_TIMEOUT_SECONDS: wholeNumber('seconds', 0, 50).default(30),
  TELEGRAM_FILE_LINK_TTL_DAYS: wholeNumber('days', 1, 3650).default(30),
};

/** Reads the Telegram variables; throws ConfigError naming the variable (and the bot). */
export function parseTelegramConfig(env: Env): TelegramConfig {
  const config = parseConfig(variables, env);
  return {
    bots: config.TELEGRAM_BOTS,
    apiRoot: config.TELEGRAM_API_ROOT,
    publicUrl: config.TELEGRAM_PUBLIC_URL,
    filesBaseUrl: config.TELEGRAM_PUBLIC_URL ?? 'http://127.0.0.1:3004',
    fileLinkTtlSeconds: config.TELEGRAM_FILE_LINK_TTL_DAYS * 24 * 60 * 60,
    pollTimeoutSeconds: config.TELEGRAM_POLL_TIMEOUT_SECONDS,
  };
}
