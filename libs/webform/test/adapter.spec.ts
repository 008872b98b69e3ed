import {
  AttachmentSchema,
  Channel,
  create,
  IdentityKind,
  OutboundMessageSchema,
  timestampFromDate,
  type InboundMessage,
} from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import { customerTexts } from '@firstline/routing';
import {
  contactOf,
  DEFAULT_FORMS,
  emailCopyOf,
  webformAdapter,
  type FormSubmission,
  type StatusPageMessage,
  type WebformNormalised,
} from '../src';

const context = { forms: DEFAULT_FORMS };
const receivedAt = new Date('2026-11-23T12:00:00Z');

function submission(fields: Record<string, string>, extra: Partial<FormSubmission> = {}) {
  return {
    kind: 'submission',
    formId: 'contact',
    fields,
    locale: 'en',
    idempotencyKey: 'key-12345678',
    statusToken: 'status-token',
    attachments: [],
    ...extra,
  } satisfies FormSubmission;
}

function followUp(fields: Record<string, string>, extra: Partial<StatusPageMessage> = {}) {
  return {
    kind: 'follow-up',
    fields,
    locale: 'en',
    idempotencyKey: 'key-87654321',
    statusToken: 'status-token',
    attachments: [],
    conversation: {
      customerName: 'Bob',
      email: 'bob@example.com',
      subject: 'Contact support: Billing and payments',
      locale: 'ru',
      ticketNumber: '10234',
    },
    ...extra,
  } satisfies StatusPageMessage;
}

function messageOf(result: WebformNormalised): InboundMessage {
  if (result.kind !== 'message') throw new Error(`expected a message, got ${result.kind}`);
  return result.message;
}

describe('a form submission', () => {
  it('becomes the message that opens the ticket, keyed by the client’s key and the status page', async () => {
    const result = await webformAdapter.normalise(
      submission(
        {
          name: 'Bob',
          email: 'Bob@Example.com',
          phone: '+49 151 1234-5678',
          topic: 'billing',
          message: 'The invoice is wrong',
        },
        { pageUrl: 'https://shop.example/cart' },
      ),
      context,
      receivedAt,
    );
    const message = messageOf(result);
    expect(message).toMatchObject({
      messageId: 'webform:key-12345678',
      channel: Channel.WEBFORM,
      conversationKey: 'webform:status-token',
      issuedLinkToken: 'status-token',
      subject: 'Contact support: Billing and payments',
      textBody: 'The invoice is wrong',
      formTopic: 'billing',
      channelMetadata: { page_url: 'https://shop.example/cart', topic_skills: 'billing' },
      receivedAt: timestampFromDate(receivedAt),
    });
    expect(contactOf(message)).toEqual({
      name: 'Bob',
      email: 'bob@example.com',
      phone: '+4915112345678',
    });
  });

  it('that breaks its form’s rules is rejected with what to correct, in the customer’s language', async () => {
    const result = await webformAdapter.normalise(
      submission(
        { name: 'Bob', email: 'not an address', topic: 'billing', message: 'Hi' },
        { locale: 'ru' },
      ),
      context,
      receivedAt,
    );
    expect(result).toEqual({
      kind: 'rejected',
      reason: 'email: invalid_email',
      errors: [
        {
          field: 'email',
          problem: 'invalid_email',
          message:
            'В поле «Электронная почта» нужен адрес электронной почты вида name@example.com.',
        },
      ],
    });
  });

  it('to a form that does not exist is rejected', async () => {
    const result = await webformAdapter.normalise(
      submission({ name: 'Bob', email: 'bob@example.com' }, { formId: 'gone' }),
      context,
      receivedAt,
    );
    expect(result).toMatchObject({ kind: 'rejected', errors: [{ problem: 'unknown_form' }] });
  });

  it('with the hidden field filled in is a robot’s, and ignored', async () => {
    const result = await webformAdapter.normalise(
      submission({
        name: 'Bob',
        email: 'bob@example.com',
        message: 'Cheap pills',
        website: 'http://spam.example',
      }),
      context,
      receivedAt,
    );
    expect(result).toEqual({
      kind: 'ignored',
      reason: 'the hidden field "website" is filled in: a robot',
    });
  });
});

