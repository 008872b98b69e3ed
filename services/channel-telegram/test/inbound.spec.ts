import { Logger } from '@nestjs/common';
import type { Update } from 'grammy/types';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEAD_LETTER_HEADER, DEAD_LETTER_TOPIC, type OutgoingMessage } from '@firstline/bus';
import { TOPICS } from '@firstline/contracts';
import { fileLinkKey, telegramAdapter } from '@firstline/telegram';
import type { Bot, Bots } from '../src/bots';
import { TelegramInbound } from '../src/inbound/telegram-inbound';
import { TelegramController } from '../src/inbound/telegram.controller';

const bot = {
  config: { name: 'support' },
  context: { name: 'support', filesBaseUrl: 'http://x' },
} as Bot;
const update = (id: number) => ({
  update_id: id,
  message: {
    message_id: id,
    date: 0,
    chat: { id: 7, type: 'private' as const, first_name: 'Ann' },
    from: { id: 7, is_bot: false, first_name: 'Ann' },
    text: `message ${id}`,
  },
});

/** A bus that keeps what is published, and the spinners a bot stopped. */
function recording() {
  const published: OutgoingMessage[] = [];
  const answered: string[] = [];
  const webhookBot = {
    config: { name: 'support', mode: 'webhook', secret: 'wH7kQ2pLx9vR4tZb' },
    context: { ...bot.context, fileLinkKey: fileLinkKey('1:T'), fileLinkTtlSeconds: 60 },
    api: { answerCallbackQuery: async (id: string) => answered.push(id) },
  } as unknown as Bot;
  const inbound = new TelegramInbound({
    publish: async (records: OutgoingMessage[]) => void published.push(...records),
  });
  return { published, answered, webhookBot, inbound };
}

describe('TelegramInbound', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('answers a webhook post of a malformed update with success and dead-letters it with its reason', async () => {
    const { published, webhookBot, inbound } = recording();
    const controller = new TelegramController(
      { get: () => webhookBot } as unknown as Bots,
      inbound,
    );
    // A contact card without its phone number, which the Bot API requires.
    const contact = {
      update_id: 11,
      message: { ...update(11).message, text: undefined, contact: { first_name: 'Ann' } },
    } as unknown as Update;

    await expect(controller.webhook('support', 'wH7kQ2pLx9vR4tZb', contact)).resolves.toEqual({
      ok: true,
    });
    expect(published).toEqual([
      expect.objectContaining({
        topic: DEAD_LETTER_TOPIC,
        extraHeaders: expect.objectContaining({
          [DEAD_LETTER_HEADER.error]:
            'BadInputError: Telegram update 11: a contact without phone_number',
          [DEAD_LETTER_HEADER.errorKind]: 'bad-input',
        }),
      }),
    ]);
  });

  it('dead-letters an update it cannot read and publishes the rest', async () => {
    const { published, webhookBot, inbound } = recording();
    // A message with no sender, which the Bot API types rule out.
    const broken = {
      update_id: 9,
      message: { ...update(9).message, from: undefined },
    } as unknown as Update;
    await inbound.accept(webhookBot, [broken, update(10)]);
    expect(published.map((r) => [r.topic, r.headers.messageId])).toEqual([
      ['support.dlq.v1', 'telegram:support:update:9'],
      ['support.inbound.v1', 'telegram:support:7:10'],
    ]);
  });

  it('stops the spinner of our survey’s buttons once the answer is published, and leaves other keyboards’ alone', async () => {
    const { published, answered, webhookBot, inbound } = recording();
    const press = (id: string, data: string) =>
      ({
        update_id: 20 + answered.length + published.length,
        callback_query: {
          id,
          from: { id: 7, is_bot: false, first_name: 'Ann' },
          chat_instance: 'c7',
          data,
        },
      }) as Update;
    await inbound.accept(webhookBot, [press('survey', 'csat:T-1:5'), press('other', 'size:XL')]);
    expect(published.map((r) => r.topic)).toEqual(['support.inbound.v1']);
    expect(answered).toEqual(['survey']);
  });
});

/**
 * The Telegram updates of ../shared/corpus/messenger/telegram (see libs/telegram/test/corpus.spec.ts)
 * posted to the webhook handler: every one is answered with success, so Telegram never redelivers
 * one for ever. Skipped where the corpus is absent.
 */
const corpus = [
  resolve(__dirname, '../../../../shared'),
  resolve(__dirname, '../../../../../shared'),
]
  .map((root) => join(root, 'corpus/messenger/telegram'))
  .find(existsSync);

if (!corpus) {
  describe.skip('the webhook on the Telegram corpus (../shared/corpus/messenger is absent)', () => {
    it('answers every payload with success', () => undefined);
  });
} else {
  const corpusDir = corpus;
  describe('the webhook on the Telegram corpus', () => {
    beforeAll(() => Logger.overrideLogger(false));

    it('answers every payload with success, publishing messages and dead-lettering only what it rejects', async () => {
      const { published, webhookBot, inbound } = recording();
      const controller = new TelegramController(
        { get: () => webhookBot } as unknown as Bots,
        inbound,
      );
      const files = readdirSync(corpusDir).filter((file) => file.endsWith('.json'));
      expect(files).toHaveLength(72);
      for (const file of files) {
        const payload = JSON.parse(readFileSync(join(corpusDir, file), 'utf8')) as Update;
        const before = published.length;
        await expect(controller.webhook('support', 'wH7kQ2pLx9vR4tZb', payload)).resolves.toEqual({
          ok: true,
        });
        const { kind } = await telegramAdapter.normalise(payload, webhookBot.context, new Date());
        const topics = {
          message: [TOPICS.inbound.name],
          rejected: [DEAD_LETTER_TOPIC],
          ignored: [],
        };
        expect([file, published.slice(before).map((record) => record.topic)]).toEqual([
          file,
          topics[kind],
        ]);
      }
    });
  });
}
