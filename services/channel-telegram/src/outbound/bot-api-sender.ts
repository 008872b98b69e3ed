import { Injectable } from '@nestjs/common';
import type { SentMessage } from '@firstline/channel-kit';
import {
  chatMessageId,
  SendRateLimiter,
  telegramAdapter,
  type BotApiCall,
  type RenderedMessage,
} from '@firstline/telegram';
import type { Bot } from '../bots';

/** How often one call waits out a 429 before the failure goes back to OutboundDelivery. */
const RATE_LIMIT_ATTEMPTS = 5;

/**
 * Makes a rendered message's Bot API calls, in order, within Telegram's rate limits (the Bot API
 * FAQ's). A 429 is waited out here, call by call, so that a message split into parts is not sent
 * again from its first part; whatever else fails is thrown for `classifyError` to read.
 */
@Injectable()
export class BotApiSender {
  private readonly limiter = new SendRateLimiter();

  async send(bot: Bot, message: RenderedMessage): Promise<SentMessage> {
    const telegramMessageIds: number[] = [];
    for (const call of message.calls) {
      telegramMessageIds.push(await this.callWithinLimits(bot, message.chatId, call));
    }
    // The first part is the one a customer's reply most likely quotes.
    const first = telegramMessageIds[0];
    return {
      channelMessageId: String(first),
      sentMessageId: chatMessageId(message.bot, message.chatId, first),
    };
  }

  private async callWithinLimits(bot: Bot, chatId: string, call: BotApiCall): Promise<number> {
    for (let attempt = 1; ; attempt += 1) {
      await sleep(this.limiter.reserve(chatId, Date.now()));
      try {
        const sent =
          call.method === 'sendMessage'
            ? await bot.api.raw.sendMessage(call.payload)
            : await bot.api.raw.sendDocument(call.payload);
        return sent.message_id;
      } catch (error) {
        const { retryAfterMs } = telegramAdapter.classifyError(error);
        if (retryAfterMs === undefined || attempt >= RATE_LIMIT_ATTEMPTS) throw error;
        await sleep(retryAfterMs);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
