import { Module, type DynamicModule } from '@nestjs/common';
import { READ_ATTACHMENT, type ReadAttachment } from '@firstline/channel-kit';
import { Bots } from './bots';
import { parseTelegramConfig, TELEGRAM_CONFIG } from './config';
import { LongPolling } from './inbound/long-polling';
import { TelegramInbound } from './inbound/telegram-inbound';
import { TelegramController } from './inbound/telegram.controller';
import { WebhookRegistration } from './inbound/webhook-registration';
import { BotApiSender } from './outbound/bot-api-sender';
import { TelegramOutbound } from './outbound/outbound.consumer';

/** Telegram bots: updates in by webhook or long polling, messages out through the Bot API. */
@Module({
  controllers: [TelegramController],
  providers: [
    // Read at start, so a malformed TELEGRAM_BOTS stops the service with one line naming it.
    { provide: TELEGRAM_CONFIG, useFactory: () => parseTelegramConfig(process.env) },
    Bots,
    TelegramInbound,
    LongPolling,
    WebhookRegistration,
    BotApiSender,
    TelegramOutbound,
  ],
})
export class ChannelTelegramModule {
  /** The module whose replies read their files' bytes with `readAttachment`. */
  static readingAttachments(readAttachment: ReadAttachment): DynamicModule {
    return {
      module: ChannelTelegramModule,
      providers: [{ provide: READ_ATTACHMENT, useValue: readAttachment }],
    };
  }
}
