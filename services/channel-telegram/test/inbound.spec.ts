import { Logger } from '@nestjs/common';
import type { Update } from 'grammy/types';
import type { OutgoingMessage } from '@firstline/bus';
import type { Bot } from '../src/bots';
import { TelegramInbound } from '../src/inbound';

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

/** A bus whose publishes wait until the test acknowledges them. */
function slowBus() {
  const publishes: Array<{
    records: OutgoingMessage[];
    ack: () => void;
    fail: (e: Error) => void;
  }> = [];
  return {
    publishes,
    publish: (records: OutgoingMessage[]) =>
      new Promise<void>((ack, fail) => publishes.push({ records, ack, fail })),
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('TelegramInbound', () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('publishes updates that arrive during a publish together in the next one, in arrival order', async () => {
    const bus = slowBus();
    const inbound = new TelegramInbound(bus);
    const first = inbound.accept(bot, [update(1)]);
    await tick();
    const later = [inbound.accept(bot, [update(2)]), inbound.accept(bot, [update(3)])];
    bus.publishes[0].ack();
    await first;
    await tick();
    expect(bus.publishes).toHaveLength(2);
    expect(bus.publishes[1].records.map((r) => r.headers.messageId)).toEqual([
      'telegram:support:7:2',
      'telegram:support:7:3',
    ]);
    bus.publishes[1].ack();
    await Promise.all(later);
  });

  it('fails every caller whose records were in a failed publish, so none is acknowledged to Telegram', async () => {
    const bus = slowBus();
    const inbound = new TelegramInbound(bus);
    const accepted = inbound.accept(bot, [update(1)]);
    await tick();
    bus.publishes[0].fail(new Error('broker down'));
    await expect(accepted).rejects.toThrow('broker down');
  });

  it('dead-letters an update it cannot read and publishes the rest', async () => {
    const bus = slowBus();
    const inbound = new TelegramInbound(bus);
    // A message with no sender, which the Bot API types rule out.
    const broken = {
      update_id: 9,
      message: { ...update(9).message, from: undefined },
    } as unknown as Update;
    const accepted = inbound.accept(bot, [broken, update(10)]);
    await tick();
    expect(bus.publishes[0].records.map((r) => r.topic)).toEqual([
      'support.dlq.v1',
      'support.inbound.v1',
    ]);
    bus.publishes[0].ack();
    await accepted;
  });
});
