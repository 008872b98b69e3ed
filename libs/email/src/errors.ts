import type { SendFailure } from '@firstline/channel';
import { FirstlineError } from '@firstline/errors';

/**
 * What a failed SMTP send means for the message, decided in this one place. 5xx: the server
 * refused for good (unknown mailbox, rejected content), so the agent must hear of it. 4xx and
 * network errors: try again later. An envelope nodemailer cannot build (no recipient) is bad
 * input; anything already classified (an attachment missing from the store) keeps its kind.
 */
export function classifySmtpError(error: unknown): SendFailure {
  const failure = (kind: SendFailure['kind'], reason: string): SendFailure => ({
    kind,
    reason,
    recipientUnreachable: false,
  });
  if (error instanceof FirstlineError) return failure(error.kind, error.message);
  const { responseCode, response, code, message } = (error ?? {}) as {
    responseCode?: number;
    response?: string;
    code?: string;
    message?: string;
  };
  const reason = response ?? message ?? String(error);
  if (responseCode && responseCode >= 500) return failure('permanent', reason);
  if (responseCode && responseCode >= 400) return failure('retryable', reason);
  if (code === 'EENVELOPE' || code === 'EMESSAGE') return failure('bad-input', reason);
  return failure('retryable', reason);
}
