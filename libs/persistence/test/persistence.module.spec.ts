import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  createDataSource,
  DATABASE_SCHEMA,
  OutboxRelay,
  PersistenceModule,
} from '@firstline/persistence';
import { FakeBus, recordingLogger } from './support';

@Injectable()
class TicketRepository {
  constructor(
    readonly dataSource: DataSource,
    readonly relay: OutboxRelay,
  ) {}
}

/** A module of the service that does not import persistence itself. */
@Module({ providers: [TicketRepository] })
class TicketsModule {}

describe('PersistenceModule', () => {
  it('gives every module of the service its data source, relay and schema name', async () => {
    const dataSource = createDataSource({
      url: 'postgres://postgres@127.0.0.1:5432/postgres',
      schema: 'tickets',
      migrations: [],
    });
    const relay = new OutboxRelay({
      dataSource,
      bus: new FakeBus(),
      logger: recordingLogger().logger,
    });
    const app = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot({ dataSource, relay }), TicketsModule],
    }).compile();

    const repository = app.get(TicketRepository, { strict: false });
    expect(repository.dataSource).toBe(dataSource);
    expect(repository.relay).toBe(relay);
    expect(app.get(DATABASE_SCHEMA, { strict: false })).toBe('tickets');
    await app.close();
  });
});
