import { Module } from '@nestjs/common';
import { CustomerEventsConsumer } from './customer-events.consumer';
import { DeliveryReceiptsConsumer } from './delivery-receipts.consumer';
import { DirectoryConsumer } from './directory.consumer';
import { IdentityProofsConsumer } from './identity-proofs.consumer';
import { InboundConsumer } from './inbound.consumer';
import { RouterSettings } from './router-settings';
import { RoutingCommandsConsumer } from './routing-commands.consumer';
import { Sweeper } from './sweeper';
import { TicketEventsConsumer } from './ticket-events.consumer';

/** The single first line: identity, threading, classification, SLA, assignment, escalation and automatic replies for every inbound message. */
@Module({
  providers: [
    { provide: RouterSettings, useFactory: () => new RouterSettings() },
    InboundConsumer,
    DirectoryConsumer,
    TicketEventsConsumer,
    CustomerEventsConsumer,
    DeliveryReceiptsConsumer,
    IdentityProofsConsumer,
    RoutingCommandsConsumer,
    Sweeper,
  ],
})
export class RouterModule {}
