import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AttachmentSchema, create, type Attachment } from '@firstline/contracts';
import {
  acceptedFileType,
  cleanFileName,
  readFollowUp,
  followUpMessage,
  RateLimiter,
  readSubmission,
  senderOf,
  submissionMessage,
  text,
  type FormDefinition,
  type Locale,
} from '@firstline/webform';
import { storedLinkBase, WEBFORM_CONFIG, type WebformConfig } from '../config';
import type { UploadedFile } from '../http/body';
import { Rejection } from '../http/rejection';
import { SubmissionWriter, type SubmissionToWrite } from './submission-writer';

/** What a public request brings, once its body is read. */
export interface PostedRequest {
  fields: Record<string, string>;
  files: UploadedFile[];
  ip: string;
  locale: Locale;
  /** The Idempotency-Key header; the `idempotency_key` field serves plain HTML forms. */
  idempotencyKey?: string;
  pageUrl?: string;
}

export interface Accepted {
  messageId: string;
  statusToken: string;
  replayed: boolean;
}

/** The honeypot: hidden from people by the widget and the hosted page, irresistible to robots. */
export const HONEYPOT_FIELD = 'website';
const KEY = /^[A-Za-z0-9_-]{8,100}$/;

/**
 * Takes submissions and follow-ups in: the anti-abuse checks in the order that costs least first
 * (rate per IP, honeypot, the form's rules, rate per email, files), then one write through the
 * group-committing SubmissionWriter.
 */
@Injectable()
export class Intake {
  private readonly logger = new Logger(Intake.name);
  private readonly perIp: RateLimiter;
  private readonly perEmail: RateLimiter;

  constructor(
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
    private readonly writer: SubmissionWriter,
    private readonly dataSource: DataSource,
  ) {
    this.perIp = new RateLimiter(config.rateLimits.perIp, config.rateLimits.windowMs);
    this.perEmail = new RateLimiter(config.rateLimits.perEmail, config.rateLimits.windowMs);
  }

  form(id: string): FormDefinition {
    const form = this.config.forms.find((candidate) => candidate.id === id);
    if (!form) throw new Rejection(404, 'unknown_form');
    return form;
  }

  async submit(formId: string, posted: PostedRequest): Promise<Accepted> {
    const form = this.form(formId);
    this.limit(this.perIp, `ip:${posted.ip}`);
    refuseRobots(posted.fields);
    const key = idempotencyKey(posted);
    const now = new Date();
    const result = readSubmission(form, posted.fields, posted.locale, now);
    if (!result.ok) throw new Rejection(422, result.errors[0].problem, {}, result.errors);
    const { submission } = result;
    if (submission.email) this.limit(this.perEmail, `email:${submission.email}`);
    const files = await this.storeFiles(form.attachments, posted);
    const statusToken = randomBytes(24).toString('base64url');
    const message = submissionMessage(submission, {
      idempotencyKey: key,
      statusToken,
      formTitle: text(form.title, posted.locale),
      receivedAt: now,
      attachments: files,
      pageUrl: posted.pageUrl,
      locale: posted.locale,
    });
    return this.write({
      message,
      statusToken,
      requestHash: requestHash(form.id, posted.fields, files),
      attachments: files.map(describeFile),
      conversation: {
        formId: form.id,
        customerName: submission.name ?? '',
        email: submission.email,
        phone: submission.phone,
        locale: posted.locale,
        subject: message.subject,
        callbackWindow: submission.callbackWindow,
      },
    });
  }

