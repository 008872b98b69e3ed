import type { MessageInitShape } from '@bufbuild/protobuf';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Channel,
  create,
  IdentityKind,
  OutboundMessageSchema,
  timestampDate,
  type InboundMessage,
} from '@firstline/contracts';
import { webhookSecret } from '@firstline/config';
import { BadInputError } from '@firstline/errors';
import {
  MAX_TEXT_LENGTH,
  OK_WEBHOOK_SECRET,
  OkApiError,
  okAdapter,
  okApiError,
  parseConversationKey,
  sentMessageId,
  uploadTypeOf,
  webhookPath,
  withUploadedFiles,
  type OkContext,
  type OkWebhook,
} from '../src';

const context: OkContext = { groupId: '57000000000001', webhookSecret: 's'.repeat(40) };
const receivedAt = new Date('2026-03-02T10:00:00Z');
const fixture = (name: string): OkWebhook =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as OkWebhook;

async function message(body: OkWebhook): Promise<InboundMessage> {
  const normalised = await okAdapter.normalise(body, context, receivedAt);
  if (normalised.kind !== 'message') throw new Error(`expected a message, got ${normalised.kind}`);
  return normalised.message;
}

describe('an OK webhook as an inbound message', () => {
  it("reads the documentation's plain text example, which has no webhookType, as a message", async () => {
    const inbound = await message(fixture('text-message'));
    expect(inbound).toMatchObject({
      channel: Channel.OK,
      messageId: 'ok:57000000000001:C3ecb9d02a600:C3ecb9d02a600.15cea67d78d2059',
      conversationKey: 'ok:57000000000001:C3ecb9d02a600',
      textBody: 'text',
      replyText: 'text',
      sender: { kind: IdentityKind.OK_USER, value: '123456789012' },
      channelMetadata: {
        group_id: '57000000000001',
        chat_id: 'chat:C3ecb9d02a600',
        mid: 'mid:C3ecb9d02a600.15cea67d78d2059',
      },
    });
    expect(timestampDate(inbound.sentAt!).getTime()).toBe(1498581292941);
    expect(timestampDate(inbound.receivedAt!)).toEqual(receivedAt);
  });

  it('gives a redelivered webhook the same message id, and the same chat the same conversation', async () => {
    const first = await message(fixture('text-message'));
    const again = await message(fixture('text-message'));
    const other = await message(fixture('typed-text-message'));
    expect(again.messageId).toBe(first.messageId);
    expect(other.messageId).not.toBe(first.messageId);
    expect(other.conversationKey).toBe(first.conversationKey);
  });

  it("shows the sender's name to agents without matching on it", async () => {
    const inbound = await message(fixture('typed-text-message'));
    expect(inbound.sender).toMatchObject({ value: '123456789012', displayName: 'John Smith' });
    expect(inbound.textBody).toBe('Здравствуйте! Заказ 5521 не пришёл.');
  });

  it('keeps a shared link as a line of text the agent can follow', async () => {
    const inbound = await message(fixture('share-message'));
    expect(inbound.textBody).toBe('https://ya.ru/\n[link: https://ya.ru/]');
    expect(inbound.attachments).toHaveLength(0);
  });

  it('turns images and files into attachments by link and keeps places, contacts and stickers as text', async () => {
    const inbound = await message(fixture('media-message'));
    expect(
      inbound.attachments.map(({ url, fileName, sizeBytes }) => ({ url, fileName, sizeBytes })),
    ).toEqual([
      { url: 'https://i.mycdn.me/image?id=1', fileName: 'image-1', sizeBytes: 0 },
      { url: 'https://fu.mycdn.me/file?id=2', fileName: 'receipt.pdf', sizeBytes: 52341 },
    ]);
    expect(inbound.textBody).toBe(
      [
        'Вот фото и чек',
        '[location: 55.7558, 37.6173]',
        '[contact: Anna, +79001234567]',
        '[sticker]',
      ].join('\n'),
    );
  });

  it('reads a pressed survey button as the score for the ticket it asked about', async () => {
    const inbound = await message(fixture('csat-callback'));
    expect(inbound.csatAnswer).toMatchObject({ ticketId: 'tkt_01HZX3', score: 4, comment: '' });
    expect(inbound).toMatchObject({
      channel: Channel.OK,
      conversationKey: 'ok:57000000000001:C3ecb9d02a600',
      messageId: 'ok:57000000000001:C3ecb9d02a600:csat:someCallbackId',
      textBody: 'Rated the support 4 of 5',
      sender: { kind: IdentityKind.OK_USER, value: '123456789012' },
    });
  });

  it.each([
    ['a chat system event', fixture('chat-system'), 'chat system event'],
    [
      'a press of some other button',
      { ...fixture('csat-callback'), payload: 'menu:open' },
      'not a survey answer',
    ],
    ['an event type OK may add later', { webhookType: 'MESSAGE_REACTION' }, 'MESSAGE_REACTION'],
  ])('ignores %s, saying why', async (_case, body, reason) => {
    expect(await okAdapter.normalise(body as OkWebhook, context, receivedAt)).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining(reason),
    });
  });

  const text = fixture('typed-text-message');
  it.each([
    ['a body that is not an object', 'hello', 'JSON object'],
    ['a message without a chat', { ...text, recipient: {} }, 'recipient.chat_id'],
    ['a message without a sender', { ...text, sender: { name: 'X' } }, 'sender.user_id'],
    ['a message without a mid', { ...text, message: { text: 'hi' } }, 'message.mid'],
    [
      'an empty message',
      { ...text, message: { mid: 'mid:C1.1', text: '', attachments: [] } },
      'neither text nor attachments',
    ],
    [
      'a survey answer without a chat',
      { ...fixture('csat-callback'), recipient: undefined },
      'recipient.chat_id',
    ],
  ])('rejects %s with the reason, without throwing', async (_case, body, reason) => {
    expect(await okAdapter.normalise(body as unknown as OkWebhook, context, receivedAt)).toEqual({
      kind: 'rejected',
      reason: expect.stringContaining(reason),
    });
  });
});

