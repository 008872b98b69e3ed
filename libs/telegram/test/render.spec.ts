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

  it('sends attachments as documents the Bot API fetches by URL', () => {
    const { calls } = render(
      outbound({
        textBody: 'see file',
        attachments: [{ url: 'https://files.test/a.pdf', fileName: 'a.pdf' }],
      }),
    );
    expect(calls[1]).toEqual({
      method: 'sendDocument',
      payload: { chat_id: '42', document: 'https://files.test/a.pdf' },
    });
  });

  it.each([
    ['an empty message', { textBody: ' ' }, /nothing|no text/],
    [
      'a foreign conversation key',
      { textBody: 'x', conversationKey: 'email:abc' },
      /not a Telegram conversation/,
    ],
    [
      'an attachment without URL',
      { textBody: 'x', attachments: [{ storageKey: 'k', fileName: 'a' }] },
      /no URL/,
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