describe('a message added on the status page', () => {
  it('continues the conversation as a reply to its ticket, in the language of the form', async () => {
    const message = messageOf(
      await webformAdapter.normalise(followUp({ text: ' One more thing ' }), context, receivedAt),
    );
    expect(message).toMatchObject({
      messageId: 'webform:key-87654321',
      conversationKey: 'webform:status-token',
      sender: { kind: IdentityKind.WEBFORM_EMAIL, value: 'bob@example.com', displayName: 'Bob' },
      subject: 'Re: Contact support: Billing and payments',
      textBody: 'One more thing',
      inReplyToTicketNumber: '10234',
      language: 'ru',
      channelMetadata: { source: 'status_page' },
    });
  });

  it('without text or files is rejected', async () => {
    const result = await webformAdapter.normalise(followUp({ text: ' ' }), context, receivedAt);
    expect(result).toMatchObject({
      kind: 'rejected',
      reason: 'text: required',
      errors: [{ field: 'text', problem: 'required', message: 'Please fill in “Message”.' }],
    });
  });

  it('from a customer who left only a phone is theirs by that phone', async () => {
    const message = messageOf(
      await webformAdapter.normalise(
        followUp(
          { text: 'Call me' },
          {
            conversation: {
              customerName: '',
              phone: '+79123456789',
              subject: 'Re: Call back',
              locale: 'en',
            },
          },
        ),
        context,
        receivedAt,
      ),
    );
    expect(message.sender).toMatchObject({
      kind: IdentityKind.WEBFORM_PHONE,
      value: '+79123456789',
    });
    expect(message.subject).toBe('Re: Call back');
  });
});

const reply = create(OutboundMessageSchema, {
  outboundId: 'out-1',
  ticketId: 'ticket-1',
  ticketNumber: '10234',
  channel: Channel.WEBFORM,
  conversationKey: 'webform:status-token',
  subject: 'Re: Contact us',
  textBody: 'We have corrected the invoice.',
  htmlBody: '<p>We have corrected the invoice.</p>',
  threadRefs: { in_reply_to: '<x@example>' },
  createdAt: timestampFromDate(new Date('2026-11-23T13:00:00Z')),
});

describe('a message to the customer', () => {
  it('is shown on the status page of its conversation', () => {
    expect(webformAdapter.render(reply)).toEqual({
      statusToken: 'status-token',
      outboundId: 'out-1',
      ticketId: 'ticket-1',
      text: 'We have corrected the invoice.',
      senderDisplayName: undefined,
      automatic: false,
      createdAt: new Date('2026-11-23T13:00:00Z'),
      attachments: [],
    });
  });

  it('lists the files the page offers for download, and leaves out ones only linked', () => {
    const withFiles = create(OutboundMessageSchema, {
      ...reply,
      attachments: [
        create(AttachmentSchema, {
          storageKey: `sha256/${'a'.repeat(64)}`,
          fileName: 'invoice.pdf',
          contentType: 'application/pdf',
          sizeBytes: 1200,
        }),
        create(AttachmentSchema, { url: 'https://example.com/x.pdf', fileName: 'x.pdf' }),
      ],
    });
    expect(webformAdapter.render(withFiles).attachments).toEqual([
      {
        storageKey: `sha256/${'a'.repeat(64)}`,
        fileName: 'invoice.pdf',
        contentType: 'application/pdf',
        sizeBytes: 1200,
      },
    ]);
  });

  it('for another channel’s conversation cannot be rendered', () => {
    const elsewhere = create(OutboundMessageSchema, { ...reply, conversationKey: 'telegram:1:2' });
    expect(() => webformAdapter.render(elsewhere)).toThrow(BadInputError);
  });

  it('is copied to the customer’s mailbox with the links to the page and to prove the address', () => {
    const copy = emailCopyOf(
      reply,
      {
        email: 'bob@example.com',
        customerName: 'Bob',
        statusLink: 'https://support.example/webform/s/status-token',
        verificationLink: 'https://support.example/webform/v/proof',
      },
      customerTexts('en'),
    );
    expect(copy).toMatchObject({
      outboundId: 'out-1:email',
      channel: Channel.EMAIL,
      ticketId: 'ticket-1',
      recipient: { kind: IdentityKind.EMAIL, value: 'bob@example.com', displayName: 'Bob' },
      htmlBody: '',
      threadRefs: {},
    });
    expect(copy.textBody).toMatch(/^We have corrected the invoice\.\n\n--\n/);
    expect(copy.textBody).toContain('https://support.example/webform/s/status-token');
    expect(copy.textBody).toContain('https://support.example/webform/v/proof');
  });
});

describe('a failed delivery', () => {
  it('of a message the status page cannot store fails for good', () => {
    const nul = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), {
      code: '22021',
    });
    expect(webformAdapter.classifyError(nul)).toMatchObject({
      kind: 'bad-input',
      recipientUnreachable: false,
    });
  });

  it('because the database is away is tried again', () => {
    const away = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(webformAdapter.classifyError(away)).toMatchObject({
      kind: 'retryable',
      reason: 'the status page could not be written: connect ECONNREFUSED 127.0.0.1:5432',
    });
  });

  it('to a conversation the channel does not know is bad input', () => {
    expect(webformAdapter.classifyError(new BadInputError('no conversation'))).toMatchObject({
      kind: 'bad-input',
      reason: 'no conversation',
    });
  });
});
