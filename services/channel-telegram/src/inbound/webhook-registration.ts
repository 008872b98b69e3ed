import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { Bots } from '../bots';
import { TELEGRAM_CONFIG, type TelegramConfig } from '../config';
import { ALLOWED_UPDATES } from './long-polling';

/**
 * Tells Telegram where to post each webhook bot's updates, with its secret, when the service
 * knows its public URL (TELEGRAM_PUBLIC_URL); otherwise whoever deploys it registers the webhook.
 */
@Injectable()
export class WebhookRegistration implements OnApplicationBootstrap {
  private readonly logger = new Logger(WebhookRegistration.name);

  constructor(
    private readonly bots: Bots,
    @Inject(TELEGRAM_CONFIG) private readonly config: TelegramConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { publicUrl } = this.config;
    if (!publicUrl) return;
    for (const bot of this.bots.all().filter((b) => b.config.mode === 'webhook')) {
      const url = `${publicUrl}/telegram/${bot.config.name}/webhook`;
      try {
        await bot.api.setWebhook(url, {
          secret_token: bot.config.secret,
          allowed_updates: [...ALLOWED_UPDATES],
        });
        this.logger.log(`bot ${bot.config.name} receives updates at ${url}`);
      } catch (error) {
        // Starting without it keeps the other bots and the outbound side working.
        this.logger.error(`setWebhook for bot ${bot.config.name} failed: ${String(error)}`);
      }
    }
  }
}
