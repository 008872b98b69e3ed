import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Normalised } from '@firstline/channel';
import { IdentityKind, type InboundMessage } from '@firstline/contracts';
import type { Update } from 'grammy/types';
import { fileLinkKey, telegramAdapter } from '../src';

/**
 * The Telegram updates in ../shared/corpus/messenger/telegram: 72 payloads from the test suites of
 * python-telegram-bot, aiogram, Telegram.Bot, TelegramBots, teloxide, kutana and the Bot API docs
 * (SOURCES.md beside them), with their quirks: JSON nulls, fields of older Bot API versions, and a
 * few malformed on purpose. It lives outside the repository; without it this suite is skipped.
 *
 * Every payload has an expected outcome below, and the defects these payloads once showed are
 * asserted on the payload that shows each.
 */
const corpusRoots = [
  resolve(__dirname, '../../../../shared'),
  resolve(__dirname, '../../../../../shared'),
];
const updates = corpusRoots.map((root) => join(root, 'corpus/messenger/telegram')).find(existsSync);

const bot = {
  name: 'support',
  filesBaseUrl: 'http://adapter.test',
  fileLinkKey: fileLinkKey('1:TOKEN'),
  fileLinkTtlSeconds: 3600,
};

type Outcome = ['message', RegExp] | ['ignored', RegExp] | ['rejected', RegExp];

