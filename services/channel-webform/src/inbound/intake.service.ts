import { ATTACHMENT_STORE, type AttachmentStore } from '@firstline/attachments';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  AttachmentSchema,
  create,
  timestampDate,
  type Attachment,
  type InboundMessage,
} from '@firstline/contracts';
import { RateLimiter } from '@firstline/channel-kit';
import {
  contactOf,
  UploadSlots,
  webformAdapter,
  webformMessageId,
  type FormDefinition,
  type Locale,
  type WebformNormalised,
  type WebformPayload,
} from '@firstline/webform';
import { WEBFORM_CONFIG, type WebformConfig } from '../config';
import { isUpload, readBody, refusalOf, type ReadRequest, type ReceivedFile } from '../http/body';
import { Rejection, requestLocale } from '../http/rejection';
import { StoredLinks } from '../http/stored-links';
import {
  SubmissionWriter,
  type NewConversation,
  type SubmissionToWrite,
} from './submission-writer';

/** What a public request brings, once its body is read. */
export interface PostedRequest {
  fields: Record<string, string>;
  files: ReceivedFile[];
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

/** What every post has, whichever page it came from. */
type PostBasics = 'fields' | 'locale' | 'idempotencyKey' | 'attachments';

const KEY = /^[A-Za-z0-9_-]{8,100}$/;
/** How long an upload turned away because all slots are taken is asked to wait. */
const UPLOAD_RETRY_SECONDS = 5;

/**
 * Takes submissions and follow-ups in: the anti-abuse checks in the order that costs least first
 * — before the body is read, the form or status link, the rate per IP, the declared size and a
 * free upload slot; then what the adapter makes of the post (the honeypot, the form's rules),
 * the rate per email; files are streamed to the store while the body is read and kept only for a
 * submission not seen before — then one write through the group-committing SubmissionWriter.
 */
@Injectable()
export class Intake {
  private readonly logger = new Logger(Intake.name);
  private readonly perIp: RateLimiter;
  private readonly perEmail: RateLimiter;
  private readonly uploads: UploadSlots;

  constructor(
    @Inject(WEBFORM_CONFIG) private readonly config: WebformConfig,
    private readonly writer: SubmissionWriter,
    private readonly dataSource: DataSource,
    @Inject(ATTACHMENT_STORE) private readonly store: AttachmentStore,
    private readonly links: StoredLinks,
  ) {
    this.perIp = new RateLimiter(config.rateLimits.perIp, config.rateLimits.windowMs);
    this.perEmail = new RateLimiter(config.rateLimits.perEmail, config.rateLimits.windowMs);
    this.uploads = new UploadSlots(config.maxConcurrentUploads);
  }

  form(id: string): FormDefinition {
    const form = this.config.forms.find((candidate) => candidate.id === id);
    if (!form) throw new Rejection(404, 'unknown_form');
    return form;
  }

  async submit(formId: string, request: ReadRequest): Promise<Accepted> {
    const form = this.form(formId);
    this.limit(this.perIp, `ip:${clientIp(request)}`);
    const posted = await this.receive(request, form.attachments);
    const statusToken = randomBytes(24).toString('base64url');
    return this.take(
      posted,
      form.id,
      (post) => ({
        ...post,
        kind: 'submission',
        formId: form.id,
        statusToken,
        pageUrl: posted.pageUrl,
      }),
      (message) => {
        const contact = contactOf(message);
        return {
          formId: form.id,
          customerName: contact.name,
          email: contact.email,
          phone: contact.phone,
          locale: posted.locale,
          subject: message.subject,
          callbackWindow: callbackWindowOf(message),
        };
      },
    );
  }

  async followUp(statusToken: string, request: ReadRequest): Promise<Accepted> {
    // Before the lookup, so guessing tokens costs the guesser, not the database.
    this.limit(this.perIp, `ip:${clientIp(request)}`);
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
    const posted = await this.receive(request, true);
    return this.take(posted, statusToken, (post) => ({
      ...post,
      kind: 'follow-up',
      statusToken,
      conversation: {
        customerName: conversation.customer_name,
        email: conversation.email ?? undefined,
        phone: conversation.phone ?? undefined,
        subject: conversation.subject,
        locale: conversation.locale,
        ticketNumber: conversation.ticket_number ?? undefined,
      },
    }));
  }

