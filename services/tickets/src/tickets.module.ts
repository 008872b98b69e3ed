import { Module } from '@nestjs/common';

/** The system of record and the agents' API. */
@Module({})
export class TicketsModule {}