/** For each payload: what becomes of it, and a pattern its text (message) or reason must match. */
const expected: Record<string, Outcome> = {
  'ag-audio-caption': [
    'message',
    /^This is my favourite song\nAudio: The Best Singer – The Best Song \(3:56\)$/,
  ],
  'ag-channel-post': ['ignored', /channel post/],
  'ag-contact-no-user-id': ['message', /^Contact: John Smith, \+88005553535$/],
  'ag-dice-no-emoji': ['message', /^Dice 🎲: 6$/],
  'ag-document-docx-caption': ['message', /^Read my document$/],
  'ag-edited-message': ['message', /\(edited\)$/],
  'ag-forwarded-text-links': [
    'message',
    /^Forwarded from FirstName LastName \(@username\):\n> .*\(https:\/\/google\.com\/\)/,
  ],
  'ag-game': ['message', /^Game: Karate Kido – /],
  'ag-invoice': ['ignored', /service message \(invoice\)/],
  'ag-location': [
    'message',
    /^Location: 50\.693416, 30\.624605 https:\/\/www\.openstreetmap\.org\//,
  ],
  'ag-media-group-photo': ['message', /^$/],
  'ag-migrate-to-chat': ['ignored', /service message \(migrate_to_chat_id\)/],
  'ag-reply-to-message': [
    'message',
    /^In reply to FirstName LastName:\n> Hi, world!\n\nReply to quoted message$/,
  ],
  'ag-successful-payment': ['ignored', /service message \(successful_payment\)/],
  'ag-venue': [
    'message',
    /^Venue: Venue Name\nVenue Address\nhttps:\/\/www\.openstreetmap\.org\/\?mlat=50\.693416&mlon=30\.624605/,
  ],
  'ag-video-note': ['message', /^Video message \(0:04\)$/],
  'ag-video-quicktime': ['message', /^description$/],
  'ag-voice': ['message', /^Voice message \(0:01\)$/],
  'doc-business-message': ['ignored', /business/],
  'doc-edited-photo-caption': ['message', /wrong photo/],
  'doc-emoji-zwj-entities-quote': [
    'message',
    /^In reply to Test:\n> Your order ships today\n\n👨‍👩‍👧‍👦 Hi/,
  ],
  'doc-rtl-arabic-4096': ['message', /^مرحبا/],
  'doc-text-link-hidden-url': [
    'message',
    /the invoice \(https:\/\/shop\.example\/invoice\/5531\)$/,
  ],
  'kt-callback-csat-uuid': ['message', /^CSAT: 2 of 5$/],
  'kt-callback-foreign-button': ['ignored', /does not answer our survey/],
  'kt-group-command': ['ignored', /group chat/],
  'kt-start-deep-link': ['message', /^\/start /],
  'mal-callback-csat-no-from': ['rejected', /button press without its id or sender \(from\)/],
  'mal-contact-no-phone': ['rejected', /contact without phone_number/],
  'ptba-animation-gif': ['message', /^this GIF shows the bug$/],
  'ptba-audio-no-unique-id': ['message', /^Audio: eternnoir – pyTelegram \(0:01\)$/],
  'ptba-chat-join-request': ['ignored', /join/],
  'ptba-contact-own-00-prefix': ['message', /^Contact: dd ddl, 00011111111$/],
  'ptba-dice-dart': ['message', /^Dice 🎯: 4$/],
  'ptba-live-location-edit': ['ignored', /live location moving/],
  'ptba-poll-quiz': ['message', /^Quiz: Test\n– 1\n– 2$/],
  'ptba-private-chat-with-title': ['message', /^HIHI$/],
  'ptba-sender-tag-minimal-user': ['message', /^hi$/],
  'ptba-text-inline-keyboard': ['message', /^test$/],
  'ptba-users-shared': ['message', /^Shared user: Test User \(id 12345\)$/],
  'ptba-web-app-data': ['message', /^Sent from the web app "Button": test_data$/],
  'rb-kitchen-sink-update': [
    'message',
    /^In reply to:\n> Original\n\nForwarded from ForwardFirstname ForwardLastname:\n> Bold and italics\n> Audio: Testmusicfile \(4:03\)\n> Voice message \(0:05\)$/,
  ],
  'rb-write-access-allowed': ['ignored', /service message \(write_access_allowed\)/],
  'tb-document-private-nulls': ['message', /^Test Document Description$/],
  'tb-document-supergroup-nulls': ['ignored', /supergroup chat/],
  'tb-forward-origin-channel': [
    'message',
    /^Forwarded from Test chat \(@Test username\) \(Test signature\):\n> test$/,
  ],
  'tb-forward-origin-hidden-user': ['message', /^Forwarded from Test username:\n> test$/],
  'tb-forward-origin-user': ['message', /^Forwarded from First Name:\n> test$/],
  'tb-photo-null-fields': ['message', /^$/],
  'tx-callback-csat-inaccessible': ['message', /^CSAT: 5 of 5$/],
  'tx-callback-inline-game': ['ignored', /does not answer our survey/],
  // A private chat's message always names its sender; this one lacks it.
  'tx-chat-shared-no-from': ['rejected', /without its sender \(from\)/],
  'tx-empty-message': ['rejected', /without its sender \(from\)/],
  'tx-forum-topic-message': ['ignored', /supergroup chat/],
  'tx-message-reaction': ['ignored', /reaction/],
  'tx-my-chat-member-blocked': ['ignored', /membership/],
  'tx-photo-caption-above': ['message', /^El Psy Kongroo$/],
  'tx-photo-caption-url': ['message', /^www\.example\.com$/],
  'tx-photo-empty-unique-id': ['message', /^$/],
  'tx-private-text-digit': ['message', /^4$/],
  'tx-sticker-animated': ['message', /^Sticker 😡$/],
  'tx-supergroup-anonymous-admin-forward': ['ignored', /supergroup chat/],
  'tx-supergroup-dice': ['ignored', /supergroup chat/],
  'tx-supergroup-pinned': ['ignored', /supergroup chat/],
  'tx-supergroup-story': ['ignored', /supergroup chat/],
  'tx-text-cyrillic-emoji': ['message', /^Лол кек 😂$/],
  'tx-text-effect-id': ['message', /^El Psy Kongroo$/],
  'tx-text-link-preview': ['message', /^hello there$/],
  'tx-unknown-update-kind': ['ignored', /new_update_kind/],
  'tx-venue-no-from': ['rejected', /without its sender \(from\)/],
  'tx-video-forwarded': ['message', /^$/],
  'tx-video-media-group': ['message', /^$/],
};

