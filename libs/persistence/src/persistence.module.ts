import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OutboxRelay } from './outbox';
import { schemaOf } from './schema';

/** The service's schema name, for the rare raw SQL that must qualify its tables. */
export const DATABASE_SCHEMA = Symbol('DATABASE_SCHEMA');

/**
 * Provides a service's `DataSource` and `OutboxRelay` (inject them by class) to every module of
 * its application, opened and closed by whoever runs the service. Each service is its own Nest
 * application, also when several share the embedded process, so global means "this service".
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: { dataSource: DataSource; relay: OutboxRelay }): DynamicModule {
    const { dataSource, relay } = options;
    return {
      module: PersistenceModule,
      global: true,
      providers: [
        { provide: DATABASE_SCHEMA, useValue: schemaOf(dataSource) },
        { provide: DataSource, useFactory: () => dataSource },
        { provide: OutboxRelay, useFactory: () => relay },
      ],
      exports: [DATABASE_SCHEMA, DataSource, OutboxRelay],
    };
  }
}
