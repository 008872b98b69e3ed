import { Module } from '@nestjs/common';
import { Bots } from './bots';
import { parseTelegramConfig, TELEGRAM_CONFIG } from './config';
import { TelegramInbound } from './inbound';
import { LongPolling } from './long-polling';
import { TelegramOutbound } from './outbound.consumer';
import { TelegramController } from './telegram.controller';
import { TelegramSender } from './telegram-sender';
import { WebhookRegistration } from './webhooks';

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
    TelegramSender,
    TelegramOutbound,
  ],
})
export class ChannelTelegramModule {}
