import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Normalised } from '@firstline/channel';
import { IdentityKind, type InboundMessage } from '@firstline/contracts';
import type { Update } from 'grammy/types';
import { fileLinkKey, normalise, telegramAdapter, verifyFileLink } from '../src';

const bot = {
  name: 'support',
  filesBaseUrl: 'http://adapter.test',
  fileLinkKey: fileLinkKey('1:TOKEN'),
  fileLinkTtlSeconds: 3600,
};
const receivedAt = new Date('2026-11-23T12:00:00Z');

/** One of the updates in test/fixtures, written from the Bot API documentation. */
const fixture = (name: string): Update =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', `${name}.json`), 'utf8')) as Update;

async function messageOf(update: Update): Promise<InboundMessage> {
  const normalised = await normalise(update, bot, receivedAt);
  if (normalised.kind !== 'message') {
    throw new Error(`expected a message, got ${normalised.kind}: ${normalised.reason}`);
  }
  return normalised.message;
}

describe('a customer’s message', () => {
  it('is keyed by bot and chat, with an id from bot, chat and message id', async () => {
    const update: Update = {
      update_id: 100,
      message: {
        message_id: 7,
        date: 1_790_000_000,
        chat: { id: 42, type: 'private', first_name: 'Ann' },
        from: { id: 42, is_bot: false, first_name: 'Ann', last_name: 'Smith', username: 'ann' },
        text: 'My order is late',
      },
    };
    const inbound = await messageOf(update);
    expect(inbound).toMatchObject({
      messageId: 'telegram:support:42:7',
      conversationKey: 'telegram:support:42',
      textBody: 'My order is late',
      replyText: 'My order is late',
      sender: { kind: IdentityKind.TELEGRAM_USER, value: '42', displayName: 'Ann Smith' },
      channelMetadata: { chat_type: 'private', content_kind: 'text', username: 'ann' },
      language: '',
    });
    expect(inbound.editOfMessageId).toBeUndefined();
  });

  it('carries the language of the user’s Telegram app, which our texts are written in', async () => {
    expect((await messageOf(fixture('text-link'))).language).toBe('ru');
  });

  it('links a file with a signed link that opens it for the bot’s link lifetime', async () => {
    const inbound = await messageOf(fixture('caption-text-link'));
    const link = new URL(inbound.attachments[0].url);
    expect(link.pathname).toBe('/telegram/support/files/AgAD-photo-large');
    expect(link.searchParams.get('expires')).toBe(String(receivedAt.getTime() / 1000 + 3600));
    expect(
      verifyFileLink(
        { bot: 'support', fileId: 'AgAD-photo-large', ...Object.fromEntries(link.searchParams) },
        bot.fileLinkKey,
        receivedAt,
      ),
    ).toEqual({ kind: 'valid', fileName: 'photo-ph-l.jpg' });
  });

  it('takes the /start deep-link payload as a link token', async () => {
    const start = (text: string): Update => ({
      update_id: 101,
      message: {
        message_id: 8,
        date: 1_790_000_000,
        chat: { id: 42, type: 'private', first_name: 'Ann' },
        from: { id: 42, is_bot: false, first_name: 'Ann' },
        text,
      },
    });
    expect((await messageOf(start('/start st_8f2a'))).linkToken).toBe('st_8f2a');
    expect((await messageOf(start('/start'))).linkToken).toBeUndefined();
  });
});

