import type { SendFailure } from '@firstline/channel';
import { FirstlineError, type ErrorKind } from '@firstline/errors';

/** The error body of the Bot API (https://core.telegram.org/bots/api#making-requests). */
interface BotApiError {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/**
 * What a failed Bot API call means for the message: the one place this adapter decides it. An
 * answer of the Bot API (grammY's GrammyError carries its body's fields) is read by its error
 * code; a Firstline error (a file that cannot be read or is above a limit) already says what it
 * is; anything else failed before an answer came back (connection refused, timeout).
 */
export function classifyError(error: unknown): SendFailure {
  if (isBotApiError(error)) return classifyBotApiError(error);
  if (error instanceof FirstlineError) {
    return { kind: error.kind, reason: error.message, recipientUnreachable: false };
  }
  return networkFailure(error);
}

/**
 * 429: wait `retry_after` and try again. 403 (blocked by the user, user deactivated, bot may not
 * start the chat) and 400 "chat not found": nobody can reach this customer here. Other 400s: the
 * message itself is wrong. 401/404: the bot's token is wrong, so retrying is pointless.
 * 5xx and anything else: presumably transient.
 */
function classifyBotApiError(error: BotApiError): SendFailure {
  const reason = error.description.replace(/^(Bad Request|Forbidden|Too Many Requests):\s*/, '');
  const failure = (kind: ErrorKind, recipientUnreachable = false): SendFailure => ({
    kind,
    reason,
    recipientUnreachable,
  });
  switch (error.error_code) {
    case 429:
      return { ...failure('retryable'), retryAfterMs: (error.parameters?.retry_after ?? 1) * 1000 };
    case 403:
      return failure('permanent', true);
    case 400:
      return /chat not found|user not found/i.test(error.description)
        ? failure('permanent', true)
        : failure('bad-input');
    case 401:
    case 404:
      return failure('permanent');
    default:
      return failure('retryable');
  }
}

function networkFailure(error: unknown): SendFailure {
  return {
    kind: 'retryable',
    reason: `Bot API unreachable: ${error instanceof Error ? error.message : String(error)}`,
    recipientUnreachable: false,
  };
}

function isBotApiError(error: unknown): error is BotApiError {
  const candidate = error as Partial<BotApiError> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.error_code === 'number' &&
    typeof candidate.description === 'string'
  );
}
