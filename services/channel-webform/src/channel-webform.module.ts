import { attachmentStoreProvider } from '@firstline/attachments/stores';
import { Module } from '@nestjs/common';
import { MESSAGE_BUS, type MessageBus } from '@firstline/bus';
import { directoryProjection, InboundPublisher } from '@firstline/channel-kit';
import { parseWebformConfig, WEBFORM_CONFIG } from './config';
import { AttachmentSweeper } from './attachments/attachment-sweeper';
import { StoredLinks } from './http/stored-links';
import { IntakeController } from './inbound/intake.controller';
import { Intake } from './inbound/intake.service';
import { SubmissionWriter } from './inbound/submission-writer';
import { WebformOutbound } from './outbound/outbound.consumer';
import { StatusPageSender } from './outbound/status-page.sender';
import { PagesController } from './pages/pages.controller';

import { CustomerTextsStore, WEBFORM_DIRECTORY } from './projection/directory.consumer';
import { RatingController } from './rating/rating.controller';
import { RoutingProjection } from './projection/routing.consumer';
import { TicketEventsProjection } from './projection/ticket-events.consumer';
import { StatusController } from './status/status.controller';
import { StatusService } from './status/status.service';
import { VerificationController } from './verification/verification.controller';

/**
 * Web forms: the embeddable form, callback requests, the customer's status page, and the
 * survey's rating page.
 */
@Module({
  controllers: [
    IntakeController,
    StatusController,
    PagesController,
    VerificationController,
    RatingController,
  ],
  providers: [
    // Read at start, so a malformed WEBFORM_* variable stops the service with one line naming it.
    { provide: WEBFORM_CONFIG, useFactory: () => parseWebformConfig(process.env) },
    StoredLinks,
    attachmentStoreProvider,
    AttachmentSweeper,
    {
      provide: InboundPublisher,
      useFactory: (bus: MessageBus) => new InboundPublisher({ bus, name: 'webform' }),
      inject: [MESSAGE_BUS],
    },
    SubmissionWriter,
    Intake,
    StatusService,
    RoutingProjection,
    TicketEventsProjection,
    ...directoryProjection(WEBFORM_DIRECTORY),
    CustomerTextsStore,
    StatusPageSender,
    WebformOutbound,
  ],
})
export class ChannelWebformModule {}
