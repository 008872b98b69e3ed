import { ConfigError } from '@firstline/config';
import { parseTelegramConfig } from '../src/config';

const bots = (list: object[]) => ({ TELEGRAM_BOTS: JSON.stringify(list) });

describe('TELEGRAM_BOTS', () => {
  it('reads several bots, each in webhook or polling mode', () => {
    const config = parseTelegramConfig(
      bots([
        { name: 'support', token: '123:ABC', mode: 'polling' },
        { name: 'sales', token: '456:DEF', mode: 'webhook', secret: 'wH7kQ2pLx9vR4tZb' },
      ]),
    );
    expect(config.bots.map((bot) => `${bot.name}/${bot.mode}`)).toEqual([
      'support/polling',
      'sales/webhook',
    ]);
    expect(config.apiRoot).toBe('https://api.telegram.org');
  });

  it('is required: an adapter with no bot has nothing to do', () => {
    expect(() => parseTelegramConfig({})).toThrow('configuration error: TELEGRAM_BOTS is required');
    expect(() => parseTelegramConfig(bots([]))).toThrow(/must name at least one bot/);
  });

  it.each([
    ['not JSON', { TELEGRAM_BOTS: 'support:123:ABC' }, /must be a JSON array of bots/],
    [
      'a webhook bot without secret',
      bots([{ name: 'a', token: '1:A', mode: 'webhook' }]),
      /bot 1: webhook mode needs a secret/,
    ],
    [
      'a webhook secret too short to resist guessing',
      bots([{ name: 'a', token: '1:A', mode: 'webhook', secret: 's3cret' }]),
      /^configuration error: TELEGRAM_BOTS is invalid: bot 1: secret must be at least 16 characters, so it cannot be guessed$/,
    ],
    [
      'a webhook secret with characters Telegram refuses',
      bots([{ name: 'a', token: '1:A', mode: 'webhook', secret: 'sixteen chars ok!' }]),
      /bot 1: secret may only contain A-Z, a-z, 0-9, _ and -$/,
    ],
    [
      'a file link lifetime of no days',
      {
        ...bots([{ name: 'a', token: '1:A', mode: 'polling' }]),
        TELEGRAM_FILE_LINK_TTL_DAYS: '0',
      },
      /^configuration error: TELEGRAM_FILE_LINK_TTL_DAYS is invalid \("0"\): must be a whole number of days, 1-3650$/,
    ],
    [
      'a malformed token',
      bots([{ name: 'a', token: 'nope', mode: 'polling' }]),
      /bot 1: token must look like/,
    ],
    [
      'two bots of one name',
      bots([
        { name: 'a', token: '1:A', mode: 'polling' },
        { name: 'a', token: '2:B', mode: 'polling' },
      ]),
      /names must be unique/,
    ],
  ])('stops the start with one line naming the problem for %s', (_, env, problem) => {
    expect(() => parseTelegramConfig(env)).toThrow(ConfigError);
    expect(() => parseTelegramConfig(env)).toThrow(problem);
  });

  it('reads the optional variables, with their defaults', () => {
    const polling = bots([{ name: 'a', token: '1:A', mode: 'polling' }]);
    expect(parseTelegramConfig(polling)).toMatchObject({
      publicUrl: undefined,
      filesBaseUrl: 'http://127.0.0.1:3004',
      pollTimeoutSeconds: 30,
      fileLinkTtlSeconds: 30 * 24 * 60 * 60,
    });
    expect(
      parseTelegramConfig({
        ...polling,
        TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/',
        TELEGRAM_PUBLIC_URL: 'https://support.example/',
        TELEGRAM_POLL_TIMEOUT_SECONDS: '0',
      }),
    ).toMatchObject({
      apiRoot: 'http://127.0.0.1:8081',
      publicUrl: 'https://support.example',
      filesBaseUrl: 'https://support.example',
      pollTimeoutSeconds: 0,
    });
    expect(() =>
      parseTelegramConfig({ ...polling, TELEGRAM_PUBLIC_URL: 'support.example' }),
    ).toThrow(
      /^configuration error: TELEGRAM_PUBLIC_URL is invalid \("support.example"\): must be an http\(s\) URL$/,
    );
  });

  it('never repeats the tokens in its error', () => {
    expect(() =>
      parseTelegramConfig(bots([{ name: 'A!', token: '1:SECRET', mode: 'polling' }])),
    ).toThrow(expect.objectContaining({ message: expect.not.stringContaining('SECRET') }));
  });
});
