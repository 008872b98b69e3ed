import type { SendFailure } from '@firstline/channel';
import { FirstlineError } from '@firstline/errors';

/** A reply to a visitor the service has no conversation for: a token it never minted. */
export class UnknownVisitorError extends Error {
  constructor(readonly visitorId: string) {
    super(`no live chat with visitor ${visitorId}`);
    this.name = 'UnknownVisitorError';
  }
}

/**
 * What a failed delivery means. Delivering a reply is storing it in the chat service's own
 * database (the visitor reads it from there, now over the socket or later on reconnecting), so
 * what fails is the database: presumed transient, like every unknown error on the bus
 * (docs/adr/0003-bus.md). A visitor the service never had cannot be reached, ever.
 */
export function classifyChatError(error: unknown): SendFailure {
  if (error instanceof UnknownVisitorError) {
    return { kind: 'permanent', reason: error.message, recipientUnreachable: true };
  }
  if (error instanceof FirstlineError) {
    return { kind: error.kind, reason: error.message, recipientUnreachable: false };
  }
  return {
    kind: 'retryable',
    reason: `the reply could not be stored for the visitor: ${(error as Error)?.message ?? String(error)}`,
    recipientUnreachable: false,
  };
}
