/**
 * Errors as values with a kind, decided once where the failure is understood and acted on by the
 * bus: bad input and permanent failures go straight to the dead-letter topic; retryable ones are
 * retried with backoff first; while a dependency is unavailable the record waits, however long.
 */
export type ErrorKind = 'bad-input' | 'retryable' | 'permanent' | 'unavailable';

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

/**
 * A dependency every record needs (the database, the broker) cannot be reached: nothing is wrong
 * with the record, so it is retried until the dependency is back and never dead-lettered.
 */
export class UnavailableError extends FirstlineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('unavailable', message, options);
  }
}

/**
 * Tells the kind of the raw errors a client library throws (the database driver's), which reach
 * handlers unwrapped; undefined for errors it does not recognise.
 */
export type ErrorClassifier = (error: unknown) => ErrorKind | undefined;

const classifiers = new Set<ErrorClassifier>();

/** Registers the library that owns a client as the judge of that client's raw errors. */
export function classifyErrorsWith(classifier: ErrorClassifier): void {
  classifiers.add(classifier);
}

/** Causes deeper than this are not followed (a cycle, or a chain nobody meant). */
const MAX_CAUSES = 8;

/**
 * The kind of the first error along the cause chain that has one: a `FirstlineError`'s own, or a
 * registered classifier's verdict on a raw error. A wrapper without a kind (`new Error('saving
 * the ticket failed', { cause })`) leaves the decision to its cause. Unknown errors are presumed
 * transient: retrying a bug costs little, dropping a message costs a customer.
 */
export function errorKind(error: unknown): ErrorKind {
  let current = error;
  for (let depth = 0; depth < MAX_CAUSES && current !== undefined; depth += 1) {
    if (current instanceof FirstlineError) return current.kind;
    for (const classify of classifiers) {
      const kind = classify(current);
      if (kind) return kind;
    }
    // Duck-typed: errors from another realm (Node's own, under jest) fail `instanceof Error`.
    current =
      typeof current === 'object' && current !== null ? (current as Error).cause : undefined;
  }
  return 'retryable';
}
