import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';

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
