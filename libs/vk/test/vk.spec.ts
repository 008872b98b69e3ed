import { DeliveryStatus, IdentityKind, OutboundMessageSchema, create } from '@firstline/contracts';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  classifyVkError,
  csatKeyboard,
  failedReceipt,
  normalise,
  parseCsatPayload,
  randomIdFor,
  rateLimitDelayMs,
  render,
  senderOf,
  sentReceipt,
  toFirstlineError,
  verifyCallback,
  VkApiError,
  type VkEvent,
  type VkMessage,
} from '../src';

const receivedAt = new Date('2026-11-23T10:00:00Z');
const GROUP = 218000001;

function message(fields: Partial<VkMessage> = {}): VkMessage {
  return {
    id: 501,
    date: 1_763_892_000,
    peer_id: 7001,
    from_id: 7001,
    text: 'Where is my order?',
    conversation_message_id: 42,
    attachments: [],
    ...fields,
  };
}

const messageNew = (fields: Partial<VkMessage> = {}): VkEvent => ({
  type: 'message_new',
  event_id: 'e1',
  group_id: GROUP,
  object: { message: message(fields), client_info: {} },
});

describe('normalise', () => {
  it.each([
    [0, 'ru'],
    [3, 'en'],
    [1, ''],
    [undefined, ''],
  ])('reads the language of the user’s VK app (lang_id %p) as %j', (langId, language) => {
    const event = messageNew();
    (event.object as { client_info: object }).client_info = { lang_id: langId };
    expect(normalise(event, { receivedAt })!.language).toBe(language);
  });

  it('turns a text message into an InboundMessage keyed by community and peer', () => {
    const inbound = normalise(messageNew(), { receivedAt, senderName: 'Ann Petrova' })!;
    expect(inbound).toMatchObject({
      messageId: `vk:${GROUP}:7001:42`,
      conversationKey: `vk:${GROUP}:7001`,
      textBody: 'Where is my order?',
      sender: { kind: IdentityKind.VK_USER, value: '7001', displayName: 'Ann Petrova' },
      channelMetadata: { group_id: String(GROUP), vk_message_id: '501' },
    });
    expect(Number(inbound.sentAt!.seconds)).toBe(1_763_892_000);
  });

  it.each([
    [
      'a photo as its largest size',
      {
        type: 'photo',
        photo: {
          id: 1,
          owner_id: 7001,
          sizes: [
            { type: 's', url: 'https://vk.test/s.jpg', width: 75, height: 75 },
            { type: 'w', url: 'https://vk.test/w.jpg', width: 1280, height: 960 },
          ],
        },
      },
      { url: 'https://vk.test/w.jpg', contentType: 'image/jpeg', fileName: 'photo7001_1.jpg' },
    ],
    [
      'a document with a type from its extension',
      {
        type: 'doc',
        doc: {
          id: 2,
          owner_id: 7001,
          title: 'invoice.pdf',
          size: 1234,
          ext: 'pdf',
          url: 'https://vk.test/d',
        },
      },
      {
        url: 'https://vk.test/d',
        contentType: 'application/pdf',
        fileName: 'invoice.pdf',
        sizeBytes: 1234,
      },
    ],
    [
      'a voice message as its ogg file',
      {
        type: 'audio_message',
        audio_message: { id: 3, owner_id: 7001, duration: 4, link_ogg: 'https://vk.test/v.ogg' },
      },
      { url: 'https://vk.test/v.ogg', contentType: 'audio/ogg', fileName: 'voice7001_3.ogg' },
    ],
  ])('keeps %s as an attachment', (_, attachment, expected) => {
    const inbound = normalise(messageNew({ attachments: [attachment] }), { receivedAt })!;
    expect(inbound.attachments).toHaveLength(1);
    expect(inbound.attachments[0]).toMatchObject(expected);
  });

  it.each([
    ['a sticker', { attachments: [{ type: 'sticker', sticker: { sticker_id: 9 } }] }, '[sticker]'],
    [
      'a location',
      { geo: { coordinates: { latitude: 55.75, longitude: 37.62 }, place: { title: 'Moscow' } } },
      '[location: 55.75, 37.62 (Moscow)]',
    ],
    ['an attachment kind we do not copy', { attachments: [{ type: 'wall' }] }, '[wall]'],
  ])('shows %s as a placeholder line after the text', (_, fields, placeholder) => {
    const inbound = normalise(messageNew({ text: 'look', ...fields }), { receivedAt })!;
    expect(inbound.textBody).toBe(`look\n${placeholder}`);
    expect(inbound.attachments).toHaveLength(0);
  });

  it('turns message_edit into an edit of the earlier message', () => {
    const edit: VkEvent = {
      type: 'message_edit',
      event_id: 'e2',
      group_id: GROUP,
      object: message({ text: 'Where is order 77?', update_time: 1_763_892_100 }),
    };
    expect(normalise(edit, { receivedAt })).toMatchObject({
      messageId: `vk:${GROUP}:7001:42:edit:1763892100`,
      editOfMessageId: `vk:${GROUP}:7001:42`,
      textBody: 'Where is order 77?',
    });
  });

  it('turns a CSAT button press into a CSAT answer for the ticket', () => {
    const press: VkEvent = {
      type: 'message_event',
      event_id: 'e3',
      group_id: GROUP,
      object: {
        user_id: 7001,
        peer_id: 7001,
        event_id: 'press-1',
        payload: { csat: 4, ticket: 't-9' },
      },
    };
    expect(normalise(press, { receivedAt })).toMatchObject({
      messageId: `vk:${GROUP}:7001:csat:press-1`,
      csatAnswer: { ticketId: 't-9', score: 4 },
      sender: { value: '7001' },
    });
  });

  it.each([
    ['our own reply', { type: 'message_reply', group_id: GROUP, object: message() }],
    [
      'a press of a button that is not a survey',
      {
        type: 'message_event',
        group_id: GROUP,
        object: { user_id: 1, peer_id: 1, event_id: 'x', payload: { other: 1 } },
      },
    ],
  ])('ignores %s', (_, event) => {
    expect(normalise(event as VkEvent, { receivedAt })).toBeUndefined();
  });

  it('rejects a message_new without a message as bad input', () => {
    expect(() =>
      normalise({ type: 'message_new', group_id: GROUP, object: {} }, { receivedAt }),
    ).toThrow(expect.objectContaining({ kind: 'bad-input' }));
  });
});