describe('an outbound message as OK Graph API calls', () => {
  const outbound = (changes: MessageInitShape<typeof OutboundMessageSchema> = {}) =>
    create(OutboundMessageSchema, {
      outboundId: 'out_1',
      ticketId: 'tkt_01HZX3',
      channel: Channel.OK,
      conversationKey: 'ok:57000000000001:C3ecb9d02a600',
      textBody: 'Ваш заказ в пути.',
      ...changes,
    });

  it('sends the text to the chat of the conversation, with the group whose token sends it', () => {
    expect(okAdapter.render(outbound(), context)).toEqual({
      groupId: '57000000000001',
      chatId: 'chat:C3ecb9d02a600',
      parts: [
        {
          partId: 'out_1:1',
          body: {
            recipient: { chat_id: 'chat:C3ecb9d02a600' },
            message: { text: 'Ваш заказ в пути.' },
          },
          files: [],
        },
      ],
    });
  });

  it('splits a long reply at a word boundary into messages OK accepts, losing nothing', () => {
    const words = Array.from({ length: 1500 }, (_, index) => `слово${index}`).join(' ');
    const { parts } = okAdapter.render(outbound({ textBody: words }), context);
    const texts = parts.map((part) => part.body.message.text!);
    expect(texts.length).toBeGreaterThan(1);
    for (const chunk of texts) expect([...chunk].length).toBeLessThanOrEqual(MAX_TEXT_LENGTH);
    expect(texts.join(' ')).toBe(words);
    expect(parts.map((part) => part.partId)).toEqual(texts.map((_, index) => `out_1:${index + 1}`));
  });

  it('puts the 1–5 survey buttons under the survey, each naming the ticket and the score', () => {
    const [part] = okAdapter.render(outbound({ csatSurvey: true }), context).parts;
    expect(part.body.message.attachments).toEqual([
      {
        type: 'INLINE_KEYBOARD',
        payload: {
          buttons: [
            [1, 2, 3, 4, 5].map((score) => ({
              type: 'CALLBACK',
              text: '★'.repeat(score),
              payload: `csat:${score}:tkt_01HZX3`,
              intent: score >= 4 ? 'POSITIVE' : score <= 2 ? 'NEGATIVE' : 'DEFAULT',
            })),
          ],
        },
      },
    ]);
  });

  it('a survey button pressed comes back as the score it showed', async () => {
    const [part] = okAdapter.render(outbound({ csatSurvey: true }), context).parts;
    const buttons = (
      part.body.message.attachments![0].payload as { buttons: Array<Array<{ payload: string }>> }
    ).buttons[0];
    const pressed = await message({ ...fixture('csat-callback'), payload: buttons[1].payload });
    expect(pressed.csatAnswer).toMatchObject({ ticketId: 'tkt_01HZX3', score: 2 });
  });

  it('sends files with the text, five to a message with the keyboard counted, to be uploaded first', () => {
    const files = Array.from({ length: 7 }, (_, index) => ({
      fileName: `f${index}.pdf`,
      contentType: 'application/pdf',
      storageKey: `k${index}`,
    }));
    const { parts } = okAdapter.render(outbound({ attachments: files, csatSurvey: true }), context);
    expect(parts.map((part) => part.files.map((file) => file.fileName))).toEqual([
      ['f0.pdf', 'f1.pdf', 'f2.pdf', 'f3.pdf'],
      ['f4.pdf', 'f5.pdf', 'f6.pdf'],
    ]);
    expect(parts[1].body.message).toEqual({});
    const sent = withUploadedFiles(parts[1].body, [{ type: 'FILE', token: 'tokenString' }]);
    expect(sent.message.attachments).toEqual([{ type: 'FILE', payload: { token: 'tokenString' } }]);
  });

  it.each([
    ['image/png', 'IMAGE'],
    ['video/mp4', 'VIDEO'],
    ['audio/ogg', 'AUDIO'],
    ['application/pdf', 'FILE'],
    ['', 'FILE'],
  ])('uploads a %s file as %s', (contentType, type) => {
    expect(uploadTypeOf({ contentType } as never)).toBe(type);
  });

  it.each([
    ['a conversation of another channel', { conversationKey: 'vk:1:2' }, 'not an OK conversation'],
    ['a message with nothing in it', { textBody: '  ' }, 'neither text nor files'],
    [
      'a survey whose ticket id does not fit a button',
      { csatSurvey: true, ticketId: 'x'.repeat(2000) },
      'too long',
    ],
    [
      'a file with neither storage key nor URL',
      { attachments: [{ fileName: 'a.pdf' }] },
      'neither a storage key nor a URL',
    ],
  ])('refuses %s as bad input', (_case, changes, reason) => {
    expect(() => okAdapter.render(outbound(changes), context)).toThrow(BadInputError);
    expect(() => okAdapter.render(outbound(changes), context)).toThrow(reason);
  });

  it("records OK's mid of a sent part, or the part's own id when OK gives none", () => {
    const [part] = okAdapter.render(outbound(), context).parts;
    expect(sentMessageId({ success: true, message_id: 'mid:C3ecb9d02a600.1' }, part)).toBe(
      'mid:C3ecb9d02a600.1',
    );
    expect(sentMessageId({ success: true }, part)).toBe('out_1:1');
  });

  it('reads the chat back from a conversation key', () => {
    expect(parseConversationKey('ok:57000000000001:C3ecb9d02a600')).toEqual({
      groupId: '57000000000001',
      chatId: 'chat:C3ecb9d02a600',
    });
    expect(parseConversationKey('telegram:1:2:3')).toBeUndefined();
  });
});

