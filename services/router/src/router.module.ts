import { Module } from '@nestjs/common';

/** The single first line: identity, threading, classification, SLA and assignment for every inbound message. */
@Module({})
export class RouterModule {}
