import {
  Channel,
  DeliveryStatus,
  IdentityKind,
  OutboundMessageSchema,
  create,
} from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import {
  bounceReceipt,
  classifySmtpError,
  emailAdapter,
  readMail,
  type EmailContext,
} from '../src';
import { deliveryReport, fixture, OUR_MESSAGE_ID } from './mails';

const receivedAt = new Date('2024-03-08T12:00:00Z');
const context: EmailContext = {
  fromAddress: 'support@firstline.test',
  messageIdDomain: 'firstline.test',
};

describe('the email adapter', () => {
  it('a customer’s mail is a message with its attachments to store', async () => {
    const { result, bounce } = await readMail(
      fixture('html-with-attachments.eml'),
      context,
      receivedAt,
    );
    expect(bounce).toBeUndefined();
    expect(result).toMatchObject({ kind: 'message', message: { channel: Channel.EMAIL } });
    const files = result.kind === 'message' ? (result.files ?? []) : [];
    expect(files.length).toBeGreaterThan(0);
    expect(files[0].storageKey).toMatch(/^sha256\/[0-9a-f]{64}$/);
  });

  it('an out-of-office reply is still a message, marked as an automatic one for the router', async () => {
    const result = await emailAdapter.normalise(fixture('out-of-office.eml'), context, receivedAt);
    expect(result).toMatchObject({ kind: 'message', message: { autoResponse: true } });
  });

  it('a bounce of our mail is no message but a failed receipt for the outbound message', async () => {
    const { result, bounce } = await readMail(fixture('bounce.eml'), context, receivedAt);
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining(OUR_MESSAGE_ID) });
    expect(bounce).toEqual({
      outboundId: 'out-51',
      bouncedMessageId: OUR_MESSAGE_ID,
      reason:
        'gone@example.net: 550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown',
      reportId: 'email:bounce-1@mx.example.net',
    });
    const receipt = bounceReceipt(bounce!, 'ticket-51', receivedAt);
    expect(receipt).toMatchObject({
      receiptId: 'out-51:FAILED:bounce:email:bounce-1@mx.example.net',
      outboundId: 'out-51',
      ticketId: 'ticket-51',
      channel: Channel.EMAIL,
      status: DeliveryStatus.FAILED,
      reason: bounce!.reason,
      retryable: false,
    });
  });

  it('a delay notice for our mail is ignored: the server keeps trying', async () => {
    const { result, bounce } = await readMail(
      deliveryReport(OUR_MESSAGE_ID, 'delayed', '4.2.2'),
      context,
      receivedAt,
    );
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining('delayed (4.2.2)') });
    expect(bounce).toBeUndefined();
  });

  it('a bounce of somebody else’s mail is a message, marked as an automatic one', async () => {
    const raw = deliveryReport('CAB-other@mail.gmail.com', 'failed', '5.1.1');
    const { result, bounce } = await readMail(raw, context, receivedAt);
    expect(result).toMatchObject({ kind: 'message', message: { autoResponse: true } });
    expect(bounce).toBeUndefined();
  });

  it('a mail that names no sender is rejected with the reason, not published', async () => {
    const raw = Buffer.from('To: support@firstline.test\r\nSubject: hello\r\n\r\nWho am I?\r\n');
    expect(await emailAdapter.normalise(raw, context, receivedAt)).toEqual({
      kind: 'rejected',
      reason: 'no sender address in From, Reply-To or Sender',
    });
  });

  it('renders with the support address and mints Message-IDs in its domain when none is set', () => {
    const rendered = emailAdapter.render(
      create(OutboundMessageSchema, {
        outboundId: 'out-1',
        ticketNumber: '9',
        recipient: { kind: IdentityKind.EMAIL, value: 'ann@example.com' },
        conversationKey: 'email:CAB-ann-1@mail.gmail.com',
        subject: 'Re: hello',
        textBody: 'Hello again.',
      }),
      { fromAddress: 'help@shop.example' },
    );
    expect(rendered.messageId).toMatch(/^fl\.9\.[\w-]+@shop\.example$/);
    expect(rendered.mail.from).toMatchObject({ address: 'help@shop.example' });
  });
});

describe('classifySmtpError', () => {
  it.each([
    [{ responseCode: 550, response: '550 5.1.1 User unknown' }, 'permanent'],
    [{ responseCode: 552, response: '552 Message too large' }, 'permanent'],
    [{ responseCode: 421, response: '421 Try again later' }, 'retryable'],
    [{ responseCode: 451, response: '451 Greylisted' }, 'retryable'],
    [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ESOCKET' }), 'retryable'],
    [Object.assign(new Error('No recipients defined'), { code: 'EENVELOPE' }), 'bad-input'],
  ])('%j is %s', (error, kind) => {
    expect(classifySmtpError(error).kind).toBe(kind);
  });

  it('gives the server’s reply as the reason', () => {
    expect(classifySmtpError({ responseCode: 550, response: '550 5.1.1 User unknown' })).toEqual({
      kind: 'permanent',
      reason: '550 5.1.1 User unknown',
      recipientUnreachable: false,
    });
  });

  it('keeps the kind of an error that already has one', () => {
    expect(classifySmtpError(new BadInputError('attachment x is not in the store'))).toMatchObject({
      kind: 'bad-input',
      reason: 'attachment x is not in the store',
    });
  });
});
