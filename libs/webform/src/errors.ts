import type { SendFailure } from '@firstline/channel';
import { FirstlineError } from '@firstline/errors';

/**
 * What a failed delivery means. The web form delivers by writing the message into the channel's
 * own database for the status page, so what can fail is that write: a message Postgres cannot
 * store (SQLSTATE class 22, e.g. a NUL character in the text) fails the same way every time;
 * anything else (the connection, a deadlock) passes, so it is retried. Nobody can block a status
 * page, so the customer is never unreachable.
 */
export function classifyError(error: unknown): SendFailure {
  const reason = error instanceof Error ? error.message : String(error);
  if (error instanceof FirstlineError) {
    return { kind: error.kind, reason, recipientUnreachable: false };
  }
  const sqlState = (error as { code?: unknown } | undefined)?.code;
  if (typeof sqlState === 'string' && sqlState.startsWith('22')) {
    return {
      kind: 'bad-input',
      reason: `the status page cannot store it: ${reason}`,
      recipientUnreachable: false,
    };
  }
  return {
    kind: 'retryable',
    reason: `the status page could not be written: ${reason}`,
    recipientUnreachable: false,
  };
}
