import { attachmentStoreProvider } from '@firstline/attachments/stores';
import { Module } from '@nestjs/common';
import { EMAIL_CONFIG, loadEmailConfig } from './config';
import { EmailStore } from './email-store';
import { InboundMail } from './inbound/inbound.service';
import { OutboundMail } from './outbound/outbound-mail.consumer';

/** Email: IMAP in, SMTP out. */
@Module({
  providers: [
    { provide: EMAIL_CONFIG, useFactory: () => loadEmailConfig() },
    attachmentStoreProvider,
    EmailStore,
    InboundMail,
    OutboundMail,
  ],
})
export class ChannelEmailModule {}
