import { ConfigError, parseConfig, positiveInt, type Env } from '@firstline/config';
import type { EmailContext } from '@firstline/email';
import { z } from 'zod';

/** One IMAP mailbox the channel reads, and what to do with mail once it is published. */
export interface MailboxConfig {
  /** `user@host/folder`: names the mailbox in logs and keys its checkpoint. */
  name: string;
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  folder: string;
  /** Flag published mail \Seen, move it to a folder, or leave it as it is. */
  processed: { action: 'seen' } | { action: 'move'; folder: string } | { action: 'none' };
}

export interface EmailChannelConfig {
  /** Empty: nothing is read (a deployment that only sends, or one not configured yet). */
  mailboxes: MailboxConfig[];
  /** Unset: nothing can be sent; outbound records are retried, then failed and dead-lettered. */
  smtp?: { url: string; fromAddress: string };
  /** The domain of our Message-IDs; unset, any Message-ID of our shape counts as ours. */
  messageIdDomain?: string;
  pollIntervalMs: number;
  batchSize: number;
  maxAttachmentBytes: number;
}

const mailboxFormat =
  'must be a comma-separated list of imap[s]://user:password@host[:port][/folder][?processed=seen|none|move:Folder], with reserved characters percent-encoded';

/** `imaps://support%40shop.example:secret@imap.shop.example/INBOX?processed=move:Done` */
export function parseMailbox(text: string): MailboxConfig {
  const url = new URL(text);
  if (!/^imaps?:$/.test(url.protocol) || !url.hostname || !url.username)
    throw new Error(mailboxFormat);
  const secure = url.protocol === 'imaps:';
  const user = decodeURIComponent(url.username);
  const folder = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'INBOX';
  const processedParam = url.searchParams.get('processed') ?? 'seen';
  const processed: MailboxConfig['processed'] | undefined =
    processedParam === 'seen' || processedParam === 'none'
      ? { action: processedParam }
      : /^move:.+/.test(processedParam)
        ? { action: 'move', folder: processedParam.slice('move:'.length) }
        : undefined;
  if (!processed) throw new Error(`processed=${processedParam} is not seen, none or move:Folder`);
  return {
    name: `${user}@${url.hostname}/${folder}`,
    host: url.hostname,
    port: url.port ? Number(url.port) : secure ? 993 : 143,
    secure,
    user,
    password: decodeURIComponent(url.password),
    folder,
    processed,
  };
}

const mailboxes = z.string().transform((value, context) => {
  try {
    return value.split(',').map((entry) => parseMailbox(entry.trim()));
  } catch (error) {
    context.addIssue({ code: 'custom', message: `${mailboxFormat} (${(error as Error).message})` });
    return z.NEVER;
  }
});

const smtpUrl = z
  .string()
  .refine((value) => /^smtps?:\/\/[^/]+/.test(value) && URL.canParse(value), {
    message: 'must be an smtp:// or smtps:// URL, e.g. smtps://user:password@smtp.example.com:465',
  });

export const emailVariables = {
  EMAIL_MAILBOXES: mailboxes.optional(),
  EMAIL_SMTP_URL: smtpUrl.optional(),
  EMAIL_FROM: z.email({ message: 'must be the support address replies come from' }).optional(),
  EMAIL_MESSAGE_ID_DOMAIN: z
    .string()
    .regex(/^[A-Za-z0-9.-]+$/, 'must be a domain name')
    .optional(),
  EMAIL_POLL_INTERVAL_MS: positiveInt.default(30_000),
  EMAIL_BATCH_SIZE: positiveInt.default(100),
  EMAIL_MAX_ATTACHMENT_BYTES: positiveInt.default(25 * 1024 * 1024),
};

export function loadEmailConfig(env: Env = process.env): EmailChannelConfig {
  const parsed = parseConfig(emailVariables, env);
  if (parsed.EMAIL_SMTP_URL && !parsed.EMAIL_FROM) {
    throw new ConfigError(
      'EMAIL_FROM',
      'is required with EMAIL_SMTP_URL: the address replies come from',
    );
  }
  return {
    mailboxes: parsed.EMAIL_MAILBOXES ?? [],
    smtp:
      parsed.EMAIL_SMTP_URL && parsed.EMAIL_FROM
        ? { url: parsed.EMAIL_SMTP_URL, fromAddress: parsed.EMAIL_FROM }
        : undefined,
    messageIdDomain: parsed.EMAIL_MESSAGE_ID_DOMAIN ?? parsed.EMAIL_FROM?.split('@')[1],
    pollIntervalMs: parsed.EMAIL_POLL_INTERVAL_MS,
    batchSize: parsed.EMAIL_BATCH_SIZE,
    maxAttachmentBytes: parsed.EMAIL_MAX_ATTACHMENT_BYTES,
  };
}

/** What the adapter (libs/email) needs to know of the configuration, reading and sending alike. */
export function emailContext(config: EmailChannelConfig): EmailContext {
  return {
    fromAddress: config.smtp?.fromAddress ?? '',
    messageIdDomain: config.messageIdDomain,
    maxAttachmentBytes: config.maxAttachmentBytes,
  };
}

export const EMAIL_CONFIG = Symbol('EmailChannelConfig');