  async followUp(statusToken: string, posted: PostedRequest): Promise<Accepted> {
    // Before the lookup, so guessing tokens costs the guesser, not the database.
    this.limit(this.perIp, `ip:${posted.ip}`);
    const [conversation] = await this.dataSource.query<
      Array<{
        customer_name: string;
        email: string | null;
        phone: string | null;
        subject: string;
        locale: string;
        ticket_number: string | null;
      }>
    >(
      `SELECT c.customer_name, c.email, c.phone, c.subject, c.locale, t.ticket_number
       FROM channel_webform.conversation c
       LEFT JOIN channel_webform.ticket t ON t.ticket_id = c.ticket_id
       WHERE c.status_token = $1`,
      [statusToken],
    );
    if (!conversation) throw new Rejection(404, 'unknown_status');
    refuseRobots(posted.fields);
    const key = idempotencyKey(posted);
    const result = readFollowUp(posted.fields.text, posted.files.length > 0, posted.locale);
    if (!result.ok) throw new Rejection(422, result.errors[0].problem, {}, result.errors);
    const message = result.text;
    if (conversation.email) this.limit(this.perEmail, `email:${conversation.email}`);
    const files = await this.storeFiles(true, posted);
    const inbound = followUpMessage({
      idempotencyKey: key,
      statusToken,
      sender: senderOf({
        name: conversation.customer_name || undefined,
        email: conversation.email ?? undefined,
        phone: conversation.phone ?? undefined,
      }),
      subject: conversation.subject.startsWith('Re: ')
        ? conversation.subject
        : `Re: ${conversation.subject}`,
      text: message,
      attachments: files,
      receivedAt: new Date(),
      ticketNumber: conversation.ticket_number ?? undefined,
      language: conversation.locale,
    });
    return this.write({
      message: inbound,
      statusToken,
      requestHash: requestHash(statusToken, posted.fields, files),
      attachments: files.map(describeFile),
    });
  }

  private async write(submission: SubmissionToWrite): Promise<Accepted> {
    const outcome = await this.writer.write(submission).catch((error: unknown) => {
      // Postgres or Kafka did not take it: the client retries with the same key.
      this.logger.warn(`submission ${submission.message.messageId} not accepted: ${String(error)}`);
      throw new Rejection(503, 'unavailable', {}, [], 5);
    });
    if (outcome.kind === 'key-reused') throw new Rejection(422, 'idempotency_conflict');
    return {
      messageId: submission.message.messageId,
      statusToken: outcome.statusToken,
      replayed: outcome.replayed,
    };
  }

  private limit(limiter: RateLimiter, key: string): void {
    const decision = limiter.take(key, Date.now());
    if (!decision.allowed) {
      throw new Rejection(
        429,
        'rate_limited',
        { seconds: decision.retryAfterSeconds },
        [],
        decision.retryAfterSeconds,
      );
    }
  }

  /** Checks each file's type against its bytes and keeps it in the channel's attachment store. */
  private async storeFiles(allowed: boolean, posted: PostedRequest): Promise<Attachment[]> {
    if (posted.files.length === 0) return [];
    if (!allowed || this.config.maxAttachments === 0) {
      throw new Rejection(400, 'attachments_not_allowed');
    }
    const attachments: Attachment[] = [];
    for (const file of posted.files) {
      const fileName = cleanFileName(file.fileName);
      const contentType = acceptedFileType(
        file.contentType,
        file.bytes,
        this.config.attachmentTypes,
      );
      if (!contentType) {
        throw new Rejection(415, 'attachment_type', {
          file: fileName,
          list: this.config.attachmentTypes.join(', '),
        });
      }
      const digest = createHash('sha256').update(file.bytes).digest('hex');
      await this.dataSource.query(
        `INSERT INTO channel_webform.attachment (storage_key, content_type, content)
         VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [`webform/sha256/${digest}`, contentType, file.bytes],
      );
      attachments.push(
        create(AttachmentSchema, {
          storageKey: `webform/sha256/${digest}`,
          url: `${storedLinkBase(this.config)}/webform/attachments/${digest}`,
          fileName,
          contentType,
          sizeBytes: file.bytes.length,
        }),
      );
    }
    return attachments;
  }
}

function refuseRobots(fields: Record<string, string>): void {
  if (fields[HONEYPOT_FIELD]?.trim()) throw new Rejection(400, 'honeypot');
}

function idempotencyKey(posted: PostedRequest): string {
  const key = posted.idempotencyKey ?? posted.fields.idempotency_key;
  // Without a key the client gets no retry safety; the request is still taken.
  if (!key) return randomUUID();
  if (!KEY.test(key)) throw new Rejection(400, 'invalid_idempotency_key');
  return key;
}

/** What makes two posts with one key the same request: the fields the customer typed and the files. */
function requestHash(scope: string, fields: Record<string, string>, files: Attachment[]): string {
  const typed = Object.entries(fields)
    .filter(([name]) => name !== 'idempotency_key' && name !== 'locale')
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256')
    .update(JSON.stringify([scope, typed, files.map((file) => file.storageKey)]))
    .digest('base64url');
}

function describeFile(file: Attachment) {
  return {
    fileName: file.fileName,
    contentType: file.contentType,
    sizeBytes: file.sizeBytes,
    url: file.url,
  };
}
