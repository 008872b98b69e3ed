import type { SendFailure } from '@firstline/channel';
import { FirstlineError } from '@firstline/errors';

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

/**
 * Every error code the adapter treats specially, and what it means for an outbound message. VK
 * names no wait with its rate limits (6, 9, 29), so the waits are ours: its request limits count
 * per second, and 29 is a method's quota, which only a long wait can outlast.
 */
const FAILURES: Record<number, SendFailure> = {
  1: { kind: 'retryable', recipientUnreachable: false, reason: 'VK had an unknown error' },
  6: {
    kind: 'retryable',
    recipientUnreachable: false,
    reason: 'too many requests per second',
    retryAfterMs: 1_000,
  },
  9: {
    kind: 'retryable',
    recipientUnreachable: false,
    reason: 'VK flood control',
    retryAfterMs: 1_000,
  },
  10: { kind: 'retryable', recipientUnreachable: false, reason: 'VK internal server error' },
  29: {
    kind: 'retryable',
    recipientUnreachable: false,
    reason: 'VK rate limit reached',
    retryAfterMs: 30_000,
  },
  5: {
    kind: 'permanent',
    recipientUnreachable: false,
    reason: 'the community access token is invalid',
  },
  7: {
    kind: 'permanent',
    recipientUnreachable: false,
    reason: 'the community token lacks the messages permission',
  },
  15: { kind: 'permanent', recipientUnreachable: false, reason: 'VK denied access' },
  900: {
    kind: 'permanent',
    recipientUnreachable: true,
    reason: 'the customer blacklisted the community',
  },
  901: {
    kind: 'permanent',
    recipientUnreachable: true,
    reason: 'the customer has not allowed messages from the community',
  },
  902: {
    kind: 'permanent',
    recipientUnreachable: true,
    reason: "the customer's privacy settings do not allow messages",
  },
  100: { kind: 'bad-input', recipientUnreachable: false, reason: 'VK rejected a parameter' },
  911: { kind: 'bad-input', recipientUnreachable: false, reason: 'VK rejected the keyboard' },
  914: { kind: 'bad-input', recipientUnreachable: false, reason: 'the message is too long for VK' },
};

/**
 * What a failed VK call means, decided in this one place. Codes not listed are presumed
 * transient, like every unknown error on the bus (docs/adr/0003-bus.md); so is an error that is
 * no VK answer at all (the network), unless it already says what it is.
 */
export function classifyError(error: unknown): SendFailure {
  if (error instanceof VkApiError) return classifyVkError(error.code, error.vkMessage);
  if (error instanceof FirstlineError) {
    return { kind: error.kind, reason: error.message, recipientUnreachable: false };
  }
  return {
    kind: 'retryable',
    reason: `VK could not be reached: ${error instanceof Error ? error.message : String(error)}`,
    recipientUnreachable: false,
  };
}

export function classifyVkError(code: number, vkMessage = ''): SendFailure {
  const known = FAILURES[code];
  if (!known) {
    return {
      kind: 'retryable',
      recipientUnreachable: false,
      reason: `VK error ${code}${vkMessage ? `: ${vkMessage}` : ''}`,
    };
  }
  return { ...known, reason: `${known.reason} (VK error ${code})` };
}

/**
 * How long to wait before the next attempt after a failure: doubling from `initialMs`, capped at
 * `maxMs`, with up to a quarter of jitter so replicas do not retry in step.
 */
export function backoffDelayMs(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - random() * 0.25));
}
