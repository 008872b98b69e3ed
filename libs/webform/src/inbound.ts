import { inboundMessage, type Normalised } from '@firstline/channel';
import {
  Channel,
  IdentityKind,
  timestampFromDate,
  type Attachment,
  type Identity,
  type InboundMessage,
} from '@firstline/contracts';
import { LOCALES, text, type FormDefinition, type Locale } from './forms';
import { describeProblem } from './messages';
import { readFollowUp, readSubmission, type FieldError, type ValidSubmission } from './submission';

/** The message id of a submission or follow-up: the client's idempotency key makes a retry the same message. */
export function webformMessageId(idempotencyKey: string): string {
  return `webform:${idempotencyKey}`;
}

/** One conversation per status page: the form's submission and every follow-up written there. */
export function webformConversationKey(statusToken: string): string {
  return `webform:${statusToken}`;
}

/**
 * Who wrote, as the router should know them: the email they typed, or their phone when that is
 * all. Typed kinds: nobody proved them (docs/adr/0014-identity.md).
 */
export function senderOf(submission: Pick<ValidSubmission, 'name' | 'email' | 'phone'>): Identity {
  return submission.email
    ? {
        $typeName: 'firstline.v1.Identity',
        kind: IdentityKind.WEBFORM_EMAIL,
        value: submission.email,
        displayName: submission.name ?? '',
      }
    : {
        $typeName: 'firstline.v1.Identity',
        kind: IdentityKind.WEBFORM_PHONE,
        value: submission.phone ?? '',
        displayName: submission.name ?? '',
      };
}

export interface SubmissionContext {
  idempotencyKey: string;
  statusToken: string;
  formTitle: string;
  receivedAt: Date;
  attachments: Attachment[];
  /** The page the form was on (Referer), for the agent's context. */
  pageUrl?: string;
  locale: string;
}

/** A form submission as the InboundMessage that starts (or, by its key, repeats) a ticket. */
export function submissionMessage(
  submission: ValidSubmission,
  context: SubmissionContext,
): InboundMessage {
  const sender = senderOf(submission);
  const window = submission.callbackWindow;
  const subject = window
    ? `${context.formTitle}: ${submission.phone}`
    : submission.topic
      ? `${context.formTitle}: ${submission.topic.label}`
      : context.formTitle;
  const callbackLine = window
    ? `Call back ${submission.phone} between ${window.startsAt.toISOString()} and ${window.endsAt.toISOString()}.`
    : '';
  const textBody = [callbackLine, submission.message].filter(Boolean).join('\n\n');
  const formFields: Record<string, string> = { ...submission.fields, form_id: submission.formId };
  if (submission.name) formFields.name = submission.name;
  if (submission.email) formFields.email = submission.email;
  if (submission.phone) formFields.phone = submission.phone;
  const metadata: Record<string, string> = { form_id: submission.formId, locale: context.locale };
  if (context.pageUrl) metadata.page_url = context.pageUrl;
  if (submission.topic?.skills.length) metadata.topic_skills = submission.topic.skills.join(',');
  return inboundMessage({
    messageId: webformMessageId(context.idempotencyKey),
    channel: Channel.WEBFORM,
    sender,
    // A phone typed beside the email is theirs too, as far as anyone typed it: the router keeps
    // it as a claim, proven by nothing.
    sharedIdentities:
      submission.email && submission.phone
        ? [
            {
              kind: IdentityKind.WEBFORM_PHONE,
              value: submission.phone,
              displayName: sender.displayName,
            },
          ]
        : [],
    conversationKey: webformConversationKey(context.statusToken),
    subject,
    textBody,
    replyText: textBody,
    attachments: context.attachments,
    channelMetadata: metadata,
    receivedAt: context.receivedAt,
    formTopic: submission.topic?.value,
    formFields,
    issuedLinkToken: context.statusToken,
    language: context.locale,
    callbackWindow: window
      ? { startsAt: timestampFromDate(window.startsAt), endsAt: timestampFromDate(window.endsAt) }
      : undefined,
  });
}

/** A message the customer added on their status page: the same conversation, its own id. */
export function followUpMessage(input: {
  idempotencyKey: string;
  statusToken: string;
  sender: Identity;
  subject: string;
  text: string;
  attachments: Attachment[];
  receivedAt: Date;
  ticketNumber?: string;
  /** The locale the customer chose on the form. */
  language: string;
}): InboundMessage {
  return inboundMessage({
    messageId: webformMessageId(input.idempotencyKey),
    channel: Channel.WEBFORM,
    sender: input.sender,
    conversationKey: webformConversationKey(input.statusToken),
    subject: input.subject,
    textBody: input.text,
    replyText: input.text,
    attachments: input.attachments,
    channelMetadata: { source: 'status_page' },
    receivedAt: input.receivedAt,
    inReplyToTicketNumber: input.ticketNumber || undefined,
    language: input.language,
  });
}

/** The honeypot: hidden from people by the widget and the hosted page, irresistible to robots. */
export const HONEYPOT_FIELD = 'website';

/**
 * One post to the web form, its body read: a form submission, or a message added on a status
 * page. The service decides the keys (the client's idempotency key, a new status token) and
 * describes the files it received; the adapter decides what the post says.
 */
export type WebformPayload = FormSubmission | StatusPageMessage;

interface Post {
  /** Every field as posted, as strings (JSON, form-encoded and multipart posts alike). */
  fields: Record<string, string>;
  locale: Locale;
  idempotencyKey: string;
  statusToken: string;
  attachments: Attachment[];
}

