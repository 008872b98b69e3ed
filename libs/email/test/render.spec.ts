import {
  AttachmentSchema,
  Channel,
  IdentitySchema,
  IdentityKind,
  OutboundMessageSchema,
  create,
  type OutboundMessage,
} from '@firstline/contracts';
import MailComposer from 'nodemailer/lib/mail-composer';
import { normalise, parseOwnMessageId, render, withStoredFiles } from '../src';

const options = { fromAddress: 'support@firstline.test', messageIdDomain: 'firstline.test' };

type OutboundFields = Partial<Omit<OutboundMessage, '$typeName' | '$unknown'>>;

const agentReply = (fields: OutboundFields = {}) =>
  create(OutboundMessageSchema, {
    outboundId: 'out-7',
    ticketId: 'ticket-uuid-7',
    ticketNumber: '42',
    channel: Channel.EMAIL,
    recipient: { kind: IdentityKind.EMAIL, value: 'ann@example.com', displayName: 'Ann Customer' },
    conversationKey: 'email:CAB-ann-1@mail.gmail.com',
    subject: 'Re: Printer jams on page two',
    textBody: 'Please try another tray.',
    htmlBody: '<p>Please try another tray.</p>',
    threadRefs: { in_reply_to: 'CAB-ann-2@mail.gmail.com', references: 'CAB-ann-1@mail.gmail.com' },
    senderDisplayName: 'Sam from Support',
    ...fields,
  });

describe('render', () => {
  it("an agent's reply carries our Message-ID, the thread's references and the ticket tag", () => {
    const { messageId, mail } = render(agentReply(), options);
    expect(parseOwnMessageId(messageId, 'firstline.test')).toEqual({
      outboundId: 'out-7',
      ticketNumber: '42',
    });
    expect(mail).toMatchObject({
      messageId: `<${messageId}>`,
      from: { name: 'Sam from Support', address: 'support@firstline.test' },
      to: { name: 'Ann Customer', address: 'ann@example.com' },
      subject: 'Re: Printer jams on page two [#42]',
      text: 'Please try another tray.',
      html: '<p>Please try another tray.</p>',
      inReplyTo: '<CAB-ann-2@mail.gmail.com>',
      references: ['<CAB-ann-1@mail.gmail.com>', '<CAB-ann-2@mail.gmail.com>'],
      headers: {},
    });
  });

  it('an automatic message says so, so that other robots do not answer it', () => {
    const { mail } = render(agentReply({ automatic: true }), options);
    expect(mail.headers).toEqual({
      'Auto-Submitted': 'auto-replied',
      'X-Auto-Response-Suppress': 'All',
    });
  });

  it('does not tag a subject twice', () => {
    expect(render(agentReply({ subject: 'Re: Jam [#42]' }), options).mail.subject).toBe(
      'Re: Jam [#42]',
    );
  });

  it('refuses a message without an email recipient', () => {
    const outbound = agentReply({
      recipient: create(IdentitySchema, { kind: IdentityKind.TELEGRAM_USER, value: '123' }),
    });
    expect(() => render(outbound, options)).toThrow(expect.objectContaining({ kind: 'bad-input' }));
  });

  it('sends stored attachments and refuses one the store does not have', () => {
    const attachments = [
      create(AttachmentSchema, {
        storageKey: 'sha256/abc',
        fileName: 'a.pdf',
        contentType: 'application/pdf',
      }),
    ];
    const rendered = render(agentReply({ attachments }), options);
    const files = new Map([['sha256/abc', Buffer.from('%PDF')]]);
    expect(withStoredFiles(rendered, files).attachments).toEqual([
      { filename: 'a.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF') },
    ]);
    expect(() => withStoredFiles(rendered, new Map())).toThrow(
      expect.objectContaining({
        kind: 'bad-input',
        message: expect.stringMatching(/not in the store/),
      }),
    );
  });

  it("the customer's answer to a rendered reply lands in the same conversation and ticket", async () => {
    const { messageId, mail } = render(agentReply(), options);
    const sent = await new MailComposer(mail).compile().build();
    const reply = [
      'From: Ann Customer <ann@example.com>',
      'To: support@firstline.test',
      'Subject: Re: Printer jams on page two [#42]',
      'Message-ID: <CAB-ann-3@mail.gmail.com>',
      `In-Reply-To: <${messageId}>`,
      `References: ${/^References: (.*(?:\r\n .*)*)/m.exec(sent.toString())![1].replace(/\r\n/g, '')} <${messageId}>`,
      '',
      'Works now, thanks!',
      '',
    ].join('\r\n');
    const { message } = await normalise(Buffer.from(reply), {
      receivedAt: new Date(),
      ownDomain: 'firstline.test',
    });
    expect(message.conversationKey).toBe('email:CAB-ann-1@mail.gmail.com');
    expect(message.inReplyToTicketNumber).toBe('42');
  });
});
