import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Normalised } from '@firstline/channel';
import type { InboundMessage } from '@firstline/contracts';
import { vkAdapter, type VkEvent } from '../src';

/**
 * VK events from other projects' test suites and the VK documentation, in
 * ../shared/corpus/messenger/vk (its SOURCES.md names each one's origin): every one must be
 * normalised without an exception into a message, an ignored event or a rejected one, and each
 * payload behind a known defect must show it fixed. It lives outside the repository; a clone
 * without it reports this suite skipped and runs the project's own fixtures (fixtures.spec.ts).
 */
// Beside the repository's root, or beside the folder of worktrees a root may sit in.
const corpus =
  [resolve(__dirname, '../../../../shared'), resolve(__dirname, '../../../../../shared')]
    .map((root) => join(root, 'corpus/messenger/vk'))
    .find(existsSync) ?? resolve(__dirname, '../../../../shared/corpus/messenger/vk');
const present = existsSync(corpus);
const receivedAt = new Date('2026-01-01T00:00:00Z');

const files = present ? readdirSync(corpus).filter((file) => file.endsWith('.json')) : [];
const read = (file: string) => JSON.parse(readFileSync(join(corpus, file), 'utf8')) as VkEvent;

/** As the service calls it: for the community the event came to (some old events nest its id). */
function normalise(file: string): Promise<Normalised> {
  const event = read(file) as VkEvent & { object?: { group_id?: number } };
  const groupId = Number(event.group_id ?? event.object?.group_id ?? 1);
  const userNames = new Map([[87641997, 'Pavel Petrov']]);
  return vkAdapter.normalise(event, { groupId, userNames }, receivedAt);
}

async function message(file: string): Promise<InboundMessage> {
  const result = await normalise(file);
  if (result.kind !== 'message') throw new Error(`${file} was ${result.kind}: ${result.reason}`);
  return result.message;
}

/** What each payload must become; a payload added to the corpus needs a line here. */
const OUTCOMES: Record<string, Normalised['kind']> = {
  'doc-forward-100-photos.json': 'message',
  'doc-forward-photo-only.json': 'message',
  'doc-geo-object.json': 'message',
  'doc-long-cyrillic.json': 'message',
  'doc-message-event-csat-object.json': 'message',
  'doc-message-event-csat-string.json': 'message',
  'doc-reply-message.json': 'message',
  'kt-attachment-audio.json': 'message',
  'kt-attachment-doc.json': 'message',
  'kt-attachment-graffiti.json': 'message',
  'kt-attachment-image.json': 'message',
  'kt-attachment-sticker.json': 'message',
  'kt-attachment-video.json': 'message',
  'kt-attachment-voice.json': 'message',
  'kt-chat-mention-5131.json': 'ignored',
  'kt-confirmation.json': 'ignored',
  'kt-empty-object.json': 'rejected',
  'kt-group-change-settings.json': 'ignored',
  'kt-mentions-text.json': 'message',
  'kt-message-event-payload-obj.json': 'ignored',
  'kt-message-event-payload-str.json': 'ignored',
  'kt-message-new-5131.json': 'message',
  'kt-old-nested-group-id.json': 'message',
  'kt-type-present.json': 'ignored',
  'mal-message-edit-null-object.json': 'rejected',
  'mal-message-event-no-object.json': 'rejected',
  'sc-app-payload.json': 'ignored',
  'sc-confirmation-secret.json': 'ignored',
  'sc-message-new-empty-object.json': 'rejected',
  'sc-minimal-no-cmid.json': 'rejected',
  'sc-old-flat-chat-kick.json': 'ignored',
  'vb-message-new-no-group-id.json': 'message',
  'vb-sticker-inner-type.json': 'message',
  'vb-text-button-payload.json': 'message',
  'vb-wall-post-new.json': 'ignored',
  'vn-call-in-chat.json': 'ignored',
  'vn-chat-pin-action.json': 'ignored',
  'vn-forward-only.json': 'message',
  'vn-forward-with-text.json': 'message',
  'vn-geo-string-coordinates.json': 'message',
  'vn-group-join-request.json': 'ignored',
  'vn-link-attachment.json': 'message',
  'vn-message-allow.json': 'ignored',
  'vn-message-deny.json': 'ignored',
  'vn-message-edit-out1.json': 'ignored',
  'vn-message-event-foreign.json': 'ignored',
  'vn-message-new-carousel.json': 'message',
  'vn-message-new.json': 'message',
  'vn-message-reply-admin.json': 'ignored',
  'vn-photo-empty-sizes.json': 'message',
  'vn-story-reply.json': 'message',
  'vn-unknown-attachment.json': 'message',
  'vn-voice-transcript-chat.json': 'ignored',
  'vn-voice-transcript-private.json': 'message',
  'vn-wall-reply-new.json': 'ignored',
  'vn-wall-repost-in-chat.json': 'ignored',
};

