import {
  BadInputError,
  PermanentError,
  RetryableError,
  type ErrorKind,
  type FirstlineError,
} from '@firstline/errors';

/** An error object VK answered with: `{ error: { error_code, error_msg } }`. */
export class VkApiError extends Error {
  constructor(
    readonly method: string,
    readonly code: number,
    readonly vkMessage: string,
  ) {
    super(`VK ${method} failed: ${code} ${vkMessage}`);
    this.name = 'VkApiError';
  }
}

export interface VkFailure {
  kind: ErrorKind;
  /** The customer does not accept messages from the community: stop trying until they write. */
  recipientUnreachable: boolean;
  /** Too many requests: wait before the next call rather than failing the message. */
  rateLimited: boolean;
  /** For the agent, in their words. */
  reason: string;
}

/** Every error code the adapter treats specially, and what it means for an outbound message. */
const FAILURES: Record<number, Omit<VkFailure, 'reason'> & { reason: string }> = {
  1: {
    kind: 'retryable',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'VK had an unknown error',
  },
  6: {
    kind: 'retryable',
    recipientUnreachable: false,
    rateLimited: true,
    reason: 'too many requests per second',
  },
  9: {
    kind: 'retryable',
    recipientUnreachable: false,
    rateLimited: true,
    reason: 'VK flood control',
  },
  10: {
    kind: 'retryable',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'VK internal server error',
  },
  29: {
    kind: 'retryable',
    recipientUnreachable: false,
    rateLimited: true,
    reason: 'VK rate limit reached',
  },
  5: {
    kind: 'permanent',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'the community access token is invalid',
  },
  7: {
    kind: 'permanent',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'the community token lacks the messages permission',
  },
  15: {
    kind: 'permanent',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'VK denied access',
  },
  900: {
    kind: 'permanent',
    recipientUnreachable: true,
    rateLimited: false,
    reason: 'the customer blacklisted the community',
  },
  901: {
    kind: 'permanent',
    recipientUnreachable: true,
    rateLimited: false,
    reason: 'the customer has not allowed messages from the community',
  },
  902: {
    kind: 'permanent',
    recipientUnreachable: true,
    rateLimited: false,
    reason: "the customer's privacy settings do not allow messages",
  },
  100: {
    kind: 'bad-input',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'VK rejected a parameter',
  },
  911: {
    kind: 'bad-input',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'VK rejected the keyboard',
  },
  914: {
    kind: 'bad-input',
    recipientUnreachable: false,
    rateLimited: false,
    reason: 'the message is too long for VK',
  },
};

/**
 * What a failed VK call means, decided in this one place. Codes not listed are presumed
 * transient, like every unknown error on the bus (docs/adr/0003-bus.md).
 */
export function classifyVkError(code: number, vkMessage = ''): VkFailure {
  const known = FAILURES[code];
  if (!known) {
    return {
      kind: 'retryable',
      recipientUnreachable: false,
      rateLimited: false,
      reason: `VK error ${code}${vkMessage ? `: ${vkMessage}` : ''}`,
    };
  }
  return { ...known, reason: `${known.reason} (VK error ${code})` };
}

/** The error for the bus to act on: retry with backoff, or dead-letter with the reason. */
export function toFirstlineError(error: VkApiError): FirstlineError {
  const { kind, reason } = classifyVkError(error.code, error.vkMessage);
  const message = `VK ${error.method}: ${reason}`;
  if (kind === 'bad-input') return new BadInputError(message, { cause: error });
  if (kind === 'permanent') return new PermanentError(message, { cause: error });
  return new RetryableError(message, { cause: error });
}

/**
 * How long to wait before the next attempt after a rate-limit error: doubling from `initialMs`,
 * capped at `maxMs`, with up to a quarter of jitter so replicas do not retry in step.
 */
export function rateLimitDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - random() * 0.25));
}
