import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Normalised } from '@firstline/channel';
import type { InboundMessage } from '@firstline/contracts';
import { vkAdapter, type VkContext, type VkEvent } from '../src';

/**
 * The project's own VK events (test/fixtures), written in the shapes the VK API documents for
 * API version 5.199: Callback API events, the message object and its attachments.
 */
const GROUP = 218000001;
const receivedAt = new Date('2026-01-01T10:00:00Z');
const context: VkContext = {
  groupId: GROUP,
  userNames: new Map([
    [7001, 'Anna Petrova'],
    [7002, 'Ivan Sidorov'],
  ]),
};

const fixture = (file: string) =>
  JSON.parse(readFileSync(join(__dirname, 'fixtures', file), 'utf8')) as VkEvent;
const normalise = (file: string): Promise<Normalised> =>
  vkAdapter.normalise(fixture(file), context, receivedAt);

async function message(file: string): Promise<InboundMessage> {
  const result = await normalise(file);
  if (result.kind !== 'message') throw new Error(`${file} was ${result.kind}: ${result.reason}`);
  return result.message;
}

describe('the project’s VK fixtures', () => {
  it.each([
    ['message-new-text.json', 'Здравствуйте, где мой заказ 1042?'],
    [
      'message-new-forward-nested.json',
      [
        'Forwarded message from Ivan Sidorov (id7002), 2026-01-01 06:46 UTC:',
        '> Чек прилагаю',
        '> [file: photo7001_457239001.jpg]',
        '> Forwarded message from the community club218000001, 2026-01-01 04:00 UTC:',
        '> > Пришлите, пожалуйста, чек',
      ].join('\n'),
    ],
    [
      'message-new-reply.json',
      'А когда доставка?\n\nIn reply to the community club218000001:\n> Заказ передан в службу доставки',
    ],
    ['message-new-photo-no-sizes.json', 'вот фото коробки\n[photo: VK sent no link to it]'],
    [
      'message-new-video.json',
      '[video: Распаковка заказа, 1:35 — https://vk.com/video7001_456239017]',
    ],
    [
      'message-new-audio.json',
      '[audio: Кино — Группа крови, 4:46 — https://vk.com/audio7001_456239018]',
    ],
    [
      'message-new-wall-post.json',
      [
        'посмотрите пост',
        '[wall post — https://vk.com/wall-218000001_85]',
        '> Скидки до конца недели',
        '> [file: photo7001_457239003.jpg]',
      ].join('\n'),
    ],
    [
      'message-new-link.json',
      'https://shop.example/order/1042\n[link: Заказ 1042 — https://shop.example/order/1042]',
    ],
    ['message-new-graffiti.json', ''],
    ['message-new-doc.json', 'договор'],
    ['message-new-sticker.json', '[sticker]'],
    ['message-new-voice-transcript.json', '[voice message, 0:07: "Перезвоните мне пожалуйста"]'],
    ['message-new-keyboard-payload.json', 'Статус заказа'],
    ['message-edit-customer.json', 'Здравствуйте, где мой заказ 1043?'],
    ['message-event-csat.json', 'Rated the support 5 of 5'],
  ])('%s reaches the agent as %j', async (file, text) => {
    expect((await message(file)).textBody).toBe(text);
  });

  it.each([
    [
      'message-new-forward-nested.json',
      [
        {
          fileName: 'photo7001_457239001.jpg',
          url: 'https://sun9-1.userapi.com/impg/457239001/w.jpg',
        },
      ],
    ],
    [
      'message-new-wall-post.json',
      [
        {
          fileName: 'photo7001_457239003.jpg',
          url: 'https://sun9-1.userapi.com/impg/457239003/w.jpg',
        },
      ],
    ],
    [
      'message-new-graffiti.json',
      [{ fileName: 'graffiti7001_456239019.png', contentType: 'image/png' }],
    ],
    [
      'message-new-doc.json',
      [{ fileName: 'dogovor.pdf', contentType: 'application/pdf', sizeBytes: 48213 }],
    ],
    [
      'message-new-voice-transcript.json',
      [{ fileName: 'voice7001_456239021.ogg', url: 'https://psv4.userapi.com/audiomsg/x.ogg' }],
    ],
    ['message-new-photo-no-sizes.json', []],
  ])('%s carries its files', async (file, attachments) => {
    expect((await message(file)).attachments).toEqual(
      attachments.map((attachment) => expect.objectContaining(attachment)),
    );
  });

  it.each([
    ['message-new-forward-nested.json', { forwarded_messages: '1' }],
    ['message-new-reply.json', { reply_to_conversation_message_id: '2' }],
    ['message-new-keyboard-payload.json', { button_payload: '{"command":"order_status"}' }],
    ['message-new-sticker.json', { sticker_id: '51' }],
  ])('%s keeps its context in the metadata', async (file, metadata) => {
    expect((await message(file)).channelMetadata).toMatchObject(metadata);
  });

  it('a forward without a word of the customer’s own is what the agent reads first', async () => {
    const inbound = await message('message-new-forward-nested.json');
    expect(inbound.replyText).toBe(inbound.textBody);
  });

  it('a reply is read first without the quote, and points at the message it answers', async () => {
    const inbound = await message('message-new-reply.json');
    expect(inbound.replyText).toBe('А когда доставка?');
    expect(inbound.repliedMessageIds).toEqual([`vk:${GROUP}:7001:2`]);
  });

  it('an edit by the customer points at the message it changes', async () => {
    expect(await message('message-edit-customer.json')).toMatchObject({
      messageId: `vk:${GROUP}:7001:1:edit:1767262100`,
      editOfMessageId: `vk:${GROUP}:7001:1`,
    });
  });

  it.each([
    ['message-new-group-chat.json', 'group chat'],
    ['message-new-chat-action.json', 'group chat'],
    ['message-edit-own.json', "an edit of the community's own message"],
    ['message-reply.json', "the community's own reply"],
    ['message-event-other-button.json', 'not the satisfaction survey'],
    ['message-allow.json', 'allowed messages'],
    ['confirmation.json', 'confirmation request'],
  ])('%s is ignored: %s', async (file, reason) => {
    expect(await normalise(file)).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining(reason),
    });
  });

  it('a message_new without its message is rejected with the reason', async () => {
    expect(await normalise('message-new-without-message.json')).toEqual({
      kind: 'rejected',
      reason: 'VK message_new event fx-broken has no message',
    });
  });
});
