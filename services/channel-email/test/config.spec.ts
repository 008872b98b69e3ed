import { ConfigError } from '@firstline/config';
import { loadEmailConfig, parseMailbox } from '../src/config';

const env = {
  EMAIL_MAILBOXES:
    'imaps://support%40shop.example:s%2Fcret@imap.shop.example/INBOX?processed=move:Done, imap://sales:pw@127.0.0.1:3143',
  EMAIL_SMTP_URL: 'smtps://support%40shop.example:secret@smtp.shop.example:465',
  EMAIL_FROM: 'support@shop.example',
};

describe('email channel configuration', () => {
  it('reads several mailboxes, each with its own login, folder and handling of processed mail', () => {
    const config = loadEmailConfig(env);
    expect(config.mailboxes).toEqual([
      {
        name: 'support@shop.example@imap.shop.example/INBOX',
        host: 'imap.shop.example',
        port: 993,
        secure: true,
        user: 'support@shop.example',
        password: 's/cret',
        folder: 'INBOX',
        processed: { action: 'move', folder: 'Done' },
      },
      expect.objectContaining({
        port: 3143,
        secure: false,
        folder: 'INBOX',
        processed: { action: 'seen' },
      }),
    ]);
    expect(config.messageIdDomain).toBe('shop.example');
    expect(config.pollIntervalMs).toBe(30_000);
  });

  it.each([
    ['EMAIL_MAILBOXES', 'pop3://x:y@host'],
    ['EMAIL_MAILBOXES', 'imap://user:pw@host/INBOX?processed=delete'],
    ['EMAIL_SMTP_URL', 'smtp.shop.example'],
    ['EMAIL_FROM', 'support'],
  ])('names %s when it is malformed (%s)', (variable, value) => {
    expect(() => loadEmailConfig({ ...env, [variable]: value })).toThrow(
      expect.objectContaining({ variable, constructor: ConfigError }),
    );
  });

  it('with nothing configured the channel reads nothing and sends nothing, but runs', () => {
    expect(loadEmailConfig({})).toMatchObject({ mailboxes: [], smtp: undefined });
  });

  it('asks for EMAIL_FROM when EMAIL_SMTP_URL is set without it', () => {
    expect(() => loadEmailConfig({ EMAIL_SMTP_URL: env.EMAIL_SMTP_URL })).toThrow(
      expect.objectContaining({ variable: 'EMAIL_FROM' }),
    );
  });

  it('defaults to INBOX and to flagging processed mail as seen', () => {
    expect(parseMailbox('imap://u:p@host')).toMatchObject({
      folder: 'INBOX',
      port: 143,
      processed: { action: 'seen' },
    });
  });
});
