import { Module } from '@nestjs/common';

/** VK community messages. */
@Module({})
export class ChannelVkModule {}
