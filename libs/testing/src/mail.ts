import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

const run = promisify(execFile);
const greenmailScript = resolve(__dirname, '../../../deploy/local/greenmail.sh');

export interface MailServer {
  host: string;
  smtpPort: number;
  imapPort: number;
}

/**
 * SMTP and IMAP for an integration test: the project's own GreenMail, started on first use (the
 * script is idempotent and serialises concurrent callers). Any login works and creates its
 * mailbox, so a test that uses addresses from `uniqueName` sees only its own mail.
 */
export async function ensureMailServer(): Promise<MailServer> {
  const smtpPort = Number(process.env.GREENMAIL_SMTP_PORT ?? 3025);
  const imapPort = Number(process.env.GREENMAIL_IMAP_PORT ?? 3143);
  await run('bash', [greenmailScript, 'start'], {
    env: {
      ...process.env,
      GREENMAIL_SMTP_PORT: String(smtpPort),
      GREENMAIL_IMAP_PORT: String(imapPort),
    },
    timeout: 180_000,
  });
  return { host: '127.0.0.1', smtpPort, imapPort };
}

/** The email channel's settings for one support mailbox on the test server, polled briskly. */
export function emailChannelSettings(server: MailServer, support: string): Record<string, string> {
  return {
    EMAIL_MAILBOXES: `imap://${encodeURIComponent(support)}:any@${server.host}:${server.imapPort}/INBOX`,
    EMAIL_SMTP_URL: `smtp://${server.host}:${server.smtpPort}`,
    EMAIL_FROM: support,
    EMAIL_MESSAGE_ID_DOMAIN: 'firstline.test',
    EMAIL_POLL_INTERVAL_MS: '300',
  };
}

/** Every mail in a user's INBOX on the test server, oldest first, as raw bytes. */
export async function mailsIn(server: MailServer, user: string): Promise<Buffer[]> {
  const client = new ImapFlow({
    host: server.host,
    port: server.imapPort,
    secure: false,
    auth: { user, pass: 'any' },
    logger: false,
  });
  await client.connect();
  const mails: Buffer[] = [];
  try {
    const { exists } = await client.mailboxOpen('INBOX', { readOnly: true });
    if (exists > 0) {
      for await (const message of client.fetch('1:*', { source: true })) {
        if (message.source) mails.push(message.source);
      }
    }
  } finally {
    await client.logout();
  }
  return mails;
}

/** The newest mail in a user's INBOX on the test server, as raw bytes. */
export async function lastMailIn(server: MailServer, user: string): Promise<Buffer> {
  const mails = await mailsIn(server, user);
  if (mails.length === 0) throw new Error(`no mail for ${user}`);
  return mails[mails.length - 1];
}