describe('an OK error as what it means for the message', () => {
  const failure = (error: unknown) => okAdapter.classifyError(error);
  const ok = (code: number, msg = '') => new OkApiError('messages', 200, code, msg);

  it.each([
    ['flood control (8)', ok(8, 'FLOOD_BLOCKED')],
    ['a request limit (11)', ok(11)],
    ['a temporarily blocked action (7)', ok(7)],
    ['a service outage (2)', ok(2)],
    ['an unknown error (1)', ok(1)],
    ['a code OK may add later', ok(12345)],
    ['a gateway error without an error object', new OkApiError('messages', 502)],
    ['HTTP 429', new OkApiError('messages', 429)],
    ['a connection that failed', new TypeError('fetch failed')],
  ])('retries %s', (_case, error) => {
    expect(failure(error)).toMatchObject({ kind: 'retryable', recipientUnreachable: false });
  });

  it.each([
    ['permission denied (10)', ok(10, 'PERMISSION_DENIED')],
    ['chat not found (300)', ok(300, 'NOT_FOUND')],
  ])('stops trying to reach a customer who does not accept messages: %s', (_case, error) => {
    expect(failure(error)).toMatchObject({ kind: 'permanent', recipientUnreachable: true });
  });

  it.each([
    ['an expired token (102)', ok(102)],
    ['a replaced token (103)', ok(103)],
    ['an invalid key (101)', ok(101)],
    ['HTTP 401', new OkApiError('messages', 401)],
  ])('gives up on %s without blaming the customer', (_case, error) => {
    expect(failure(error)).toMatchObject({ kind: 'permanent', recipientUnreachable: false });
  });

  it('dead-letters a request OK could not read as bad input', () => {
    expect(failure(ok(100, 'PARAM : text too long'))).toEqual({
      kind: 'bad-input',
      reason: 'OK rejected a parameter (OK error 100: PARAM : text too long)',
      recipientUnreachable: false,
    });
  });

  it("finds the error in OK's answer whatever the HTTP status, and none in a success", () => {
    expect(
      okApiError('messages', 200, { error_code: 10, error_msg: 'PERMISSION_DENIED' }),
    ).toMatchObject({ code: 10, okMessage: 'PERMISSION_DENIED' });
    expect(okApiError('messages', 503, 'Service Unavailable')).toMatchObject({
      code: undefined,
      httpStatus: 503,
    });
    expect(okApiError('messages', 200, { success: true, message_id: 'mid:1' })).toBeUndefined();
  });
});

