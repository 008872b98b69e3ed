import {
  create,
  IdentitySchema,
  OutboundMessageSchema,
  type OutboundMessage,
} from '@firstline/contracts';
import type { ChannelAdapter, Normalised, SignedRequest } from '../src/adapter';

/** A payload worth a name in the test report: "a photo with a caption", "a contact without a phone". */
export interface NamedPayload<Payload> {
  name: string;
  payload: Payload;
}

export interface AdapterContractCases<Payload, Context> {
  context: Context;
  /** Customers writing to support: each becomes a message. At least one. */
  messages: Array<NamedPayload<Payload>>;
  /** What the adapter deliberately leaves alone (its ADR lists them). */
  ignored?: Array<NamedPayload<Payload>>;
  /** What the platform should never send, but might: each is rejected, none throws. At least one. */
  malformed: Array<NamedPayload<unknown>>;
  /**
   * A plain-text reply the channel can send. Default: a reply to the conversation of the first
   * message, addressed to its sender.
   */
  outbound?: OutboundMessage;
  /** Required when the adapter has `verify`: a request the platform really sent, and forgeries. */
  signed?: { genuine: SignedRequest; tampered: Array<NamedPayload<SignedRequest>> };
}

const RECEIVED_AT = new Date('2026-03-02T10:15:00Z');

/** Inputs no platform sends: every adapter rejects them rather than throwing. */
const JUNK: Array<NamedPayload<unknown>> = [
  { name: 'null', payload: null },
  { name: 'undefined', payload: undefined },
  { name: 'a number', payload: 42 },
  { name: 'a string', payload: 'hello' },
  { name: 'an array', payload: [] },
];

/**
 * What every channel adapter promises (docs/adr/0017-channel-adapter-contract.md), as a jest suite
 * its library runs with payloads of its platform:
 *
 *     runAdapterContract('Telegram', telegramAdapter, { context, messages, ignored, malformed, signed });
 */
export function runAdapterContract<Payload, Context, Rendered>(
  name: string,
  adapter: ChannelAdapter<Payload, Context, Rendered>,
  cases: AdapterContractCases<Payload, Context>,
): void {
  const normalise = (payload: unknown) =>
    adapter.normalise(payload as Payload, cases.context, RECEIVED_AT);

  describe(`${name} (channel adapter contract)`, () => {
    it('is given at least one message and one malformed payload to check', () => {
      expect(cases.messages.length).toBeGreaterThan(0);
      expect(cases.malformed.length).toBeGreaterThan(0);
    });

    describe.each([...cases.malformed, ...JUNK].map((junk) => [junk.name, junk.payload]))(
      'malformed: %s',
      (_, payload) => {
        it('is rejected with a reason, not thrown', async () => {
          const result = await normalise(payload);
          expect(result).toEqual({ kind: 'rejected', reason: expect.any(String) });
          expect(reasonOf(result)).not.toBe('');
        });
      },
    );

    if (cases.ignored?.length) {
      describe.each(cases.ignored.map(({ name, payload }) => [name, payload]))(
        'ignored: %s',
        (_, payload) => {
          it('is ignored with a reason', async () => {
            const result = await normalise(payload);
            expect(result).toEqual({ kind: 'ignored', reason: expect.any(String) });
            expect(reasonOf(result)).not.toBe('');
          });
        },
      );
    }

    describe.each(cases.messages.map(({ name, payload }) => [name, payload]))(
      'message: %s',
      (_, payload) => {
        it('becomes a message of this channel with its id and conversation', async () => {
          const result = await normalise(payload);
          if (result.kind !== 'message') throw new Error(`${result.kind}: ${reasonOf(result)}`);
          expect(result.message.messageId).not.toBe('');
          expect(result.message.conversationKey).not.toBe('');
          expect(result.message.channel).toBe(adapter.channel);
        });

        it('keeps its id when the platform delivers it again', async () => {
          const first = await normalise(payload);
          const again = await normalise(payload);
          expect(messageIdOf(again)).toBe(messageIdOf(first));
          expect(conversationOf(again)).toBe(conversationOf(first));
        });
      },
    );

    it('renders a plain-text reply', async () => {
      const outbound = cases.outbound ?? (await replyTo(normalise, cases.messages[0].payload));
      const rendered = adapter.render(outbound, cases.context);
      expect(rendered).toBeTruthy();
      if (Array.isArray(rendered)) expect(rendered.length).toBeGreaterThan(0);
    });

    it('classifies an error it has never seen, with a reason', () => {
      const failure = adapter.classifyError(new Error('socket hang up in an unexpected place'));
      expect(['retryable', 'permanent', 'bad-input']).toContain(failure.kind);
      expect(failure.reason).toEqual(expect.any(String));
      expect(failure.reason).not.toBe('');
      expect(typeof failure.recipientUnreachable).toBe('boolean');
    });

    if (adapter.verify) {
      const verify = adapter.verify.bind(adapter);
      it('verifies a genuine request', () => {
        if (!cases.signed) throw new Error('an adapter with verify must give a signed request');
        expect(['accepted', 'handshake']).toContain(
          verify(cases.signed.genuine, cases.context).kind,
        );
      });

      describe.each((cases.signed?.tampered ?? []).map(({ name, payload }) => [name, payload]))(
        'forged: %s',
        (_, request) => {
          it('is rejected with a client error and a reason', () => {
            const verdict = verify(request, cases.context);
            expect(verdict).toEqual({
              kind: 'rejected',
              status: expect.any(Number),
              reason: expect.any(String),
            });
          });
        },
      );

      it('is given at least one forged request to refuse', () => {
        expect(cases.signed?.tampered.length ?? 0).toBeGreaterThan(0);
      });
    }
  });
}

function reasonOf(result: Normalised): string {
  return result.kind === 'message' ? '' : result.reason;
}

function messageIdOf(result: Normalised): string | undefined {
  return result.kind === 'message' ? result.message.messageId : undefined;
}

function conversationOf(result: Normalised): string | undefined {
  return result.kind === 'message' ? result.message.conversationKey : undefined;
}

/** A plain-text reply to the conversation a payload opened, addressed to its sender. */
async function replyTo(
  normalise: (payload: unknown) => Promise<Normalised>,
  payload: unknown,
): Promise<OutboundMessage> {
  const result = await normalise(payload);
  if (result.kind !== 'message') throw new Error(`the first message was ${result.kind}`);
  const { message } = result;
  return create(OutboundMessageSchema, {
    outboundId: 'contract-suite-reply-1',
    ticketId: 'contract-suite-ticket',
    conversationKey: message.conversationKey,
    channel: message.channel,
    recipient: message.sender ?? create(IdentitySchema, {}),
    textBody: 'Thank you, we are looking into it.',
  });
}
