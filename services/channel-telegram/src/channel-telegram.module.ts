import { Module } from '@nestjs/common';

/** Telegram bots. */
@Module({})
export class ChannelTelegramModule {}
