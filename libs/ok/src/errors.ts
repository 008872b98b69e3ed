import type { SendFailure } from '@firstline/channel';
import type { OkErrorBody } from './ok-api';

/**
 * A failed Graph API call: OK's `{ error_code, error_msg, error_data }` (the code is also in the
 * `invocation-error` header), or only the HTTP status when the answer had no error object (a
 * gateway's 502).
 */
export class OkApiError extends Error {
  constructor(
    readonly method: string,
    readonly httpStatus: number,
    readonly code?: number,
    readonly okMessage = '',
    readonly data?: unknown,
  ) {
    super(
      `OK ${method} failed: ${code === undefined ? `HTTP ${httpStatus}` : `${code} ${okMessage}`}`.trim(),
    );
    this.name = 'OkApiError';
  }
}

/**
 * The error in a Graph API answer, or undefined when the call succeeded. OK may answer an error
 * with HTTP 200, so the body is what decides.
 */
export function okApiError(
  method: string,
  httpStatus: number,
  body: unknown,
): OkApiError | undefined {
  const error = body as Partial<OkErrorBody> | undefined;
  if (error && typeof error === 'object' && typeof error.error_code === 'number') {
    return new OkApiError(method, httpStatus, error.error_code, error.error_msg, error.error_data);
  }
  return httpStatus >= 200 && httpStatus < 300 ? undefined : new OkApiError(method, httpStatus);
}

type Failure = Omit<SendFailure, 'reason'> & { reason: string };

const retry = (reason: string): Failure => ({
  kind: 'retryable',
  reason,
  recipientUnreachable: false,
});
const permanent = (reason: string, recipientUnreachable = false): Failure => ({
  kind: 'permanent',
  reason,
  recipientUnreachable,
});
const badInput = (reason: string): Failure => ({
  kind: 'bad-input',
  reason,
  recipientUnreachable: false,
});

/** Every error code of https://apiok.ru/en/dev/errors the adapter treats specially. */
const FAILURES: Record<number, Failure> = {
  1: retry('OK had an unknown error'),
  2: retry('OK is temporarily unavailable'),
  7: retry('OK temporarily blocked the action for the group'),
  8: retry('OK flood control: too many messages'),
  9: retry('OK blocked calls from this address for a while'),
  11: retry('OK request limit reached'),
  9999: retry('OK had a system error'),
  3: badInput('OK does not know the method'),
  4: badInput('OK could not read the request'),
  100: badInput('OK rejected a parameter'),
  10: permanent('OK denied permission: the customer does not accept messages from the group', true),
  300: permanent('OK cannot find the chat', true),
  50: permanent('the access token is not a group administrator’s'),
  101: permanent('the group access token is invalid'),
  102: permanent('the group access token has expired'),
  103: permanent('the group access token is invalid or was replaced by a newer one'),
  104: permanent('OK rejected the request signature'),
};

/** OK's codes for too many calls: worth waiting before the next one rather than hurrying. */
const RATE_LIMITS = new Set([7, 8, 9, 11]);

/** Whether the failure is OK asking us to slow down. */
export function isRateLimit(error: unknown): boolean {
  return error instanceof OkApiError && error.code !== undefined && RATE_LIMITS.has(error.code);
}

/**
 * What a failed OK call means for the message, decided in this one place. Codes not listed, and
 * errors that are not OK's (a refused connection, a timeout), are presumed transient like every
 * unknown error on the bus (docs/adr/0003-bus.md); so is any 5xx or 429 without an error object.
 */
export function classifyOkError(error: unknown): SendFailure {
  if (!(error instanceof OkApiError)) {
    return retry(`OK could not be reached: ${(error as Error)?.message ?? String(error)}`);
  }
  if (error.code === undefined) {
    const status = error.httpStatus;
    if (status >= 500 || status === 429) return retry(`OK answered HTTP ${status}`);
    if (status === 401 || status === 403) {
      return permanent(`OK refused the group access token (HTTP ${status})`);
    }
    return badInput(`OK refused the request (HTTP ${status})`);
  }
  const known = FAILURES[error.code];
  const detail = error.okMessage ? `: ${error.okMessage}` : '';
  if (!known) return retry(`OK error ${error.code}${detail}`);
  return { ...known, reason: `${known.reason} (OK error ${error.code}${detail})` };
}