describe('senderOf', () => {
  it.each([
    ['message_new', messageNew(), 7001],
    [
      'message_edit',
      { type: 'message_edit', group_id: GROUP, object: message({ from_id: 7002 }) },
      7002,
    ],
    ['message_event', { type: 'message_event', group_id: GROUP, object: { user_id: 7003 } }, 7003],
    ['a malformed message_new', { type: 'message_new', group_id: GROUP, object: {} }, undefined],
    ['a join', { type: 'group_join', group_id: GROUP, object: { user_id: 1 } }, undefined],
  ])('names the user behind %s', (_, event, expected) => {
    expect(senderOf(event as VkEvent)).toBe(expected);
  });
});

describe('render', () => {
  const outbound = (fields: MessageInitShape<typeof OutboundMessageSchema> = {}) =>
    create(OutboundMessageSchema, {
      outboundId: 'out-1',
      ticketId: 'ticket-1',
      conversationKey: `vk:${GROUP}:7001`,
      textBody: 'Your order ships today.',
      ...fields,
    });

  it('sends to the peer of the conversation from its community, with a random_id from the outbound id', () => {
    expect(render(outbound())).toEqual({
      groupId: GROUP,
      params: {
        peer_id: 7001,
        random_id: randomIdFor('out-1'),
        message: 'Your order ships today.',
      },
    });
  });

  it('derives random_id as a stable positive 31-bit integer, different per outbound id', () => {
    const ids = ['out-1', 'out-2', 'a much longer outbound id 0193f1c2'].map(randomIdFor);
    for (const id of ids) {
      expect(Number.isInteger(id)).toBe(true);
      expect(id).toBeGreaterThan(0);
      expect(id).toBeLessThanOrEqual(0x7fffffff);
    }
    expect(new Set(ids).size).toBe(3);
    expect(randomIdFor('out-1')).toBe(ids[0]);
  });

  it('adds the CSAT keyboard: five callback buttons naming the ticket and the score', () => {
    const keyboard = JSON.parse(render(outbound({ csatSurvey: true })).params.keyboard!);
    expect(keyboard.inline).toBe(true);
    const buttons = keyboard.buttons[0];
    expect(buttons).toHaveLength(5);
    expect(buttons.map((b: { action: { type: string } }) => b.action.type)).toEqual(
      Array(5).fill('callback'),
    );
    expect(parseCsatPayload(buttons[2].action.payload)).toEqual({ ticketId: 'ticket-1', score: 3 });
  });

  it.each([
    ['a conversation key of another channel', { conversationKey: 'telegram:1:2' }],
    ['no text and no attachments', { textBody: '  ' }],
    ['text over 4096 characters', { textBody: 'x'.repeat(4097) }],
    ['a ticket id too long for a button payload', { csatSurvey: true, ticketId: 't'.repeat(300) }],
  ])('refuses %s as bad input', (_, fields) => {
    expect(() => render(outbound(fields))).toThrow(expect.objectContaining({ kind: 'bad-input' }));
  });

  it('answers in the customer thread when asked to', () => {
    expect(render(outbound({ threadRefs: { reply_to: '501' } })).params.reply_to).toBe(501);
  });
});

