import { timingSafeEqual } from 'node:crypto';

/** The header Telegram sets on webhook requests to the secret given in setWebhook. */
export const SECRET_TOKEN_HEADER = 'x-telegram-bot-api-secret-token';

/** True when the request carries the bot's webhook secret; compared in constant time. */
export function verifyWebhookSecret(
  expected: string,
  received: string | string[] | undefined,
): boolean {
  if (typeof received !== 'string') return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}