describe('what each kind of message shows the agent', () => {
  it.each<[fixture: string, text: string, attachments: object[]]>([
    [
      'text-link',
      'The parcel tracking page (https://track.example.com/RU123456789) says delivered',
      [],
    ],
    [
      'caption-text-link',
      'Screenshot of the error on checkout (https://shop.example.com/checkout)',
      [{ fileName: 'photo-ph-l.jpg', contentType: 'image/jpeg', sizeBytes: 182000 }],
    ],
    [
      'venue',
      'Venue: Pickup point 14\nTverskaya St 7, Moscow\n' +
        'https://www.openstreetmap.org/?mlat=55.755826&mlon=37.6173#map=17/55.755826/37.6173',
      [],
    ],
    ['poll', 'Poll: Which delivery slot suits you?\n– Morning\n– Evening', []],
    [
      'web-app-data',
      'Sent from the web app "Report a problem": {"order":5531,"issue":"damaged"}',
      [],
    ],
    ['users-shared', 'Shared user: Pavel @pavel_k (id 777002)', []],
    ['user-shared-legacy', 'Shared user: (id 777003)', []],
    ['chat-shared', 'Shared chat: Office team (id -1001112223334)', []],
    [
      'audio',
      'This plays when I call you, for 20 minutes\nAudio: Example Band – Hold Music (3:05)',
      [{ fileName: 'audio-au-1.mp3', contentType: 'audio/mpeg' }],
    ],
    [
      'video-note',
      'Video message (0:12)',
      [{ fileName: 'video-note-vn-1.mp4', contentType: 'video/mp4' }],
    ],
    ['voice', 'Voice message (1:07)', [{ fileName: 'voice-vo-1.ogg', contentType: 'audio/ogg' }]],
    ['sticker', 'Sticker 👍', [{ fileName: 'sticker-st-1.webp', contentType: 'image/webp' }]],
    ['dice', 'Dice 🎲: 3', []],
    ['game', 'Game: Lucky Wheel – Spin for a discount', []],
    ['contact-other', 'Contact: Courier, +79035550000', []],
    [
      'location',
      'Location: 59.938951, 30.315635 ' +
        'https://www.openstreetmap.org/?mlat=59.938951&mlon=30.315635#map=17/59.938951/30.315635',
      [],
    ],
    [
      'live-location-start',
      'Live location (shared for 60 min): 59.938951, 30.315635 ' +
        'https://www.openstreetmap.org/?mlat=59.938951&mlon=30.315635#map=17/59.938951/30.315635',
      [],
    ],
    [
      'animation',
      'It does this every time',
      [{ fileName: 'error.gif.mp4', contentType: 'video/mp4' }],
    ],
  ])('%s', async (name, text, attachments) => {
    const inbound = await messageOf(fixture(name));
    expect(inbound.textBody).toBe(text);
    expect(inbound.attachments).toEqual(attachments.map((a) => expect.objectContaining(a)));
  });
});

describe('forwards and replies', () => {
  it.each<[fixture: string, text: string, from: string]>([
    [
      'forward-origin-user',
      'Forwarded from Ivan Sidorov:\n> Your refund of 1,200 RUB was approved.',
      'Ivan Sidorov',
    ],
    ['forward-origin-hidden-user', 'Forwarded from Anna K.:\n> I was charged twice too', 'Anna K.'],
    [
      'forward-origin-channel',
      'Forwarded from Example Shop News (@example_shop) (Marketing):\n> Spring sale: -30% on all plans',
      'Example Shop News (@example_shop) (Marketing)',
    ],
    [
      'forward-legacy-sender-name',
      'Forwarded from Unknown Caller:\n> Is this message from you?',
      'Unknown Caller',
    ],
    [
      'forward-legacy-from-chat',
      'Forwarded from Example Status (Ops):\n> Scheduled maintenance tonight',
      'Example Status (Ops)',
    ],
  ])(
    '%s is quoted and marked as forwarded, as nobody’s words of the customer’s own',
    async (name, text, from) => {
      const inbound = await messageOf(fixture(name));
      expect(inbound.textBody).toBe(text);
      expect(inbound.channelMetadata.forwarded_from).toBe(from);
      expect(inbound.replyText).toBe('');
    },
  );

  it('keeps the attachments of a forwarded message', async () => {
    const inbound = await messageOf(fixture('forward-origin-channel'));
    expect(inbound.attachments).toEqual([
      expect.objectContaining({ fileName: 'photo-ch-ph.jpg', contentType: 'image/jpeg' }),
    ]);
  });

  it.each<[fixture: string, text: string]>([
    [
      'reply-to-message',
      'In reply to Example Support:\n> Which order do you mean, #5531 or #5540?\n\nYes, that order',
    ],
    ['reply-quote', 'In reply to Example Support:\n> Delivery takes 3 days.\n\nThis part is wrong'],
    [
      'external-reply',
      'In reply to Example Shop News (@example_shop):\n> Prices change on 1 March\n\nCan you explain this?',
    ],
  ])('%s shows what it answers above the customer’s words', async (name, text) => {
    const inbound = await messageOf(fixture(name));
    expect(inbound.textBody).toBe(text);
    expect(inbound.replyText).toBe(text.split('\n\n').at(-1));
  });

  it.each<[fixture: string, replied: string[]]>([
    // The bot's message 150 in Olga's chat: its delivery receipt reported this id.
    ['reply-to-message', ['telegram:support:5550101:150']],
    ['reply-quote', ['telegram:support:5550101:151']],
    // A message of another chat is none of ours.
    ['external-reply', []],
  ])('%s names the message it answers, for the router to thread', async (name, replied) => {
    expect((await messageOf(fixture(name))).repliedMessageIds).toEqual(replied);
  });
});