describe('error classification', () => {
  it.each([
    [6, 'retryable', true, false],
    [9, 'retryable', true, false],
    [10, 'retryable', false, false],
    [901, 'permanent', false, true],
    [902, 'permanent', false, true],
    [5, 'permanent', false, false],
    [100, 'bad-input', false, false],
    [12345, 'retryable', false, false],
  ] as const)(
    'VK error %i is %s (rate limited: %s, unreachable: %s)',
    (code, kind, rateLimited, unreachable) => {
      expect(classifyVkError(code)).toMatchObject({
        kind,
        rateLimited,
        recipientUnreachable: unreachable,
      });
      expect(toFirstlineError(new VkApiError('messages.send', code, 'x')).kind).toBe(kind);
    },
  );

  it('backs off rate limits by doubling, capped, with at most a quarter of jitter', () => {
    expect([1, 2, 3, 10].map((attempt) => rateLimitDelayMs(attempt, 100, 1_000, () => 0))).toEqual([
      100, 200, 400, 1_000,
    ]);
    expect(rateLimitDelayMs(1, 100, 1_000, () => 1)).toBe(75);
  });
});

describe('receipts', () => {
  const outbound = create(OutboundMessageSchema, { outboundId: 'out-1', ticketId: 'ticket-1' });

  it('reports a send with the VK message id', () => {
    expect(sentReceipt(outbound, 880, receivedAt)).toMatchObject({
      receiptId: 'out-1:SENT',
      status: DeliveryStatus.SENT,
      channelMessageId: '880',
    });
  });

  it('reports 901 as a failure that will not heal and marks the customer unreachable', () => {
    expect(failedReceipt(outbound, classifyVkError(901), receivedAt)).toMatchObject({
      receiptId: 'out-1:FAILED:1',
      status: DeliveryStatus.FAILED,
      retryable: false,
      recipientUnreachable: true,
      reason: expect.stringContaining('not allowed messages'),
    });
  });
});

describe('verifyCallback', () => {
  const community = { groupId: GROUP, confirmationCode: 'c0ffee12', secret: 's3cret' };

  it.each([
    [
      'the confirmation request gets the code',
      { type: 'confirmation', group_id: GROUP },
      { kind: 'confirmation', answer: 'c0ffee12' },
    ],
    [
      'an event with the secret passes',
      { type: 'message_new', group_id: GROUP, secret: 's3cret' },
      { kind: 'event' },
    ],
    [
      'a wrong secret is refused',
      { type: 'message_new', group_id: GROUP, secret: 'guess' },
      { kind: 'rejected', status: 403 },
    ],
    [
      'a missing secret is refused',
      { type: 'message_new', group_id: GROUP },
      { kind: 'rejected', status: 403 },
    ],
    [
      'another community is refused',
      { type: 'message_new', group_id: 1, secret: 's3cret' },
      { kind: 'rejected', status: 403 },
    ],
    ['a body that is no event is bad input', 'hello', { kind: 'rejected', status: 400 }],
  ])('%s', (_, body, verdict) => {
    expect(verifyCallback(body, community)).toMatchObject(verdict);
  });
});

describe('csatKeyboard', () => {
  it('labels the buttons with one to five stars', () => {
    const labels = JSON.parse(csatKeyboard('t')).buttons[0].map(
      (b: { action: { label: string } }) => b.action.label,
    );
    expect(labels).toEqual(['★', '★★', '★★★', '★★★★', '★★★★★']);
  });
});