if (!updates) {
  describe.skip('Telegram corpus (../shared/corpus/messenger/telegram is absent)', () => {
    it('normalises every payload as expected', () => undefined);
  });
} else {
  const corpus = updates;
  const names = readdirSync(corpus)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.replace(/\.json$/, ''))
    .sort();
  const outcomes = new Map<string, Promise<Normalised>>();
  /** Each payload through the adapter once; a throw would fail every test that awaits it. */
  const outcome = (name: string): Promise<Normalised> => {
    if (!outcomes.has(name)) {
      const update = JSON.parse(readFileSync(join(corpus, `${name}.json`), 'utf8')) as Update;
      outcomes.set(name, telegramAdapter.normalise(update, bot, new Date('2026-11-23T12:00:00Z')));
    }
    return outcomes.get(name)!;
  };
  const message = async (name: string): Promise<InboundMessage> => {
    const normalised = await outcome(name);
    if (normalised.kind !== 'message') throw new Error(`${name}: ${normalised.kind}`);
    return normalised.message;
  };

  describe('Telegram corpus', () => {
    it('has an expectation for every payload, and a payload for every expectation', () => {
      expect(names).toEqual(Object.keys(expected).sort());
    });

    it.each(names)('%s: normalised without throwing, as expected', async (name) => {
      const normalised = await outcome(name);
      const [kind, pattern] = expected[name];
      expect(normalised.kind).toBe(kind);
      const said = normalised.kind === 'message' ? normalised.message.textBody : normalised.reason;
      expect(said).toMatch(pattern);
    });

    it('spells out the URL of a text_link once, however often the entity is listed', async () => {
      const forwarded = await message('ag-forwarded-text-links');
      expect(forwarded.textBody.match(/https:\/\/google\.com\//g)).toHaveLength(1);
    });

    it.each([
      ['ag-forwarded-text-links', 'FirstName LastName (@username)'],
      ['tb-forward-origin-user', 'First Name'],
      ['tb-forward-origin-hidden-user', 'Test username'],
      ['tb-forward-origin-channel', 'Test chat (@Test username) (Test signature)'],
      ['rb-kitchen-sink-update', 'ForwardFirstname ForwardLastname'],
    ])(
      'marks %s as forwarded from its origin, with none of it the customer’s own words',
      async (name, origin) => {
        const forwarded = await message(name);
        expect(forwarded.channelMetadata.forwarded_from).toBe(origin);
        expect(forwarded.replyText).toBe('');
      },
    );

    it('keeps every file of a forwarded message', async () => {
      const forwarded = await message('rb-kitchen-sink-update');
      expect(forwarded.attachments.map((a) => a.contentType).sort()).toEqual([
        'application/pdf',
        'audio/mpeg',
        'audio/ogg',
      ]);
    });

    it.each([
      ['ag-audio-caption', 'audio/mpeg3'],
      ['ag-video-note', 'video/mp4'],
      ['ag-voice', 'audio/ogg'],
      [
        'ag-document-docx-caption',
        'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      ],
      ['ptba-animation-gif', 'video/mp4'],
      ['tb-photo-null-fields', 'image/jpeg'],
      ['tx-video-forwarded', 'video/mp4'],
    ])('links the file of %s', async (name, contentType) => {
      const { attachments } = await message(name);
      expect(attachments).toEqual([
        expect.objectContaining({
          contentType,
          url: expect.stringMatching(/^http:\/\/adapter\.test\/telegram\/support\/files\//),
        }),
      ]);
    });

    it('takes "edit_date": null for no edit', async () => {
      const document = await message('tb-document-private-nulls');
      expect(document.messageId).toBe('telegram:support:123456789:1234');
      expect(document.editOfMessageId).toBeUndefined();
    });

    it('records a real edit as an edit of the original', async () => {
      const edit = await message('ag-edited-message');
      expect(edit.editOfMessageId).toBe('telegram:support:12345678:12345');
      expect(edit.messageId).toBe('telegram:support:12345678:12345:edit:1508825379');
    });

    it('makes no identity of a contact card that is not the sender’s, or whose number is no E.164 number', async () => {
      expect((await message('ag-contact-no-user-id')).sharedIdentities).toEqual([]);
      expect((await message('ptba-contact-own-00-prefix')).sharedIdentities).toEqual([]);
    });

    it('answers a CSAT button under a message Telegram no longer shows', async () => {
      expect(await message('tx-callback-csat-inaccessible')).toMatchObject({
        conversationKey: 'telegram:support:42',
        csatAnswer: { ticketId: 'T-20931', score: 5 },
        sender: { kind: IdentityKind.TELEGRAM_USER, value: '42' },
      });
    });

    it('takes the /start payload as a link token', async () => {
      expect((await message('kt-start-deep-link')).linkToken).toBe('st_8f2a-QX_z9');
    });
  });
}
