import { BadInputError, FirstlineError, PermanentError, RetryableError } from '@firstline/errors';

/**
 * The one place that decides what an SMTP failure means. 5xx: the server refused for good
 * (unknown mailbox, rejected content) — the agent must hear about it. 4xx and network errors:
 * try again later. Anything already classified keeps its kind.
 */
export function classifySmtpError(error: unknown): FirstlineError {
  if (error instanceof FirstlineError) return error;
  const { responseCode, response, code, message } = error as {
    responseCode?: number;
    response?: string;
    code?: string;
    message?: string;
  };
  const detail = response ?? message ?? String(error);
  if (responseCode && responseCode >= 500) return new PermanentError(detail, { cause: error });
  if (responseCode && responseCode >= 400) return new RetryableError(detail, { cause: error });
  if (code === 'EENVELOPE' || code === 'EMESSAGE')
    return new BadInputError(detail, { cause: error });
  return new RetryableError(detail, { cause: error });
}
