import {
  BadInputError,
  classifyErrorsWith,
  errorKind,
  PermanentError,
  UnavailableError,
} from '../src/errors';

/** Stands for a client library's raw error, such as a database driver's. */
class DriverError extends Error {
  constructor(readonly code: string) {
    super(`driver failed with ${code}`);
  }
}

classifyErrorsWith((error) =>
  error instanceof DriverError && error.code === 'DOWN' ? 'unavailable' : undefined,
);

describe('errorKind', () => {
  it('is the kind a Firstline error was given', () => {
    expect(errorKind(new BadInputError('no e-mail address'))).toBe('bad-input');
    expect(errorKind(new UnavailableError('the database is restarting'))).toBe('unavailable');
  });

  it('presumes an error nobody recognises transient', () => {
    expect(errorKind(new TypeError('undefined is not a function'))).toBe('retryable');
    expect(errorKind(new DriverError('SYNTAX'))).toBe('retryable');
    expect(errorKind('a string')).toBe('retryable');
  });

  it('asks the classifiers about raw errors, also behind wrappers without a kind', () => {
    expect(errorKind(new DriverError('DOWN'))).toBe('unavailable');
    const wrapped = new Error('saving the ticket failed', {
      cause: new Error('inserting failed', { cause: new DriverError('DOWN') }),
    });
    expect(errorKind(wrapped)).toBe('unavailable');
  });

  it('lets the first error with a kind decide', () => {
    const decided = new PermanentError('the mailbox does not exist', {
      cause: new DriverError('DOWN'),
    });
    expect(errorKind(decided)).toBe('permanent');
  });
});
