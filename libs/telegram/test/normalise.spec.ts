import { IdentityKind } from '@firstline/contracts';
import type { Message, Update } from 'grammy/types';
import { fileLinkKey, normalise, verifyFileLink } from '../src';

const bot = {
  name: 'support',
  filesBaseUrl: 'http://adapter.test',
  fileLinkKey: fileLinkKey('1:TOKEN'),
  fileLinkTtlSeconds: 3600,
};
const receivedAt = new Date('2026-11-23T12:00:00Z');
const from = { id: 42, is_bot: false, first_name: 'Ann', last_name: 'Smith', username: 'ann' };
/** Test updates carry only the fields that matter; the Bot API types demand every one. */
const asUpdate = (update: object) => update as Update;
const chat = { id: 42, type: 'private' as const, first_name: 'Ann' };

function messageUpdate(fields: Partial<Message>, updateId = 100): Update {
  return asUpdate({
    update_id: updateId,
    message: { message_id: 7, date: 1_790_000_000, chat, from, ...fields },
  });
}

describe('normalise', () => {
  it('carries the language of the user’s Telegram app, which our texts are written in', () => {
    const russian = { ...from, language_code: 'ru' };
    expect(
      normalise(messageUpdate({ text: 'Где заказ?', from: russian }), bot, receivedAt)!.language,
    ).toBe('ru');
    expect(normalise(messageUpdate({ text: 'Hi' }), bot, receivedAt)!.language).toBe('');
  });

  it('keys a text message by bot and chat, with an id from bot, chat and message id', () => {
    const inbound = normalise(messageUpdate({ text: 'My order is late' }), bot, receivedAt)!;
    expect(inbound).toMatchObject({
      messageId: 'telegram:support:42:7',
      conversationKey: 'telegram:support:42',
      textBody: 'My order is late',
      sender: { kind: IdentityKind.TELEGRAM_USER, value: '42', displayName: 'Ann Smith' },
      channelMetadata: { chat_type: 'private', content_kind: 'text', username: 'ann' },
    });
    expect(inbound.editOfMessageId).toBeUndefined();
  });

  it.each([
    [
      'photo (largest size)',
      {
        caption: 'broken',
        photo: [
          { file_id: 'small', file_unique_id: 's', width: 90, height: 90 },
          { file_id: 'big', file_unique_id: 'b', width: 1280, height: 1280, file_size: 2048 },
        ],
      },
      {
        fileName: 'photo-b.jpg',
        contentType: 'image/jpeg',
        sizeBytes: 2048,
        url: expect.stringMatching(/^http:\/\/adapter\.test\/telegram\/support\/files\/big\?/),
      },
      'broken',
    ],
    [
      'document',
      {
        document: {
          file_id: 'doc',
          file_unique_id: 'd',
          file_name: 'invoice.pdf',
          mime_type: 'application/pdf',
        },
      },
      { fileName: 'invoice.pdf', contentType: 'application/pdf' },
      '',
    ],
    [
      'voice',
      { voice: { file_id: 'v', file_unique_id: 'v1', duration: 3 } },
      { fileName: 'voice-v1.ogg', contentType: 'audio/ogg' },
      '',
    ],
    [
      'video',
      {
        video: {
          file_id: 'vid',
          file_unique_id: 'v2',
          width: 1,
          height: 1,
          duration: 9,
          mime_type: 'video/mp4',
        },
      },
      { fileName: 'video-v2.mp4', contentType: 'video/mp4' },
      '',
    ],
  ] as Array<[string, Partial<Message>, object, string]>)(
    'a %s becomes an attachment served by the adapter',
    (_, fields, attachment, text) => {
      const inbound = normalise(messageUpdate(fields), bot, receivedAt)!;
      expect(inbound.attachments).toEqual([expect.objectContaining(attachment)]);
      expect(inbound.textBody).toBe(text);
    },
  );

  it('links a file with a signed link that opens it for the bot’s link lifetime', () => {
    const inbound = normalise(
      messageUpdate({
        document: { file_id: 'doc', file_unique_id: 'd', file_name: 'invoice.pdf' },
      }),
      bot,
      receivedAt,
    )!;
    const link = new URL(inbound.attachments[0].url);
    const request = {
      bot: 'support',
      fileId: 'doc',
      ...Object.fromEntries(link.searchParams),
    };
    expect(link.searchParams.get('expires')).toBe(String(receivedAt.getTime() / 1000 + 3600));
    expect(verifyFileLink(request, bot.fileLinkKey, receivedAt)).toEqual({
      kind: 'valid',
      fileName: 'invoice.pdf',
    });
  });

  it.each([
    ['sticker', { sticker: { emoji: '😡' } }, '[sticker 😡]'],
    ['location', { location: { latitude: 52.52, longitude: 13.405 } }, '[location 52.52, 13.405]'],
    [
      'poll',
      { poll: { id: 'p', question: 'Which?' } },
      '[a kind of message Firstline cannot show yet]',
    ],
  ] as Array<[string, Partial<Message>, string]>)(
    'a %s becomes a text placeholder',
    (_, fields, text) => {
      expect(normalise(messageUpdate(fields), bot, receivedAt)!.textBody).toBe(text);
    },
  );

  it("makes the phone of the user's own shared contact an identity", () => {
    const inbound = normalise(
      messageUpdate({ contact: { phone_number: '4915112345678', first_name: 'Ann', user_id: 42 } }),
      bot,
      receivedAt,
    )!;
    expect(inbound.sharedIdentities).toEqual([
      expect.objectContaining({ kind: IdentityKind.PHONE, value: '+4915112345678' }),
    ]);
  });

  it("does not take someone else's contact card as the sender's phone", () => {
    const inbound = normalise(
      messageUpdate({ contact: { phone_number: '+4930123', first_name: 'Bob', user_id: 99 } }),
      bot,
      receivedAt,
    )!;
    expect(inbound.sharedIdentities).toEqual([]);
    expect(inbound.textBody).toBe('[contact Bob +4930123]');
  });

  it('records an edited message as an edit of the original, with an id per edit', () => {
    const update = asUpdate({
      update_id: 101,
      edited_message: {
        message_id: 7,
        date: 1_790_000_000,
        edit_date: 1_790_000_060,
        chat,
        from,
        text: 'fixed',
      },
    });
    expect(normalise(update, bot, receivedAt)).toMatchObject({
      messageId: 'telegram:support:42:7:edit:1790000060',
      editOfMessageId: 'telegram:support:42:7',
      textBody: 'fixed',
    });
  });

  it('takes the /start deep-link payload as a link token', () => {
    expect(normalise(messageUpdate({ text: '/start st_8f2a' }), bot, receivedAt)!.linkToken).toBe(
      'st_8f2a',
    );
    expect(
      normalise(messageUpdate({ text: '/start' }), bot, receivedAt)!.linkToken,
    ).toBeUndefined();
  });

  it('turns a CSAT button press into a CSAT answer for the ticket', () => {
    const update: Update = {
      update_id: 102,
      callback_query: {
        id: 'cb1',
        from,
        chat_instance: 'ci',
        data: 'csat:T-1:4',
        message: { message_id: 9, date: 0, chat } as Message,
      },
    };
    expect(normalise(update, bot, receivedAt)).toMatchObject({
      messageId: 'telegram:support:callback:cb1',
      conversationKey: 'telegram:support:42',
      csatAnswer: { ticketId: 'T-1', score: 4 },
    });
  });

  it.each<[string, Update]>([
    [
      'a group message',
      asUpdate({
        update_id: 1,
        message: {
          message_id: 1,
          date: 0,
          chat: { id: -5, type: 'group', title: 'g' },
          from,
          text: 'hi',
        },
      }),
    ],
    [
      'a button that is not a survey',
      { update_id: 2, callback_query: { id: 'x', from, chat_instance: 'c', data: 'other' } },
    ],
    ['a member change', asUpdate({ update_id: 3, my_chat_member: {} })],
  ])('ignores %s', (_, update) => {
    expect(normalise(update, bot, receivedAt)).toBeUndefined();
  });

  it('rejects a message without a sender as bad input', () => {
    const update = asUpdate({ update_id: 4, message: { message_id: 1, date: 0, chat, text: 'x' } });
    expect(() => normalise(update, bot, receivedAt)).toThrow(/without sender/);
  });
});