describe('contacts', () => {
  it("makes the phone of the user's own shared contact an identity", async () => {
    expect((await messageOf(fixture('contact-own'))).sharedIdentities).toEqual([
      expect.objectContaining({ kind: IdentityKind.PHONE, value: '+79161234567' }),
    ]);
  });

  it("does not take someone else's contact card as the sender's phone", async () => {
    expect((await messageOf(fixture('contact-other'))).sharedIdentities).toEqual([]);
  });
});

describe('edits', () => {
  it('records an edited message as an edit of the original, with an id per edit', async () => {
    expect(await messageOf(fixture('edited-text'))).toMatchObject({
      messageId: 'telegram:support:5550101:228:edit:1767261720',
      editOfMessageId: 'telegram:support:5550101:228',
      textBody: 'My order number is 5531, not 5513',
    });
  });

  it('does not take "edit_date": null for an edit', async () => {
    const inbound = await messageOf(fixture('edit-date-null'));
    expect(inbound.messageId).toBe('telegram:support:5550101:229');
    expect(inbound.editOfMessageId).toBeUndefined();
  });

  it('records the message that starts a live location and ignores each of its moves', async () => {
    expect((await messageOf(fixture('live-location-start'))).messageId).toBe(
      'telegram:support:5550101:300',
    );
    expect(await normalise(fixture('live-location-move'), bot, receivedAt)).toEqual({
      kind: 'ignored',
      reason: 'a live location moving',
    });
  });
});

describe('buttons', () => {
  it('turns a CSAT button press into a CSAT answer for the ticket', async () => {
    expect(await messageOf(fixture('callback-csat'))).toMatchObject({
      messageId: 'telegram:support:callback:4410002',
      conversationKey: 'telegram:support:5550101',
      csatAnswer: { ticketId: 'T-5531', score: 4 },
    });
  });
});

describe('what the adapter ignores, with its reason', () => {
  it.each<[fixture: string, reason: RegExp]>([
    ['write-access-allowed', /service message \(write_access_allowed\)/],
    ['successful-payment', /service message \(successful_payment\)/],
    ['invoice', /service message \(invoice\)/],
    ['pinned-message', /service message \(pinned_message\)/],
    ['migrate-to-chat', /group chat/],
    ['new-chat-members', /group chat/],
    ['group-message', /supergroup chat/],
    ['channel-post', /channel post/],
    ['callback-foreign', /button press that does not answer our survey/],
    ['my-chat-member-blocked', /membership/],
  ])('%s', async (name, reason) => {
    const normalised = await normalise(fixture(name), bot, receivedAt);
    expect(normalised).toEqual({ kind: 'ignored', reason: expect.stringMatching(reason) });
  });
});

describe('what the adapter rejects as unreadable, never throwing', () => {
  it.each<[fixture: string, reason: string]>([
    ['contact-without-phone', 'Telegram update 700138: a contact without phone_number'],
    [
      'callback-without-from',
      'Telegram update 700139: a button press without its id or sender (from)',
    ],
    ['message-without-chat', 'Telegram update 700140: a message without its chat'],
  ])('%s', async (name, reason) => {
    await expect(normalise(fixture(name), bot, receivedAt)).resolves.toEqual({
      kind: 'rejected',
      reason,
    });
  });

  it.each<[string, unknown]>([
    ['a body that is no update', { ok: true }],
    [
      'a photo list of nulls',
      { update_id: 9, message: { ...fixture('voice').message, photo: [null] } },
    ],
    ['a message that is a string', { update_id: 10, message: 'hello' }],
  ])('%s', async (_, payload) => {
    const normalised: Normalised = await telegramAdapter.normalise(
      payload as Update,
      bot,
      receivedAt,
    );
    expect(normalised.kind).toBe('rejected');
  });
});
