import { Module } from '@nestjs/common';
import { DirectoryConsumer } from './directory.consumer';
import { InboundConsumer } from './inbound.consumer';
import { QueueSweeper } from './queue';
import { TicketEventsConsumer } from './ticket-events.consumer';

/** The single first line: identity, threading, classification, SLA and assignment for every inbound message. */
@Module({
  providers: [InboundConsumer, DirectoryConsumer, TicketEventsConsumer, QueueSweeper],
})
export class RouterModule {}
