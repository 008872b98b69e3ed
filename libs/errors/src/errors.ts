/**
 * Errors as values with a kind, decided once where the failure is understood and acted on by the
 * bus: bad input and permanent failures go straight to the dead-letter topic; anything else is
 * retried with backoff first.
 */
export type ErrorKind = 'bad-input' | 'retryable' | 'permanent';

export class FirstlineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class BadInputError extends FirstlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('bad-input', message, options);
  }
}

export class PermanentError extends FirstlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permanent', message, options);
  }
}

export class RetryableError extends FirstlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('retryable', message, options);
  }
}

/** Unknown errors are presumed transient: retrying a bug costs little, dropping a message costs a customer. */
export function errorKind(error: unknown): ErrorKind {
  return error instanceof FirstlineError ? error.kind : 'retryable';
}
