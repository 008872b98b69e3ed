import {
  IdentityKind,
  OutboundMessageSchema,
  create,
  type InboundMessage,
} from '@firstline/contracts';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { BadInputError } from '@firstline/errors';
import {
  csatKeyboard,
  backoffDelayMs,
  parseCsatPayload,
  attachmentReference,
  randomIdFor,
  render,
  usersNamedIn,
  verifyCallback,
  vkAdapter,
  VkApiError,
  type VkContext,
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

const context: VkContext = { groupId: GROUP };
const named = (names: Record<number, string>): VkContext => ({
  groupId: GROUP,
  userNames: new Map(Object.entries(names).map(([id, name]) => [Number(id), name])),
});

/** The InboundMessage an event becomes; fails the test when it is ignored or rejected. */
async function normalise(event: unknown, ctx: VkContext = context): Promise<InboundMessage> {
  const result = await vkAdapter.normalise(event as VkEvent, ctx, receivedAt);
  if (result.kind !== 'message') throw new Error(`${result.kind}: ${result.reason}`);
  return result.message;
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
  ])('reads the language of the user’s VK app (lang_id %p) as %j', async (langId, language) => {
    const event = messageNew();
    (event.object as { client_info: object }).client_info = { lang_id: langId };
    expect((await normalise(event)).language).toBe(language);
  });

  it('turns a text message into an InboundMessage keyed by community and peer', async () => {
    const inbound = await normalise(messageNew(), named({ 7001: 'Ann Petrova' }));
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
  ])('keeps %s as an attachment', async (_, attachment, expected) => {
    const inbound = await normalise(messageNew({ attachments: [attachment] }));
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
    ['an attachment kind VK may add later', { attachments: [{ type: 'podcast' }] }, '[podcast]'],
  ])('shows %s as a line after the text', async (_, fields, placeholder) => {
    const inbound = await normalise(
      messageNew({ text: 'look', ...(fields as Partial<VkMessage>) }),
    );
    expect(inbound.textBody).toBe(`look\n${placeholder}`);
    expect(inbound.attachments).toHaveLength(0);
  });

  it('turns message_edit into an edit of the earlier message', async () => {
    const edit: VkEvent = {
      type: 'message_edit',
      event_id: 'e2',
      group_id: GROUP,
      object: message({ text: 'Where is order 77?', update_time: 1_763_892_100 }),
    };
    expect(await normalise(edit)).toMatchObject({
      messageId: `vk:${GROUP}:7001:42:edit:1763892100`,
      editOfMessageId: `vk:${GROUP}:7001:42`,
      textBody: 'Where is order 77?',
    });
  });

  it('turns a CSAT button press into a CSAT answer for the ticket', async () => {
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
    expect(await normalise(press)).toMatchObject({
      messageId: `vk:${GROUP}:7001:csat:press-1`,
      csatAnswer: { ticketId: 't-9', score: 4 },
      sender: { value: '7001' },
    });
  });

  it('ignores a press of a button that is not the survey, with the reason', async () => {
    const press = {
      type: 'message_event',
      group_id: GROUP,
      object: { user_id: 1, peer_id: 1, event_id: 'x', payload: { other: 1 } },
    };
    expect(await vkAdapter.normalise(press, context, receivedAt)).toEqual({
      kind: 'ignored',
      reason: expect.stringContaining('not the satisfaction survey'),
    });
  });

  it('rejects, never throws for, a message_new without a message', async () => {
    const broken = { type: 'message_new', event_id: 'b1', group_id: GROUP, object: {} };
    expect(await vkAdapter.normalise(broken, context, receivedAt)).toEqual({
      kind: 'rejected',
      reason: 'VK message_new event b1 has no message',
    });
  });

  it('rejects an event for another community', async () => {
    const foreign = { ...messageNew(), group_id: GROUP + 1 };
    expect(await vkAdapter.normalise(foreign, context, receivedAt)).toMatchObject({
      kind: 'rejected',
    });
  });

  it('takes the community from the context when a long-poll event leaves group_id out', async () => {
    const event = { ...messageNew(), group_id: undefined };
    expect((await normalise(event)).conversationKey).toBe(`vk:${GROUP}:7001`);
  });
});

