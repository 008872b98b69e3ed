import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  Channel,
  create,
  IdentitySchema,
  InboundMessageSchema,
  timestampFromDate,
} from '@firstline/contracts';
import { BadInputError, errorKind } from '@firstline/errors';
import type { ChannelAdapter, Normalised, SignedRequest } from '../src/adapter';
import { runAdapterContract } from './contract-suite';

/**
 * A pager gateway small enough to read at a glance: it posts `{ id, from, text }` for a message
 * and `{ id, report }` for a delivery report, signed with HMAC-SHA256 of the body.
 */
interface PagerPayload {
  id?: unknown;
  from?: unknown;
  text?: unknown;
  report?: unknown;
}

interface PagerContext {
  secret: string;
}

interface PagerSend {
  to: string;
  text: string;
}

const pager: ChannelAdapter<PagerPayload, PagerContext, PagerSend> = {
  channel: Channel.WEBFORM,

  async normalise(payload, _context, receivedAt): Promise<Normalised> {
    if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
      return { kind: 'rejected', reason: 'not a pager event' };
    }
    if (payload.report !== undefined) return { kind: 'ignored', reason: 'a delivery report' };
    if (typeof payload.id !== 'string' || typeof payload.from !== 'string') {
      return { kind: 'rejected', reason: 'a pager message needs an id and a sender' };
    }
    return {
      kind: 'message',
      message: create(InboundMessageSchema, {
        messageId: `pager:${payload.id}`,
        conversationKey: `pager:${payload.from}`,
        channel: Channel.WEBFORM,
        sender: create(IdentitySchema, { value: payload.from }),
        textBody: typeof payload.text === 'string' ? payload.text : '',
        receivedAt: timestampFromDate(receivedAt),
      }),
    };
  },

  render(message) {
    if (!message.textBody) throw new BadInputError('a page needs text');
    return { to: message.recipient?.value ?? '', text: message.textBody };
  },

  verify(request, context) {
    const given = Buffer.from(String(request.headers['x-signature'] ?? ''), 'hex');
    const expected = createHmac('sha256', context.secret).update(request.rawBody).digest();
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? { kind: 'accepted' }
      : { kind: 'rejected', status: 401, reason: 'the signature does not match the body' };
  },

  classifyError(error) {
    const kind = errorKind(error);
    return {
      kind,
      reason: error instanceof Error ? error.message : String(error),
      recipientUnreachable: false,
    };
  },
};

const context: PagerContext = { secret: 'a shared secret of the pager gateway' };

function signed(body: string, secret = context.secret): SignedRequest {
  const rawBody = Buffer.from(body);
  return {
    headers: { 'x-signature': createHmac('sha256', secret).update(rawBody).digest('hex') },
    rawBody,
  };
}

const genuine = signed('{"id":"7","from":"+4915100000","text":"call me"}');

runAdapterContract('pager (the suite itself)', pager, {
  context,
  messages: [
    { name: 'a text page', payload: { id: '7', from: '+4915100000', text: 'call me' } },
    { name: 'a page without text', payload: { id: '8', from: '+4915100000' } },
  ],
  ignored: [{ name: 'a delivery report', payload: { id: '9', report: 'delivered' } }],
  malformed: [
    { name: 'a message without a sender', payload: { id: '10', text: 'who am I' } },
    { name: 'an id that is a number', payload: { id: 11, from: '+4915100000' } },
  ],
  signed: {
    genuine,
    tampered: [
      {
        name: 'a body changed after signing',
        payload: { ...genuine, rawBody: Buffer.from('{"id":"7","from":"+4915100001"}') },
      },
      { name: 'signed with another secret', payload: signed('{"id":"7"}', 'not the secret') },
      { name: 'no signature', payload: { headers: {}, rawBody: genuine.rawBody } },
    ],
  },
});
