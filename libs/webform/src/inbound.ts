import {
  Channel,
  create,
  IdentityKind,
  InboundMessageSchema,
  timestampFromDate,
  type Attachment,
  type Identity,
  type InboundMessage,
} from '@firstline/contracts';
import type { ValidSubmission } from './submission';

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
  return create(InboundMessageSchema, {
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
    receivedAt: timestampFromDate(context.receivedAt),
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
  return create(InboundMessageSchema, {
    messageId: webformMessageId(input.idempotencyKey),
    channel: Channel.WEBFORM,
    sender: input.sender,
    conversationKey: webformConversationKey(input.statusToken),
    subject: input.subject,
    textBody: input.text,
    replyText: input.text,
    attachments: input.attachments,
    channelMetadata: { source: 'status_page' },
    receivedAt: timestampFromDate(input.receivedAt),
    inReplyToTicketNumber: input.ticketNumber || undefined,
    language: input.language,
  });
}
