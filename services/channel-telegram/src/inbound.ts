import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Update } from 'grammy/types';
import {
  DEAD_LETTER_HEADER,
  DEAD_LETTER_TOPIC,
  MESSAGE_BUS,
  type MessageBus,
  type OutgoingMessage,
} from '@firstline/bus';
import type { ErrorKind } from '@firstline/errors';
import { encode, InboundMessageSchema, messageType, TOPICS } from '@firstline/contracts';
import { telegramAdapter } from '@firstline/telegram';
import type { Bot } from './bots';

/**
 * Publishes a bot's updates as InboundMessages and resolves only once the bus acknowledged them:
 * webhook answers and the polling offset wait for that, so Telegram redelivers what was not
 * published. An update that cannot be read goes to the dead-letter topic with its reason instead
 * of blocking the bot's updates behind it; one the adapter ignores is acknowledged and dropped.
 */
@Injectable()
export class TelegramInbound {
  private readonly logger = new Logger(TelegramInbound.name);
  private readonly publisher: GroupPublisher;

  constructor(@Inject(MESSAGE_BUS) bus: Pick<MessageBus, 'publish'>) {
    this.publisher = new GroupPublisher(bus);
  }

  async accept(bot: Bot, updates: Update[]): Promise<void> {
    const receivedAt = new Date();
    const records: OutgoingMessage[] = [];
    for (const update of updates) {
      const normalised = await telegramAdapter.normalise(update, bot.context, receivedAt);
      if (normalised.kind === 'ignored') continue;
      if (normalised.kind === 'rejected') {
        this.logger.warn(`${normalised.reason}; dead-lettered`);
        records.push(deadLetter(bot, update, normalised.reason));
        continue;
      }
      const { message } = normalised;
      records.push({
        topic: TOPICS.inbound.name,
        key: message.conversationKey,
        value: encode(InboundMessageSchema, message),
        headers: { messageId: message.messageId, type: messageType(InboundMessageSchema) },
      });
    }
    if (records.length > 0) await this.publisher.publish(records);
    await this.answerButtons(bot, updates);
  }

  /** Stops the spinner on a pressed button. Best effort: the answer is already published. */
  private async answerButtons(bot: Bot, updates: Update[]): Promise<void> {
    for (const { callback_query: query } of updates) {
      if (!query) continue;
      await bot.api
        .answerCallbackQuery(query.id, { text: 'Thank you for your feedback!' })
        .catch((error: unknown) =>
          this.logger.warn(
            `answerCallbackQuery for bot ${bot.config.name} failed: ${String(error)}`,
          ),
        );
    }
  }
}

function deadLetter(bot: Bot, update: Update, reason: string): OutgoingMessage {
  return {
    topic: DEAD_LETTER_TOPIC,
    key: `telegram:${bot.config.name}`,
    value: Buffer.from(JSON.stringify(update)),
    headers: {
      messageId: `telegram:${bot.config.name}:update:${update.update_id}`,
      type: 'telegram.Update',
    },
    extraHeaders: {
      [DEAD_LETTER_HEADER.error]: reason,
      [DEAD_LETTER_HEADER.errorKind]: 'bad-input' satisfies ErrorKind,
      [DEAD_LETTER_HEADER.sourceTopic]: `telegram:${bot.config.name}`,
    },
  };
}

/**
 * Group commit for webhook requests, which arrive one update each and concurrently: records
 * accepted while a publish is in flight go out together in the next one, and each caller resolves
 * when the publish that carried its records was acknowledged. The bus's producer has one request
 * in flight per broker, so without this every update would wait its own round trip.
 */
class GroupPublisher {
  private waiting: Array<{ records: OutgoingMessage[]; settle: (error?: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly bus: Pick<MessageBus, 'publish'>) {}

  publish(records: OutgoingMessage[]): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ records, settle: (error) => (error ? reject(error) : resolve()) });
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.flushing) return;
    this.flushing = true;
    while (this.waiting.length > 0) {
      const group = this.waiting;
      this.waiting = [];
      try {
        await this.bus.publish(group.flatMap(({ records }) => records));
        for (const { settle } of group) settle();
      } catch (error) {
        for (const { settle } of group) settle(error);
      }
    }
    this.flushing = false;
  }
}
