import { z } from 'zod';
import {
  ConfigError,
  jsonList,
  kafkaBrokers,
  parseConfig,
  port,
  postgresUrl,
  webhookSecret,
} from '../src';

const shape = {
  DATABASE_URL: postgresUrl,
  KAFKA_BROKERS: kafkaBrokers,
  PORT: port.default(3000),
  OPTIONAL: z.string().optional(),
};

function problemWith(env: Record<string, string>): ConfigError {
  try {
    parseConfig(shape, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a configuration error');
}

describe('configuration', () => {
  const valid = {
    DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/firstline',
    KAFKA_BROKERS: 'a:9092, b:9093',
  };

  it('parses valid variables and applies defaults', () => {
    expect(parseConfig(shape, valid)).toEqual({
      DATABASE_URL: valid.DATABASE_URL,
      KAFKA_BROKERS: ['a:9092', 'b:9093'],
      PORT: 3000,
    });
  });

  it('names a missing variable in one line', () => {
    const error = problemWith({ KAFKA_BROKERS: 'a:9092' });
    expect(error.variable).toBe('DATABASE_URL');
    expect(error.message).toMatch(/^configuration error: DATABASE_URL is required/);
    expect(error.message).not.toContain('\n');
  });

  it('names a malformed variable with the value it got', () => {
    const error = problemWith({ ...valid, KAFKA_BROKERS: 'localhost' });
    expect(error.message).toBe(
      'configuration error: KAFKA_BROKERS is invalid ("localhost"): must be a comma-separated list of host:port, e.g. 127.0.0.1:9092',
    );
  });

  it('never repeats the value of a password or secret', () => {
    const error = (() => {
      try {
        parseConfig(
          { ADMIN_PASSWORD: z.string().min(10, 'must be at least 10 characters') },
          {
            ADMIN_PASSWORD: 'hunter2',
          },
        );
      } catch (caught) {
        return caught as ConfigError;
      }
    })();
    expect(error?.message).toBe(
      'configuration error: ADMIN_PASSWORD is invalid: must be at least 10 characters',
    );
  });

  it('treats an empty variable as unset', () => {
    expect(problemWith({ ...valid, DATABASE_URL: ' ' }).message).toMatch(
      /DATABASE_URL is required/,
    );
  });

  it('rejects a port out of range', () => {
    expect(problemWith({ ...valid, PORT: '70000' }).message).toMatch(
      /PORT is invalid \("70000"\): must be between 0 and 65535/,
    );
  });
});

describe('webhook secrets', () => {
  const telegramLike = webhookSecret({
    max: 256,
    alphabet: { pattern: /^[A-Za-z0-9_-]+$/, described: 'A-Z, a-z, 0-9, _ and -' },
  });
  const problem = (value: string) => telegramLike.safeParse(value).error?.issues[0].message;

  it.each([
    ['a guessable one', 's3cret', 'secret must be at least 16 characters, so it cannot be guessed'],
    ['one past the platform’s limit', 'a'.repeat(257), 'secret must be at most 256 characters'],
    [
      'one with characters the platform refuses',
      'sixteen chars ok!',
      'secret may only contain A-Z, a-z, 0-9, _ and -',
    ],
    ['a good one', 'Zq3_vT9-kLm2Np8R', undefined],
  ])('%s', (_, value, expected) => {
    expect(problem(value)).toBe(expected);
  });
});

describe('JSON lists of accounts', () => {
  const accounts = {
    ACCOUNTS: jsonList(
      z
        .array(z.object({ token: z.string().min(8, 'token must be at least 8 characters') }))
        .min(1, 'must name at least one account'),
      { item: 'account', example: '[{"token":"…"}]' },
    ),
  };
  const problemWithAccounts = (value: string) => {
    try {
      parseConfig(accounts, { ACCOUNTS: value });
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a configuration error');
  };

  it('reads the accounts', () => {
    expect(parseConfig(accounts, { ACCOUNTS: '[{"token":"12345678"}]' })).toEqual({
      ACCOUNTS: [{ token: '12345678' }],
    });
  });

  it('names the account at fault by its position and never repeats the tokens', () => {
    expect(problemWithAccounts('[{"token":"12345678"},{"token":"short"}]')).toBe(
      'configuration error: ACCOUNTS is invalid: account 2: token must be at least 8 characters',
    );
    expect(problemWithAccounts('[]')).toBe(
      'configuration error: ACCOUNTS is invalid: must name at least one account',
    );
    expect(problemWithAccounts('token=12345678')).toBe(
      'configuration error: ACCOUNTS is invalid: must be a JSON array of accounts, e.g. [{"token":"…"}]',
    );
  });
});
