import { Inject, Injectable, Logger } from '@nestjs/common';
import { Api } from 'grammy';
import { fileLinkKey, SendRateLimiter, type BotContext } from '@firstline/telegram';
import { TELEGRAM_CONFIG, type BotConfig, type TelegramConfig } from './config';

/** A configured bot with its Bot API client. */
export interface Bot {
  config: BotConfig;
  api: Api;
  context: BotContext;
  /** Telegram's limits apply to each bot on its own: thirty messages a second are each bot's. */
  sendLimits: SendRateLimiter;
  /** Where the Bot API serves a file's bytes (https://core.telegram.org/bots/api#getfile). */
  fileDownloadUrl(filePath: string): string;
}

/** The bots of TELEGRAM_BOTS by name. */
@Injectable()
export class Bots {
  private readonly byName: Map<string, Bot>;

  constructor(@Inject(TELEGRAM_CONFIG) config: TelegramConfig) {
    this.byName = new Map(
      config.bots.map((bot) => [
        bot.name,
        {
          config: bot,
          api: new Api(bot.token, { apiRoot: config.apiRoot }),
          sendLimits: new SendRateLimiter(),
          context: {
            name: bot.name,
            filesBaseUrl: config.filesBaseUrl,
            fileLinkKey: fileLinkKey(bot.token),
            fileLinkTtlSeconds: config.fileLinkTtlSeconds,
          },
          fileDownloadUrl: (filePath: string) =>
            `${config.apiRoot}/file/bot${bot.token}/${filePath}`,
        },
      ]),
    );
    if (this.byName.size === 0) {
      new Logger(Bots.name).warn(
        'TELEGRAM_BOTS is not set: no bot receives updates, and outbound Telegram messages fail',
      );
    }
  }

  get(name: string): Bot | undefined {
    return this.byName.get(name);
  }

  all(): Bot[] {
    return [...this.byName.values()];
  }
}