describe('a webhook request, which OK does not sign', () => {
  const request = (path?: string) => ({
    headers: path === undefined ? {} : { ':path': path },
    rawBody: Buffer.from(JSON.stringify(fixture('text-message'))),
  });

  it('is accepted at the path with the group secret, with or without a query', () => {
    expect(okAdapter.verify!(request(webhookPath(context.webhookSecret)), context)).toEqual({
      kind: 'accepted',
    });
    expect(
      okAdapter.verify!(request(`${webhookPath(context.webhookSecret)}?x=1`), context).kind,
    ).toBe('accepted');
  });

  it.each([
    ['a wrong secret', webhookPath('t'.repeat(40)), 403],
    ['a secret one character short', webhookPath('s'.repeat(39)), 403],
    ['no secret', '/ok/webhook/', 403],
    ['another path', '/vk/callback', 400],
    ['no path at all', undefined, 400],
  ])('is rejected with %s', (_case, path, status) => {
    expect(okAdapter.verify!(request(path), context)).toMatchObject({ kind: 'rejected', status });
  });

  it('comes with a secret the configuration checks: long enough, and safe in a URL path', () => {
    const secret = webhookSecret(OK_WEBHOOK_SECRET);
    expect(secret.safeParse('Abc-_'.repeat(8)).success).toBe(true);
    expect(secret.safeParse('short').success).toBe(false);
    expect(secret.safeParse(`${'s'.repeat(32)}/x`).success).toBe(false);
  });
});