export interface FormSubmission extends Post {
  kind: 'submission';
  formId: string;
  /** The page the form was on (Referer), for the agent's context. */
  pageUrl?: string;
}

/** A message on the status page of an existing conversation, as stored when it was opened. */
export interface StatusPageMessage extends Post {
  kind: 'follow-up';
  conversation: {
    customerName: string;
    email?: string;
    phone?: string;
    subject: string;
    /** The locale the customer chose on the form. */
    locale: string;
    ticketNumber?: string;
  };
}

/** What the adapter knows beside a post: the forms configured (WEBFORM_FORMS). */
export interface WebformContext {
  forms: FormDefinition[];
}

/**
 * `Normalised`, with the fields a refused post must correct: the customer is waiting for the
 * answer, so a rejection is told to them field by field (422) rather than dead-lettered. A
 * payload that is no post at all has no fields to name.
 */
export type WebformNormalised =
  | Exclude<Normalised, { kind: 'rejected' }>
  | { kind: 'rejected'; reason: string; errors?: FieldError[] };

/**
 * A post as what Firstline should do with it: a filled-in honeypot is a robot (ignored); a post
 * that breaks its form's rules is rejected with the sentences that say what to correct; anything
 * else is the InboundMessage, keyed by the client's idempotency key.
 */
export function normalisePost(
  payload: WebformPayload,
  context: WebformContext,
  receivedAt: Date,
): WebformNormalised {
  const problem = problemWith(payload);
  if (problem) return { kind: 'rejected', reason: `not a web-form post: ${problem}` };
  if (payload.fields[HONEYPOT_FIELD]?.trim()) {
    return {
      kind: 'ignored',
      reason: `the hidden field "${HONEYPOT_FIELD}" is filled in: a robot`,
    };
  }
  return payload.kind === 'submission'
    ? normaliseSubmission(payload, context, receivedAt)
    : normaliseFollowUp(payload, receivedAt);
}

function normaliseSubmission(
  payload: FormSubmission,
  context: WebformContext,
  receivedAt: Date,
): WebformNormalised {
  const form = context.forms.find((candidate) => candidate.id === payload.formId);
  if (!form) {
    const problem = 'unknown_form';
    return rejected([
      { field: 'form', problem, message: describeProblem(problem, payload.locale) },
    ]);
  }
  const result = readSubmission(form, payload.fields, payload.locale, receivedAt);
  if (!result.ok) return rejected(result.errors);
  const message = submissionMessage(result.submission, {
    idempotencyKey: payload.idempotencyKey,
    statusToken: payload.statusToken,
    formTitle: text(form.title, payload.locale),
    receivedAt,
    attachments: payload.attachments,
    pageUrl: payload.pageUrl,
    locale: payload.locale,
  });
  return { kind: 'message', message };
}

function normaliseFollowUp(payload: StatusPageMessage, receivedAt: Date): WebformNormalised {
  const result = readFollowUp(payload.fields.text, payload.attachments.length > 0, payload.locale);
  if (!result.ok) return rejected(result.errors);
  const { conversation } = payload;
  const message = followUpMessage({
    idempotencyKey: payload.idempotencyKey,
    statusToken: payload.statusToken,
    sender: senderOf({
      name: conversation.customerName || undefined,
      email: conversation.email,
      phone: conversation.phone,
    }),
    subject: conversation.subject.startsWith('Re: ')
      ? conversation.subject
      : `Re: ${conversation.subject}`,
    text: result.text,
    attachments: payload.attachments,
    receivedAt,
    ticketNumber: conversation.ticketNumber,
    language: conversation.locale,
  });
  return { kind: 'message', message };
}

/** What makes a payload no post the service could have read, or nothing. */
function problemWith(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null) return 'not an object';
  const post = payload as Partial<Record<keyof FormSubmission | keyof StatusPageMessage, unknown>>;
  if (post.kind !== 'submission' && post.kind !== 'follow-up') return 'no kind';
  const fields = post.fields;
  if (typeof fields !== 'object' || fields === null) return 'no fields';
  if (Object.values(fields).some((value) => typeof value !== 'string')) {
    return 'a field that is not text';
  }
  if (!LOCALES.includes(post.locale as Locale)) return `unknown locale ${String(post.locale)}`;
  if (typeof post.idempotencyKey !== 'string' || !post.idempotencyKey) return 'no idempotency key';
  if (typeof post.statusToken !== 'string' || !post.statusToken) return 'no status token';
  if (!Array.isArray(post.attachments)) return 'no attachments list';
  if (post.kind === 'submission' && typeof post.formId !== 'string') return 'no form';
  if (post.kind === 'follow-up') {
    const conversation = post.conversation as Partial<StatusPageMessage['conversation']> | null;
    if (typeof conversation?.subject !== 'string' || typeof conversation.locale !== 'string') {
      return 'no conversation';
    }
  }
  return undefined;
}

function rejected(errors: FieldError[]): WebformNormalised {
  const reason = errors.map((error) => `${error.field}: ${error.problem}`).join(', ');
  return { kind: 'rejected', reason, errors };
}

/** Who wrote a web-form message, as they typed it: the address the rate per email counts. */
export function contactOf(message: InboundMessage): {
  name: string;
  email?: string;
  phone?: string;
} {
  const typed = [message.sender, ...message.sharedIdentities];
  return {
    name: message.sender?.displayName ?? '',
    email: typed.find((identity) => identity?.kind === IdentityKind.WEBFORM_EMAIL)?.value,
    phone: typed.find((identity) => identity?.kind === IdentityKind.WEBFORM_PHONE)?.value,
  };
}
