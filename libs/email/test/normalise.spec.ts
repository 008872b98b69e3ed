import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Channel, IdentityKind, timestampDate } from '@firstline/contracts';
import { normalise } from '../src';

const receivedAt = new Date('2024-03-08T12:00:00Z');
const fixture = (name: string) =>
  normalise(readFileSync(join(__dirname, 'fixtures', name)), {
    receivedAt,
    ownDomain: 'firstline.test',
  });

describe('normalise', () => {
  it("a Gmail reply to our message continues the thread's conversation and names its ticket", async () => {
    const { message } = await fixture('gmail-reply.eml');
    expect(message.messageId).toBe('email:CAB-ann-2@mail.gmail.com');
    expect(message.channel).toBe(Channel.EMAIL);
    expect(message.sender).toMatchObject({
      kind: IdentityKind.EMAIL,
      value: 'ann@example.com',
      displayName: 'Ann Customer',
    });
    expect(message.conversationKey).toBe('email:CAB-ann-1@mail.gmail.com');
    expect(message.inReplyToTicketNumber).toBe('42');
    expect(message.replyText).toBe('It still jams, even with new paper.');
    expect(message.textBody).toContain('> Please try another paper tray.');
    expect(message.channelMetadata).toMatchObject({
      to: 'support@firstline.test',
      in_reply_to: 'fl.42.b3V0LTE@firstline.test',
      references: 'CAB-ann-1@mail.gmail.com fl.42.b3V0LTE@firstline.test',
    });
    // The router's threading hints, nearest first (docs/adr/0013).
    expect(message.repliedMessageIds).toEqual([
      'email:fl.42.b3V0LTE@firstline.test',
      'email:CAB-ann-1@mail.gmail.com',
    ]);
    expect(timestampDate(message.sentAt!).toISOString()).toBe('2024-03-05T09:15:00.000Z');
    expect(timestampDate(message.receivedAt!)).toEqual(receivedAt);
    expect(message.autoResponse).toBe(false);
  });

  it('an Outlook reply in Russian loses the «От: / Отправлено:» block and everything below it', async () => {
    const { message } = await fixture('outlook-russian-reply.eml');
    expect(message.sender?.displayName).toBe('Иван Петров');
    expect(message.subject).toBe('RE: Не печатает принтер [#77]');
    expect(message.replyText).toBe('Добрый день!\n\nСпасибо, всё заработало.');
    expect(message.inReplyToTicketNumber).toBe('77');
    // No references: a conversation of its own; the subject's ticket number is the router's hint.
    expect(message.conversationKey).toBe('email:AM0PR01-ivan@outlook.example.ru');
  });

  it('an Apple Mail reply that only keeps In-Reply-To still reaches its conversation', async () => {
    const { message } = await fixture('apple-mail-reply.eml');
    expect(message.replyText).toBe('Thanks, that answers it.');
    expect(message.conversationKey).toBe('email:fl.x.b3V0LTk@firstline.test');
    expect(message.inReplyToTicketNumber).toBeUndefined();
  });

  it('a Thunderbird reply in ISO-8859-15 is decoded and its German attribution line ends the reply', async () => {
    const { message } = await fixture('thunderbird-reply.eml');
    expect(message.replyText).toBe('Die Lieferung kam heute an. Grüße');
    expect(message.conversationKey).toBe('email:c0ffee-root@example.de');
  });

  it('HTML is sanitised, inline images stay cid: references, attachments keep names, types and sizes', async () => {
    const { message, files } = await fixture('html-with-attachments.eml');
    expect(message.subject).toBe('Screenshot of the error – please help');
    expect(message.htmlBody).toContain('<img src="cid:shot@example.com" />');
    expect(message.htmlBody).toContain('<b>error</b>');
    expect(message.htmlBody).not.toMatch(/script|onclick|tracker\.example\.com/);
    expect(message.channelMetadata.to).toBe('support@firstline.test, eve@example.com');
    expect(message.channelMetadata.cc).toBe('boss@example.com');
    expect(
      message.attachments.map(({ fileName, contentType, sizeBytes, contentId }) => ({
        fileName,
        contentType,
        sizeBytes,
        contentId,
      })),
    ).toEqual([
      {
        fileName: 'error.png',
        contentType: 'image/png',
        sizeBytes: 70,
        contentId: 'shot@example.com',
      },
      { fileName: 'Résumé.pdf', contentType: 'application/pdf', sizeBytes: 16, contentId: '' },
    ]);
    expect(files.map((file) => file.storageKey)).toEqual(
      message.attachments.map((attachment) => attachment.storageKey),
    );
    expect(message.attachments[0].storageKey).toMatch(/^sha256\/[0-9a-f]{64}$/);
  });

  it('attachments over the size limit are listed without their bytes', async () => {
    const raw = readFileSync(join(__dirname, 'fixtures', 'html-with-attachments.eml'));
    const { message, files } = await normalise(raw, { receivedAt, maxAttachmentBytes: 20 });
    expect(message.attachments.map((attachment) => Boolean(attachment.storageKey))).toEqual([
      false,
      true,
    ]);
    expect(files).toHaveLength(1);
  });

  it.each([
    ['out-of-office.eml', 'Auto-Submitted: auto-replied'],
    ['newsletter.eml', 'Precedence: bulk'],
    ['no-message-id.eml', 'empty return path'],
    ['bounce.eml', 'delivery status: failed'],
  ])('%s is flagged as an auto-response (%s)', async (name, reason) => {
    const { message } = await fixture(name);
    expect(message.autoResponse).toBe(true);
    expect(message.channelMetadata.auto_response_reason).toBe(reason);
  });

  it('a person writing a new subject starts a new conversation', async () => {
    const { message } = await fixture('new-request.eml');
    expect(message.autoResponse).toBe(false);
    expect(message.sender?.displayName).toBe('Jörg Müller');
    expect(message.conversationKey).toBe('email:new-1@example.de');
    expect(message.inReplyToTicketNumber).toBe('9');
    expect(message.textBody).toContain('30 €');
  });

  it('a bounce names the undelivered message, its ticket and the failed recipient', async () => {
    const { message, deliveryStatus } = await fixture('bounce.eml');
    expect(deliveryStatus).toEqual({
      bouncedMessageId: 'fl.51.b3V0LTUx@firstline.test',
      failedRecipient: 'gone@example.net',
      action: 'failed',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown',
      permanent: true,
    });
    expect(message.bouncedMessageId).toBe('fl.51.b3V0LTUx@firstline.test');
    expect(message.inReplyToTicketNumber).toBe('51');
    expect(message.sender?.value).toBe('mailer-daemon@mx.example.net');
  });

  it('a mail without a Message-ID gets an id derived from its bytes, the same on every read', async () => {
    const first = await fixture('no-message-id.eml');
    const again = await fixture('no-message-id.eml');
    expect(first.message.messageId).toMatch(/^email:sha256:[0-9a-f]{64}$/);
    expect(again.message.messageId).toBe(first.message.messageId);
    expect(first.message.sentAt).toBeUndefined();
  });

  it('a mail still being read when its time budget runs out is published as it came, flagged', async () => {
    const raw = readFileSync(join(__dirname, 'fixtures', 'html-with-attachments.eml'));
    const { message } = await normalise(raw, { receivedAt, timeBudgetMs: 0 });
    expect(message.messageId).toMatch(/^email:/);
    expect(message.textBody).not.toBe('');
    expect(message.replyText).toBe(message.textBody);
    expect(message.htmlBody).toBe('');
    expect(message.channelMetadata.parse_budget_exceeded).toMatch(
      /^HTML and reply extraction skipped: \d+ ms spent of 0$/,
    );
  });

  it('within its budget a mail carries no such flag', async () => {
    const { message } = await fixture('gmail-reply.eml');
    expect(message.channelMetadata.parse_budget_exceeded).toBeUndefined();
  });

  it('a header field of megabytes is cut, not parsed for seconds', async () => {
    const raw = Buffer.from(
      `From: Ann <ann@example.com>\r\nTo: (${'x'.repeat(300_000)}\r\nSubject: Hi\r\n\r\nHello`,
    );
    const { message } = await normalise(raw, { receivedAt });
    expect(message.subject).toBe('Hi');
    expect(message.replyText).toBe('Hello');
  });

  it('an address with spaces inside its angle brackets is read whole', async () => {
    const raw = Buffer.from('From: Ann <ann smith@example.com>\r\nSubject: Hi\r\n\r\nHello');
    const { message } = await normalise(raw, { receivedAt });
    expect(message.sender?.value).toBe('annsmith@example.com');
  });
});