describe('usersNamedIn', () => {
  it.each([
    ['message_new', messageNew(), [7001]],
    [
      'a message forwarding others’ messages, a community’s among them',
      messageNew({
        fwd_messages: [
          { from_id: 7002, text: 'a', fwd_messages: [{ from_id: 7003, text: 'b' }] },
          { from_id: -GROUP, text: 'c' },
        ],
        reply_message: { from_id: 7004, text: 'd' },
      }),
      [7001, 7002, 7003, 7004],
    ],
    [
      'message_edit',
      { type: 'message_edit', group_id: GROUP, object: message({ from_id: 7002 }) },
      [7002],
    ],
    [
      'message_event',
      { type: 'message_event', group_id: GROUP, object: { user_id: 7003 } },
      [7003],
    ],
    ['a malformed message_new', { type: 'message_new', group_id: GROUP, object: {} }, []],
    ['a join', { type: 'group_join', group_id: GROUP, object: { user_id: 1 } }, []],
  ])('names the users behind %s', (_, event, expected) => {
    expect(usersNamedIn(event as VkEvent)).toEqual(expected);
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
    expect(vkAdapter.render(outbound())).toEqual({
      groupId: GROUP,
      params: {
        peer_id: 7001,
        random_id: randomIdFor('out-1'),
        message: 'Your order ships today.',
      },
      files: [],
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
    ['a file with neither storage key nor URL', { attachments: [{ fileName: 'terms.txt' }] }],
  ])('refuses %s as bad input', (_, fields) => {
    expect(() => render(outbound(fields))).toThrow(expect.objectContaining({ kind: 'bad-input' }));
  });

  const file = (fileName: string, contentType: string, sizeBytes = 10_000) => ({
    storageKey: `k/${fileName}`,
    fileName,
    contentType,
    sizeBytes,
  });

  it('uploads JPEG, PNG and GIF up to 50 MB as photos, everything else as documents, in order', () => {
    const { files } = render(
      outbound({
        attachments: [
          file('a.jpg', 'image/jpeg'),
          file('b.pdf', 'application/pdf'),
          file('c.gif', 'image/gif'),
          file('d.webp', 'image/webp'),
          file('e.png', 'image/png', 60 * 1024 * 1024),
        ],
      }),
    );
    expect(files.map((f) => [f.attachment.fileName, f.kind])).toEqual([
      ['a.jpg', 'photo'],
      ['b.pdf', 'doc'],
      ['c.gif', 'photo'],
      ['d.webp', 'doc'],
      ['e.png', 'doc'],
    ]);
  });

  it.each([
    [
      'a document above 200 MB',
      [file('dump.zip', 'application/zip', 201 * 1024 * 1024)],
      /"dump.zip" is 201 MB; VK takes documents of at most 200 MB/,
    ],
    ['an MP3', [file('song.mp3', 'audio/mpeg')], /VK does not take "song.mp3"/],
    ['a program', [file('setup.exe', 'application/octet-stream')], /VK does not take "setup.exe"/],
    [
      'eleven files',
      Array.from({ length: 11 }, (_, n) => file(`${n}.pdf`, 'application/pdf')),
      /11 files; a VK message carries at most 10/,
    ],
  ])('refuses %s for good, saying why', (_, attachments, reason) => {
    expect(() => render(outbound({ attachments }))).toThrow(
      expect.objectContaining({ kind: 'permanent', message: expect.stringMatching(reason) }),
    );
  });

  it('names an uploaded file as messages.send wants it, with its access key when it has one', () => {
    expect(attachmentReference('photo', { owner_id: -5, id: 7, access_key: 'k1' })).toBe(
      'photo-5_7_k1',
    );
    expect(attachmentReference('doc', { owner_id: -5, id: 8 })).toBe('doc-5_8');
  });

  it('answers in the customer thread when asked to', () => {
    expect(render(outbound({ threadRefs: { reply_to: '501' } })).params.reply_to).toBe(501);
  });
});

describe('error classification', () => {
  it.each([
    [6, 'retryable', 1_000, false],
    [9, 'retryable', 1_000, false],
    [29, 'retryable', 30_000, false],
    [10, 'retryable', undefined, false],
    [901, 'permanent', undefined, true],
    [902, 'permanent', undefined, true],
    [5, 'permanent', undefined, false],
    [100, 'bad-input', undefined, false],
    [12345, 'retryable', undefined, false],
  ] as const)(
    'VK error %i is %s (wait before retrying: %s ms, unreachable: %s)',
    (code, kind, retryAfterMs, unreachable) => {
      const failure = vkAdapter.classifyError(new VkApiError('messages.send', code, 'x'));
      expect(failure).toMatchObject({ kind, recipientUnreachable: unreachable });
      expect(failure.retryAfterMs).toBe(retryAfterMs);
    },
  );

  it('says in the agent’s words why the customer cannot be reached', () => {
    expect(vkAdapter.classifyError(new VkApiError('messages.send', 901, 'x')).reason).toBe(
      'the customer has not allowed messages from the community (VK error 901)',
    );
  });

  it.each([
    ['a network failure', new TypeError('fetch failed'), 'retryable'],
    ['an outbound message VK cannot carry', new BadInputError('too long'), 'bad-input'],
  ])('classifies %s that is no VK answer', (_, error, kind) => {
    expect(vkAdapter.classifyError(error).kind).toBe(kind);
  });

  it('backs off by doubling, capped, with at most a quarter of jitter', () => {
    expect([1, 2, 3, 10].map((attempt) => backoffDelayMs(attempt, 100, 1_000, () => 0))).toEqual([
      100, 200, 400, 1_000,
    ]);
    expect(backoffDelayMs(1, 100, 1_000, () => 1)).toBe(75);
  });
});

describe('verify', () => {
  const callback = { confirmationCode: 'c0ffee12', secret: 's3cret' };
  const request = (body: string) => ({ headers: {}, rawBody: Buffer.from(body) });
  const verify = (body: string, ctx: VkContext = { groupId: GROUP, callback }) =>
    vkAdapter.verify(request(body), ctx);

  it.each([
    [
      'the confirmation request gets the code',
      { type: 'confirmation', group_id: GROUP },
      { kind: 'handshake', body: 'c0ffee12' },
    ],
    [
      'an event with the secret passes',
      { type: 'message_new', group_id: GROUP, secret: 's3cret' },
      { kind: 'accepted' },
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
    [
      'an unreadable event with the secret passes, for normalising to reject',
      { group_id: GROUP, secret: 's3cret' },
      { kind: 'accepted' },
    ],
  ])('%s', (_, body, verdict) => {
    expect(verify(JSON.stringify(body))).toMatchObject(verdict);
    expect(verifyCallback(body, { groupId: GROUP, ...callback }).kind).toBe(
      { handshake: 'confirmation', accepted: 'event', rejected: 'rejected' }[verdict.kind],
    );
  });

  it('refuses a body that is not JSON as bad input', () => {
    expect(verify('{"type":')).toMatchObject({ kind: 'rejected', status: 400 });
  });

  it('refuses every request to a community that is not in callback mode', () => {
    const body = JSON.stringify({ type: 'confirmation', group_id: GROUP });
    expect(verify(body, { groupId: GROUP })).toMatchObject({ kind: 'rejected', status: 403 });
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