  /**
   * What every post goes through once its body is read: the adapter reads it, the rate per
   * email, its files kept, the write. `scope` (the form, or the status page) tells a retry from a
   * key reused elsewhere; `opens` describes the conversation a first submission opens.
   */
  private async take(
    posted: PostedRequest,
    scope: string,
    payloadOf: (post: Pick<WebformPayload, PostBasics>) => WebformPayload,
    opens?: (message: InboundMessage) => NewConversation,
  ): Promise<Accepted> {
    try {
      const key = idempotencyKey(posted);
      const attachments = await this.describeFiles(posted.files);
      const payload = payloadOf({
        fields: posted.fields,
        locale: posted.locale,
        idempotencyKey: key,
        attachments,
      });
      const message = await this.normalise(payload);
      const { email } = contactOf(message);
      if (email) this.limit(this.perEmail, `email:${email}`);
      await this.keepFiles(key, posted.files);
      return await this.write({
        message,
        statusToken: payload.statusToken,
        requestHash: requestHash(scope, posted.fields, attachments),
        attachments: attachments.map(describeFile),
        conversation: opens?.(message),
      });
    } finally {
      await discardUnkept(posted.files);
    }
  }

  /** The post as the adapter reads it; a refused one is answered with what to correct. */
  private async normalise(payload: WebformPayload): Promise<InboundMessage> {
    const result: WebformNormalised = await webformAdapter.normalise(
      payload,
      { forms: this.config.forms },
      new Date(),
    );
    switch (result.kind) {
      case 'message':
        return result.message;
      case 'ignored':
        // What the adapter ignores is a robot's post (the honeypot): told so, in case it is not.
        throw new Rejection(400, 'honeypot');
      case 'rejected':
        // Without fields to correct, the post was not one: nothing the customer typed is wrong.
        if (!result.errors?.length) throw new Rejection(400, 'unreadable_body');
        throw new Rejection(422, result.errors[0].problem, {}, result.errors);
    }
  }

  /**
   * Reads the body once what the headers say passes: a type we read, a declared size within the
   * limits, and, for an upload, a free slot (all taken: 503 with Retry-After, see ADR 0010).
   */
  private async receive(request: ReadRequest, filesAllowed: boolean): Promise<PostedRequest> {
    const refusal = refusalOf(request, this.config);
    if (refusal) throw refusal;
    const release = isUpload(request) ? this.uploads.take() : () => undefined;
    if (!release) {
      throw new Rejection(
        503,
        'uploads_busy',
        { seconds: UPLOAD_RETRY_SECONDS },
        [],
        UPLOAD_RETRY_SECONDS,
      );
    }
    try {
      const { fields, files } = await readBody(request, this.config, {
        store: this.store,
        allowed: filesAllowed,
      });
      const header = request.headers['idempotency-key'];
      const referer = request.headers.referer;
      return {
        fields,
        files,
        locale: requestLocale(request),
        idempotencyKey: typeof header === 'string' && header ? header : undefined,
        pageUrl: typeof referer === 'string' ? referer.slice(0, 2_000) : undefined,
      };
    } finally {
      release();
    }
  }

  /** The attachments of a post, as the message names them: where they are kept and served. */
  private async describeFiles(files: ReceivedFile[]): Promise<Attachment[]> {
    if (files.length === 0) return [];
    const base = await this.links.base();
    return Promise.all(
      files.map(async (file) => {
        const storageKey = await file.upload.end();
        return create(AttachmentSchema, {
          storageKey,
          url: `${base}/webform/attachments/${storageKey.slice(storageKey.lastIndexOf('/') + 1)}`,
          fileName: file.fileName,
          contentType: file.contentType,
          sizeBytes: file.upload.sizeBytes,
        });
      }),
    );
  }

  /**
   * Keeps the files of a post that passed its checks, when its key is new: a repeated post (a
   * retry, a double click) finds its files kept already, and its staged copies go.
   */
  private async keepFiles(key: string, files: ReceivedFile[]): Promise<void> {
    if (files.length === 0) return;
    const [repeated] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM channel_webform.submission WHERE message_id = $1`,
      [webformMessageId(key)],
    );
    if (repeated) return;
    for (const file of files) await file.upload.keep(file.contentType);
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
}

function clientIp(request: ReadRequest): string {
  return request.ip ?? request.socket.remoteAddress ?? 'unknown';
}

/** Staged files a refused or repeated submission did not keep; the sweep takes what this misses. */
async function discardUnkept(files: ReceivedFile[]): Promise<void> {
  await Promise.allSettled(files.map((file) => file.upload.discard()));
}

function callbackWindowOf(message: InboundMessage) {
  const { startsAt, endsAt } = message.callbackWindow ?? {};
  return startsAt && endsAt
    ? { startsAt: timestampDate(startsAt), endsAt: timestampDate(endsAt) }
    : undefined;
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
    storageKey: file.storageKey,
    fileName: file.fileName,
    contentType: file.contentType,
    sizeBytes: file.sizeBytes,
    url: file.url,
  };
}
