import { Module, type DynamicModule } from '@nestjs/common';
import { attachmentReaderProviders, type AttachmentSource } from '@firstline/channel-kit';
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
  /**
   * The module whose replies read their files' bytes from `source`: a ReadAttachment, or
   * providers of which one provides READ_ATTACHMENT.
   */
  static readingAttachments(source: AttachmentSource): DynamicModule {
    return { module: ChannelTelegramModule, providers: attachmentReaderProviders(source) };
  }
}
