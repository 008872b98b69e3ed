import { Module } from '@nestjs/common';

/** Web forms: the embeddable form, callback requests and the customer's status page. */
@Module({})
export class ChannelWebformModule {}
