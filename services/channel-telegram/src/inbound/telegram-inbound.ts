import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Update } from 'grammy/types';
import { MESSAGE_BUS, type CheckpointedSource, type MessageBus } from '@firstline/bus';
import { InboundPublisher, jsonPayload, type NormalisedPayload } from '@firstline/channel-kit';
import { telegramAdapter } from '@firstline/telegram';
import type { Bot } from '../bots';

/**
 * A bot's updates, from its webhook or its long poll, through the adapter onto the bus. `accept`
 * resolves only once the bus acknowledged them: the webhook's answer and the polling offset wait
 * for that, so Telegram redelivers what was not published.
 */
@Injectable()
export class TelegramInbound {
  private readonly logger = new Logger(TelegramInbound.name);
  private readonly publisher: InboundPublisher;

  constructor(@Inject(MESSAGE_BUS) bus: Pick<MessageBus, 'publish'>) {
    this.publisher = new InboundPublisher({ bus, name: 'telegram' });
  }

  /**
   * `polled`: the bot's long poll as a source of the bus, and the offset past these updates,
   * published together with them.
   */
  async accept(
    bot: Bot,
    updates: Update[],
    polled?: { source: CheckpointedSource; nextOffset: number },
  ): Promise<void> {
    const receivedAt = new Date();
    const source = `telegram:${bot.config.name}`;
    const normalised: NormalisedPayload[] = await Promise.all(
      updates.map(async (update) => ({
        result: await telegramAdapter.normalise(update, bot.context, receivedAt),
        payload: jsonPayload(
          source,
          `${source}:update:${update?.update_id}`,
          'telegram.Update',
          update,
        ),
      })),
    );
    if (polled) {
      await this.publisher.publishWithCheckpoint(
        polled.source,
        normalised,
        String(polled.nextOffset),
      );
    } else {
      await this.publisher.publish(normalised);
    }
    await this.answerSurveyButtons(bot, normalised);
  }

  /**
   * Stops the spinner on a pressed survey button, once its answer is published. Best effort: the
   * answer is recorded either way. Other keyboards' buttons are not ours to answer.
   */
  private async answerSurveyButtons(bot: Bot, normalised: NormalisedPayload[]): Promise<void> {
    for (const { result } of normalised) {
      const queryId = result.kind === 'message' && result.message.channelMetadata.callback_query_id;
      if (!queryId) continue;
      await bot.api
        .answerCallbackQuery(queryId, { text: 'Thank you for your feedback!' })
        .catch((error: unknown) =>
          this.logger.warn(
            `answerCallbackQuery for bot ${bot.config.name} failed: ${String(error)}`,
          ),
        );
    }
  }
}
