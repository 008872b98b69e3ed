import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  Channel,
  create,
  IdentityKind,
  IdentitySchema,
  OutboundMessageSchema,
} from '@firstline/contracts';
import { BadInputError } from '@firstline/errors';
import {
  classifyChatError,
  conversationKey,
  mintVisitorToken,
  normaliseVisitorMessage,
  renderReply,
  UnknownVisitorError,
  visitorOfConversation,
  visitorOfToken,
} from '../src';

const secret = Buffer.from('a-secret-of-at-least-32-characters!!');
const visitorId = '3f2b8c1e-7d4a-4e2f-9b6c-0a1d2e3f4a5b';
const at = new Date('2026-03-02T10:15:00Z');

describe('a visitor’s message', () => {
  it('is the visitor’s conversation, from the visitor, with its text and page', () => {
    const result = normaliseVisitorMessage(
      {
        visitorId,
        clientMessageId: 'c-1',
        text: '  Where is order 1187?  ',
        pageUrl: 'https://shop.example/orders',
        locale: 'en',
      },
      at,
    );
    if (result.kind !== 'message') throw new Error(result.reason);
    expect(result.message).toMatchObject({
      messageId: `chat:${visitorId}:c-1`,
      conversationKey: `chat:${visitorId}`,
      channel: Channel.CHAT,
      sender: { kind: IdentityKind.CHAT_VISITOR, value: visitorId },
      textBody: 'Where is order 1187?',
      language: 'en',
      channelMetadata: { client_message_id: 'c-1', page_url: 'https://shop.example/orders' },
    });
  });

  it('sent again after a reconnect, under the same client id, is the same message', () => {
    const first = normaliseVisitorMessage({ visitorId, clientMessageId: 'c-2', text: 'Hi' }, at);
    const resent = normaliseVisitorMessage(
      { visitorId, clientMessageId: 'c-2', text: 'Hi' },
      new Date(at.getTime() + 5_000),
    );
    expect(resent.kind === 'message' && resent.message.messageId).toBe(
      first.kind === 'message' && first.message.messageId,
    );
  });

  it('a language the widget does not speak is left for the router to detect', () => {
    const result = normaliseVisitorMessage(
      { visitorId, clientMessageId: 'c-3', text: 'Hola', locale: 'es' },
      at,
    );
    expect(result.kind === 'message' && result.message.language).toBe('');
  });
});

describe('the visitor token', () => {
  it('names its visitor only under the secret that minted it', () => {
    const token = mintVisitorToken(visitorId, secret);
    expect(visitorOfToken(token, secret)).toBe(visitorId);
    expect(visitorOfToken(token, Buffer.from('another-secret-of-32-characters-or-more'))).toBe(
      undefined,
    );
    expect(visitorOfToken(`${token}x`, secret)).toBeUndefined();
    expect(visitorOfToken(token.split('.')[0], secret)).toBeUndefined();
    expect(visitorOfToken(undefined, secret)).toBeUndefined();
  });

  it('is minted only for a visitor id the service made', () => {
    expect(() => mintVisitorToken('chat:1', secret)).toThrow(RangeError);
  });
});

describe('a reply', () => {
  const reply = (changes: MessageInitShape<typeof OutboundMessageSchema>) =>
    create(OutboundMessageSchema, {
      outboundId: 'out-1',
      ticketId: 't-1',
      channel: Channel.CHAT,
      conversationKey: conversationKey(visitorId),
      recipient: create(IdentitySchema, { kind: IdentityKind.CHAT_VISITOR, value: visitorId }),
      textBody: 'We refunded it.',
      senderDisplayName: 'Ann from Support',
      ...changes,
    });

  it('is shown to the conversation’s visitor with the agent’s name and its files', () => {
    expect(
      renderReply(
        reply({
          attachments: [
            {
              storageKey: `sha256/${'a'.repeat(64)}`,
              fileName: 'a.pdf',
              contentType: 'application/pdf',
              sizeBytes: 10,
            },
          ],
        }),
      ),
    ).toEqual({
      visitorId,
      id: 'out-1',
      ticketId: 't-1',
      text: 'We refunded it.',
      author: 'Ann from Support',
      files: [
        {
          storageKey: `sha256/${'a'.repeat(64)}`,
          fileName: 'a.pdf',
          contentType: 'application/pdf',
          sizeBytes: 10,
        },
      ],
      automatic: false,
    });
  });

  it('to a conversation that is not a live chat, or empty, cannot be shown', () => {
    expect(() => renderReply(reply({ conversationKey: 'vk:1:2' }))).toThrow(BadInputError);
    expect(() => renderReply(reply({ textBody: ' ' }))).toThrow(BadInputError);
    expect(() =>
      renderReply(reply({ attachments: [{ storageKey: 'x', fileName: 'x.png' }] })),
    ).toThrow(BadInputError);
    // Only a stored file can be checked against the conversation when the visitor downloads it.
    expect(() =>
      renderReply(reply({ attachments: [{ url: 'https://files.example/a.pdf', fileName: 'a' }] })),
    ).toThrow(BadInputError);
    expect(visitorOfConversation('chat:not-a-uuid')).toBeUndefined();
  });
});

describe('classifyChatError', () => {
  it('a visitor the service never had is unreachable for good; a database error is retried', () => {
    expect(classifyChatError(new UnknownVisitorError(visitorId))).toMatchObject({
      kind: 'permanent',
      recipientUnreachable: true,
    });
    expect(classifyChatError(new Error('connection terminated'))).toMatchObject({
      kind: 'retryable',
      recipientUnreachable: false,
    });
  });
});
