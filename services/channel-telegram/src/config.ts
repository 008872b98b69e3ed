import { ConfigError, webhookSecret, type Env } from '@firstline/config';
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

const EXAMPLE =
  '[{"name":"support","token":"123:ABC","mode":"polling"},{"name":"sales","token":"456:DEF","mode":"webhook","secret":"wH7kQ2pLx9vR4tZb"}]';

/**
 * Reads the Telegram variables. TELEGRAM_BOTS is a JSON array (tokens contain ":", so a
 * colon-separated list would be ambiguous). Errors name the variable and the bot but never echo
 * the value: it holds the tokens.
 */
export function parseTelegramConfig(env: Env): TelegramConfig {
  const listed = env.TELEGRAM_BOTS?.trim();
  if (!listed) {
    throw new ConfigError('TELEGRAM_BOTS', `is required: a JSON array of bots, e.g. ${EXAMPLE}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(listed);
  } catch {
    throw new ConfigError('TELEGRAM_BOTS', `must be a JSON array of bots, e.g. ${EXAMPLE}`);
  }
  const result = bots.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    const index = issue.path[0];
    const where = typeof index === 'number' ? `bot ${index + 1}: ` : '';
    throw new ConfigError('TELEGRAM_BOTS', `is invalid: ${where}${issue.message}`);
  }
  const apiRoot = (env.TELEGRAM_API_ROOT || 'https://api.telegram.org').replace(/\/+$/, '');
  if (!URL.canParse(apiRoot)) throw new ConfigError('TELEGRAM_API_ROOT', 'must be an http(s) URL');
  const publicUrl = env.TELEGRAM_PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl && !URL.canParse(publicUrl)) {
    throw new ConfigError('TELEGRAM_PUBLIC_URL', 'must be an http(s) URL');
  }
  const pollTimeoutSeconds = Number(env.TELEGRAM_POLL_TIMEOUT_SECONDS || 30);
  if (!Number.isInteger(pollTimeoutSeconds) || pollTimeoutSeconds < 0 || pollTimeoutSeconds > 50) {
    throw new ConfigError(
      'TELEGRAM_POLL_TIMEOUT_SECONDS',
      'must be a whole number of seconds, 0-50',
    );
  }
  const fileLinkTtlDays = Number(env.TELEGRAM_FILE_LINK_TTL_DAYS || 30);
  if (!Number.isInteger(fileLinkTtlDays) || fileLinkTtlDays < 1 || fileLinkTtlDays > 3650) {
    throw new ConfigError('TELEGRAM_FILE_LINK_TTL_DAYS', 'must be a whole number of days, 1-3650');
  }
  return {
    bots: result.data,
    apiRoot,
    publicUrl,
    filesBaseUrl: publicUrl ?? 'http://127.0.0.1:3004',
    fileLinkTtlSeconds: fileLinkTtlDays * 24 * 60 * 60,
    pollTimeoutSeconds,
  };
}
