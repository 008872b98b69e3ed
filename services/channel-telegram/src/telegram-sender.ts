import { Injectable } from '@nestjs/common';
import type { SendOutcome } from '@firstline/channel';
import { RetryableError } from '@firstline/errors';
import {
  SendRateLimiter,
  telegramAdapter,
  type BotApiCall,
  type RenderedMessage,
} from '@firstline/telegram';
import type { Bot } from './bots';

/** How often one call waits out a 429 before the bus's own retries take over. */
const RATE_LIMIT_ATTEMPTS = 5;

/**
 * Sends rendered messages through the Bot API within Telegram's rate limits, waiting out 429s as
 * the Bot API asks. A failure that may pass is thrown as RetryableError for the bus to retry; one
 * that will not is returned, to become a failed DeliveryReceipt.
 */
@Injectable()
export class TelegramSender {
  private readonly limiter = new SendRateLimiter();

  async send(bot: Bot, message: RenderedMessage): Promise<SendOutcome> {
    const telegramMessageIds: number[] = [];
    for (const call of message.calls) {
      for (let attempt = 1; ; attempt += 1) {
        await sleep(this.limiter.reserve(message.chatId, Date.now()));
        try {
          telegramMessageIds.push(await this.call(bot, call));
          break;
        } catch (error) {
          const failure = telegramAdapter.classifyError(error);
          if (failure.retryAfterMs !== undefined && attempt < RATE_LIMIT_ATTEMPTS) {
            await sleep(failure.retryAfterMs);
            continue;
          }
          if (failure.kind === 'retryable') {
            throw new RetryableError(failure.reason, { cause: error });
          }
          return { sent: false, failure };
        }
      }
    }
    // The first part is the one a customer's reply most likely quotes.
    return { sent: true, channelMessageId: String(telegramMessageIds[0] ?? '') };
  }

  private async call(bot: Bot, call: BotApiCall): Promise<number> {
    const sent =
      call.method === 'sendMessage'
        ? await bot.api.raw.sendMessage(call.payload)
        : await bot.api.raw.sendDocument(call.payload);
    return sent.message_id;
  }
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
