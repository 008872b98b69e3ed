import { deliveryReceipt } from '@firstline/channel';
import { Channel, create, DeliveryStatus, OutboundMessageSchema } from '@firstline/contracts';
import { PermanentError } from '@firstline/errors';
import { SendRateLimiter, telegramAdapter, verifyWebhookSecret } from '../src';

/** What grammY throws for a Bot API error answer: an Error carrying the answer's fields. */
const botApiError = (fields: object) => Object.assign(new Error('Call failed'), fields);

describe('classifyError', () => {
  it.each([
    [
      {
        error_code: 429,
        description: 'Too Many Requests: retry after 3',
        parameters: { retry_after: 3 },
      },
      { kind: 'retryable', retryAfterMs: 3000, recipientUnreachable: false },
    ],
    [
      { error_code: 403, description: 'Forbidden: bot was blocked by the user' },
      { kind: 'permanent', reason: 'bot was blocked by the user', recipientUnreachable: true },
    ],
    [
      { error_code: 400, description: 'Bad Request: chat not found' },
      { kind: 'permanent', recipientUnreachable: true },
    ],
    [
      { error_code: 400, description: "Bad Request: can't parse entities" },
      { kind: 'bad-input', recipientUnreachable: false },
    ],
    [
      { error_code: 401, description: 'Unauthorized' },
      { kind: 'permanent', recipientUnreachable: false },
    ],
    [
      { error_code: 502, description: 'Bad Gateway' },
      { kind: 'retryable', recipientUnreachable: false },
    ],
  ])('%j → %j', (error, failure) => {
    expect(telegramAdapter.classifyError(botApiError(error))).toMatchObject(failure);
  });

  it('keeps the kind of a failure Firstline already judged (a file above a limit)', () => {
    const failure = telegramAdapter.classifyError(new PermanentError('"a.pdf" is 60 MB'));
    expect(failure).toEqual({
      kind: 'permanent',
      reason: '"a.pdf" is 60 MB',
      recipientUnreachable: false,
    });
  });

  it('takes a failure before any answer (connection refused) as one to retry', () => {
    expect(telegramAdapter.classifyError(new Error('connect ECONNREFUSED'))).toEqual({
      kind: 'retryable',
      reason: 'Bot API unreachable: connect ECONNREFUSED',
      recipientUnreachable: false,
    });
  });
});

describe('the delivery receipt of a Telegram send', () => {
  const message = create(OutboundMessageSchema, { outboundId: 'out-1', ticketId: 'T-1' });
  const now = new Date('2026-11-23T12:00:00Z');

  it('reports a blocked bot as a failure that marks the customer unreachable', () => {
    const failure = telegramAdapter.classifyError(
      botApiError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
    );
    expect(deliveryReceipt(Channel.TELEGRAM, message, { sent: false, failure }, now)).toMatchObject(
      {
        receiptId: 'out-1:FAILED:1',
        status: DeliveryStatus.FAILED,
        reason: 'bot was blocked by the user',
        retryable: false,
        recipientUnreachable: true,
      },
    );
  });
});

describe('SendRateLimiter', () => {
  it('spaces messages to one chat a second apart', () => {
    const limiter = new SendRateLimiter();
    expect([0, 0, 0].map(() => limiter.reserve('42', 0))).toEqual([0, 1000, 2000]);
  });

  it('lets different chats go at up to 30 messages a second overall', () => {
    const limiter = new SendRateLimiter();
    const waits = Array.from({ length: 31 }, (_, chat) => limiter.reserve(String(chat), 0));
    expect(waits[29]).toBeLessThan(1000);
    expect(waits[30]).toBeCloseTo(1000);
  });

  it('does not hold other chats back while one chat waits for its next second', () => {
    const limiter = new SendRateLimiter();
    expect(limiter.reserve('busy', 0)).toBe(0);
    expect(limiter.reserve('busy', 0)).toBe(1000);
    // The slots before the busy chat's second message are still free for everyone else.
    expect(limiter.reserve('other', 0)).toBeCloseTo(1000 / 30);
    expect(limiter.reserve('third', 10)).toBeCloseTo(2000 / 30 - 10);
  });

  it('never gives two messages the same slot', () => {
    const limiter = new SendRateLimiter();
    const slots = ['a', 'a', 'b', 'b', 'c'].map((chat) => limiter.reserve(chat, 0));
    expect(new Set(slots).size).toBe(slots.length);
    expect(Math.max(...slots)).toBeLessThan(1100);
  });
});

describe('verifyWebhookSecret', () => {
  it.each([
    ['s3cret', true],
    ['wrong!', false],
    [undefined, false],
  ])('header %p → %p', (header, accepted) => {
    expect(verifyWebhookSecret('s3cret', header)).toBe(accepted);
  });
});