(present ? describe : describe.skip)(`the VK corpus in ${corpus}`, () => {
  it('has an expected outcome for every payload', () => {
    expect(files.sort()).toEqual(Object.keys(OUTCOMES).sort());
  });

  it.each(files)('%s is normalised without an exception, as expected', async (file) => {
    const result = await normalise(file);
    expect(result.kind).toBe(OUTCOMES[file]);
    if (result.kind !== 'message') expect(result.reason).toMatch(/\w/);
    else expect(result.message.textBody || result.message.attachments.length).toBeTruthy();
  });

  describe('forwarded messages are quoted, marked as forwarded, with their attachments', () => {
    it('a forward without a word of the customer’s own is the message', async () => {
      const inbound = await message('vn-forward-only.json');
      expect(inbound.textBody).toBe(
        'Forwarded message from id123456789, 2018-10-09 16:04 UTC:\n> test',
      );
      expect(inbound.replyText).toBe(inbound.textBody);
      expect(inbound.channelMetadata.forwarded_messages).toBe('1');
    });

    it('the customer’s words come first, the forward quoted below them', async () => {
      const inbound = await message('vn-forward-with-text.json');
      expect(inbound.replyText).toBe('Вот что мне ответил менеджер:');
      expect(inbound.textBody).toContain('\n> Возврат оформлен, деньги придут за 10 дней');
    });

    it('forwarded photos are attachments, named where they were, and the author is named', async () => {
      const inbound = await message('doc-forward-photo-only.json');
      expect(inbound.attachments).toHaveLength(1);
      expect(inbound.attachments[0].url).toMatch(/^https:\/\/sun9-34\.userapi\.com\/.+\.jpg$/);
      expect(inbound.textBody).toContain(
        'Forwarded message from Pavel Petrov (id87641997), 2023-04-29 12:06 UTC:\n' +
          '> переслано: чек во вложении\n> [file: photo87641997_457269465.jpg]',
      );
      expect(inbound.textBody).toContain('Forwarded message from the community club654327632');
    });

    it('a hundred forwarded photos arrive as a hundred attachments', async () => {
      const inbound = await message('doc-forward-100-photos.json');
      expect(inbound.attachments).toHaveLength(100);
      expect(inbound.textBody.match(/^Forwarded message from /gm)).toHaveLength(100);
    });
  });

  it.each([
    'kt-chat-mention-5131.json',
    'vn-call-in-chat.json',
    'vn-voice-transcript-chat.json',
    'vn-wall-repost-in-chat.json',
    'vn-chat-pin-action.json',
    'sc-old-flat-chat-kick.json',
  ])('a group chat and its service actions are ignored: %s', async (file) => {
    expect(await normalise(file)).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('group chat'),
    });
  });

  it("an edit of the community's own message is ignored", async () => {
    expect(await normalise('vn-message-edit-out1.json')).toEqual({
      kind: 'ignored',
      reason: "an edit of the community's own message",
    });
  });

  it('a photo VK gives no sizes for keeps the message, text included, and says so', async () => {
    const inbound = await message('vn-photo-empty-sizes.json');
    expect(inbound.textBody).toBe('смотрите фото\n[photo: VK sent no link to it]');
    expect(inbound.attachments).toHaveLength(0);
  });

  it.each([
    [
      'kt-attachment-video.json',
      '[video: doge froge, 0:23 — https://vk.com/video-129440544_456244477]',
    ],
    [
      'kt-attachment-audio.json',
      "[audio: bladee — who's going to find me tonight? [prod. by whitearmor], 3:20 — https://vk.com/audio87641997_456243425]",
    ],
    ['vn-link-attachment.json', '[link: Как делают игры — https://music.yandex.ru/album/8853948]'],
    ['vn-story-reply.json', '[story — https://vk.com/story154688100_1381656]'],
    ['kt-attachment-sticker.json', '[sticker]'],
    ['vn-voice-transcript-private.json', '[voice message, 0:25: "demo message"]'],
    [
      'vn-geo-string-coordinates.json',
      '[location: 46.542171889988, 33.407921387605 (Náměstí Míru Peace Square, Прага)]',
    ],
  ])('%s reaches the agent with its title and link', async (file, line) => {
    expect((await message(file)).textBody.split('\n')).toContain(line);
  });

  it.each([
    ['kt-attachment-graffiti.json', 'graffiti87641997_497831521.png', 'image/png'],
    ['kt-attachment-doc.json', 'andreywtf.gif', 'image/gif'],
    ['kt-attachment-voice.json', 'voice87641997_520525176.ogg', 'audio/ogg'],
    ['vn-voice-transcript-private.json', 'voice987655443_123456789.ogg', 'audio/ogg'],
  ])('%s keeps its file with a link to fetch it', async (file, fileName, contentType) => {
    const [attachment] = (await message(file)).attachments;
    expect(attachment).toMatchObject({
      fileName,
      contentType,
      url: expect.stringMatching(/^https:/),
    });
  });

  it('a reply keeps what it answers, quoted, and points at it', async () => {
    const inbound = await message('doc-reply-message.json');
    expect(inbound.replyText).toBe('а где мой заказ?');
    expect(inbound.textBody).toContain(
      'In reply to the community club654327632:\n> Ваш заказ передан в доставку',
    );
    expect(inbound.repliedMessageIds).toEqual(['vk:654327632:87641997:46090']);
  });

  it('a press of a keyboard button keeps its payload', async () => {
    const inbound = await message('vb-text-button-payload.json');
    expect(inbound.textBody).toBe('Статус заказа');
    expect(inbound.channelMetadata.button_payload).toBe('{"cmd":"text"}');
  });

  it.each([
    ['doc-message-event-csat-object.json', { ticketId: 't-9', score: 4 }],
    [
      'doc-message-event-csat-string.json',
      { ticketId: '0193c0de-7a1b-7cc2-9f00-2b1c6d4e5f60', score: 5 },
    ],
  ])('a survey button press in %s is a CSAT answer', async (file, answer) => {
    expect((await message(file)).csatAnswer).toMatchObject(answer);
  });

  it.each([
    ['kt-empty-object.json', 'has no type'],
    ['sc-message-new-empty-object.json', 'has no message'],
    ['mal-message-edit-null-object.json', 'has no message'],
    ['mal-message-event-no-object.json', 'has no object'],
    ['sc-minimal-no-cmid.json', 'conversation_message_id'],
  ])('bad input in %s is rejected with the reason', async (file, reason) => {
    expect(await normalise(file)).toEqual({
      kind: 'rejected',
      reason: expect.stringContaining(reason),
    });
  });

  it.each(['kt-confirmation.json', 'sc-confirmation-secret.json'])(
    'the confirmation request in %s is answered with the code',
    (file) => {
      const event = read(file);
      const verdict = vkAdapter.verify(
        { headers: {}, rawBody: Buffer.from(JSON.stringify(event)) },
        {
          groupId: Number(event.group_id),
          callback: { confirmationCode: 'c0ffee12', secret: 'secret_123456' },
        },
      );
      expect(verdict).toEqual({ kind: 'handshake', body: 'c0ffee12' });
    },
  );
});
