import { Module } from '@nestjs/common';

/** Email: IMAP in, SMTP out. */
@Module({})
export class ChannelEmailModule {}
