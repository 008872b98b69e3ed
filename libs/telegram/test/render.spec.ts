import type { MessageInitShape } from '@bufbuild/protobuf';
import { create, OutboundMessageSchema } from '@firstline/contracts';

type OutboundInit = MessageInitShape<typeof OutboundMessageSchema>;
import { render, splitHtml, toTelegramHtml } from '../src';

function outbound(fields: OutboundInit) {
  return create(OutboundMessageSchema, {
    outboundId: 'out-1',
    ticketId: 'T-1',
    conversationKey: 'telegram:support:42',
    ...fields,
  });
}

describe('render', () => {
  it('sends plain text escaped as HTML to the chat of the conversation, through its bot', () => {
    expect(render(outbound({ textBody: 'a < b & c' }))).toEqual({
      bot: 'support',
      chatId: '42',
      outboundId: 'out-1',
      calls: [
        {
          method: 'sendMessage',
          payload: { chat_id: '42', text: 'a &lt; b &amp; c', parse_mode: 'HTML' },
        },
      ],
    });
  });

  it.each([
    ['<p>Hello <strong>Ann</strong></p><p>Bye</p>', 'Hello <strong>Ann</strong>\nBye'],
    ['line<br>break', 'line\nbreak'],
    ['<a href="https://x.test" onclick="y">link</a>', '<a href="https://x.test">link</a>'],
    ['<ul><li>one</li><li>two</li></ul>', '• one\n• two'],
    ['<span style="c">plain</span> <img src="x">', 'plain'],
  ])('brings %s down to the HTML Telegram accepts', (html, telegram) => {
    expect(toTelegramHtml(html)).toBe(telegram);
  });

  it('replies to the message named in the thread refs', () => {
    const { calls } = render(
      outbound({ textBody: 'ok', threadRefs: { reply_to_message_id: '77' } }),
    );
    expect(calls[0].payload).toMatchObject({ reply_parameters: { message_id: 77 } });
  });

  it('puts CSAT buttons 1–5 under the survey, each carrying the ticket and score', () => {
    const { calls } = render(outbound({ textBody: 'How did we do?', csatSurvey: true }));
    const keyboard = (
      calls[0].payload as {
        reply_markup: { inline_keyboard: Array<Array<{ callback_data: string }>> };
      }
    ).reply_markup.inline_keyboard;
    expect(keyboard[0].map((button) => button.callback_data)).toEqual([
      'csat:T-1:1',
      'csat:T-1:2',
      'csat:T-1:3',
      'csat:T-1:4',
      'csat:T-1:5',
    ]);
  });

  const pdf = {
    storageKey: 'k-pdf',
    fileName: 'invoice.pdf',
    contentType: 'application/pdf',
    sizeBytes: 2_000,
  };
  const photo = (n: number, sizeBytes = 50_000) => ({
    storageKey: `k-photo-${n}`,
    fileName: `photo-${n}.jpg`,
    contentType: 'image/jpeg',
    sizeBytes,
  });
  const fileNames = (media: unknown) =>
    (media as Array<{ media: { attachment: { fileName: string } } }>).map(
      (item) => item.media.attachment.fileName,
    );

  it('sends one file with the text as its caption, replying where the text would have', () => {
    const { calls } = render(
      outbound({
        textBody: 'Your invoice',
        attachments: [pdf],
        threadRefs: { reply_to_message_id: '9' },
      }),
    );
    expect(calls).toEqual([
      {
        method: 'sendDocument',
        payload: {
          chat_id: '42',
          document: {
            attachment: expect.objectContaining(pdf),
            kind: 'document',
            limitBytes: 50 * 1024 * 1024,
          },
          caption: 'Your invoice',
          parse_mode: 'HTML',
          reply_parameters: { message_id: 9, allow_sending_without_reply: true },
        },
      },
    ]);
  });

  it('sends a JPEG, PNG or WebP up to 10 MB as a photo; a larger one, or a GIF, as a document', () => {
    const methods = (attachment: object) =>
      render(outbound({ attachments: [attachment] })).calls.map((call) => call.method);
    expect(methods(photo(1))).toEqual(['sendPhoto']);
    expect(methods({ ...photo(1), contentType: 'image/png' })).toEqual(['sendPhoto']);
    expect(methods(photo(1, 10 * 1024 * 1024 + 1))).toEqual(['sendDocument']);
    expect(methods({ ...photo(1), contentType: 'image/gif' })).toEqual(['sendDocument']);
  });

  it('puts photos in one album and documents in another, the caption on the first file', () => {
    const { calls } = render(
      outbound({
        textBody: 'Here they are',
        attachments: [photo(1), pdf, photo(2), { ...pdf, storageKey: 'k2', fileName: 'b.pdf' }],
      }),
    );
    expect(calls.map((call) => call.method)).toEqual(['sendMediaGroup', 'sendMediaGroup']);
    const [photos, documents] = calls.map(
      (call) => call.payload as { media: Array<{ type: string; caption?: string }> },
    );
    expect(fileNames(photos.media)).toEqual(['photo-1.jpg', 'photo-2.jpg']);
    expect(photos.media.map((item) => [item.type, item.caption])).toEqual([
      ['photo', 'Here they are'],
      ['photo', undefined],
    ]);
    expect(fileNames(documents.media)).toEqual(['invoice.pdf', 'b.pdf']);
    expect(documents.media.every((item) => item.type === 'document' && !item.caption)).toBe(true);
  });

  it('sends eleven photos as an album of ten and one photo alone', () => {
    const { calls } = render(
      outbound({ attachments: Array.from({ length: 11 }, (_, n) => photo(n)) }),
    );
    expect(calls.map((call) => call.method)).toEqual(['sendMediaGroup', 'sendPhoto']);
    expect(calls[0].payload).toMatchObject({ media: expect.any(Array) });
    expect((calls[0].payload as { media: unknown[] }).media).toHaveLength(10);
  });

  it('sends a text longer than a caption (1,024 characters) before the files, uncaptioned', () => {
    const text = 'word '.repeat(300).trim();
    const { calls } = render(outbound({ textBody: text, attachments: [pdf] }));
    expect(calls.map((call) => call.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(calls[0].payload).toMatchObject({ text });
    expect(calls[1].payload).not.toHaveProperty('caption');
  });

  it('keeps a survey question a text message, where its buttons can hang', () => {
    const { calls } = render(
      outbound({ textBody: 'How did we do?', csatSurvey: true, attachments: [pdf] }),
    );
    expect(calls.map((call) => call.method)).toEqual(['sendMessage', 'sendDocument']);
    expect(calls[0].payload).toHaveProperty('reply_markup');
  });

  it('refuses a file above 50 MB for good, naming it and the limit', () => {
    expect(() =>
      render(outbound({ attachments: [{ ...pdf, sizeBytes: 60 * 1024 * 1024 }] })),
    ).toThrow(
      expect.objectContaining({
        kind: 'permanent',
        message: expect.stringMatching(
          /"invoice.pdf" is 60 MB; Telegram bots send files of at most 50 MB/,
        ),
      }),
    );
  });

  it.each([
    ['an empty message', { textBody: ' ' }, /nothing|no text/],
    [
      'a foreign conversation key',
      { textBody: 'x', conversationKey: 'email:abc' },
      /not a Telegram conversation/,
    ],
    [
      'an attachment without storage key or URL',
      { textBody: 'x', attachments: [{ fileName: 'a' }] },
      /neither a storage key nor a URL/,
    ],
  ] as Array<[string, OutboundInit, RegExp]>)('rejects %s as bad input', (_, fields, error) => {
    expect(() => render(outbound(fields))).toThrow(error);
  });
});

describe('splitHtml', () => {
  it('leaves a message within the limit whole', () => {
    expect(splitHtml('short', 4096)).toEqual(['short']);
  });

  it('splits at a paragraph boundary rather than inside one', () => {
    const first = 'a'.repeat(30);
    const parts = splitHtml(`${first}\n\n${'b'.repeat(30)}`, 40);
    expect(parts).toEqual([first, 'b'.repeat(30)]);
  });

  it('splits a long text above 4,096 characters into parts within the limit, losing no word', () => {
    const words = Array.from({ length: 2_000 }, (_, i) => `word${i}`);
    const parts = splitHtml(words.join(' '), 4096);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((part) => part.length <= 4096)).toBe(true);
    expect(parts.join(' ').split(' ')).toEqual(words);
  });

  it('closes tags open at a cut and reopens them in the next part', () => {
    const parts = splitHtml(`<b>${'bold words '.repeat(10)}</b>`, 50);
    for (const part of parts) {
      expect(part.length).toBeLessThanOrEqual(50);
      expect(part).toMatch(/^<b>[^<]*<\/b>$/);
    }
  });

  it('never cuts inside an entity or a tag', () => {
    const parts = splitHtml(`${'&amp;'.repeat(30)}`, 42);
    for (const part of parts) expect(part).toMatch(/^(&amp;)+$/);
  });
});
