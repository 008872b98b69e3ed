import { createLogger } from '@firstline/observability';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { SERVICES } from '../src/embedded';

interface NumberColumn {
  schema: string;
  table: string;
  column: string;
  /** The column's default, e.g. `nextval('routing.ticket_number'::regclass)`. */
  generated: string | null;
  /** Whether a unique index covers the column alone. */
  unique: boolean;
}

/**
 * One owner per fact, read from the database every service migrated (docs/adr/0015): ticket
 * numbers are made and kept unique in one table, the router's; every other column that carries
 * one is a copy written from the router's decisions.
 */
describe('who holds ticket numbers, once every service has migrated', () => {
  let database: TestDatabase;
  let sequences: string[];
  let columns: NumberColumn[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = createLogger({ service: 'data-ownership', level: 'silent' });
    for (const service of SERVICES) {
      const dataSource = await openDatabase({
        url: database.url,
        schema: service.schema,
        migrations: [...persistenceMigrations(service.schema), ...service.migrations],
        logger,
      });
      await dataSource.destroy();
    }
    const pool = database.pool();
    sequences = (
      await pool.query<{ name: string }>(
        `SELECT schemaname || '.' || sequencename AS name FROM pg_sequences
          WHERE sequencename LIKE '%number%' ORDER BY 1`,
      )
    ).rows.map((row) => row.name);
    columns = (
      await pool.query<NumberColumn>(
        `SELECT c.table_schema AS schema, c.table_name AS table, c.column_name AS column,
                c.column_default AS generated,
                EXISTS (SELECT 1 FROM pg_index i
                          JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                         WHERE i.indrelid = format('%I.%I', c.table_schema, c.table_name)::regclass
                           AND i.indisunique AND i.indnkeyatts = 1
                           AND a.attname = c.column_name) AS unique
           FROM information_schema.columns c
           JOIN information_schema.tables t USING (table_schema, table_name)
          WHERE t.table_type = 'BASE TABLE'
            AND (c.column_name LIKE '%ticket_number' OR
                 (c.column_name = 'number' AND c.table_name = 'ticket'))
          ORDER BY 1, 2, 3`,
      )
    ).rows;
  }, 120_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('has one sequence for ticket numbers, the router’s', () => {
    expect(sequences).toEqual(['routing.ticket_number']);
  });

  it('makes and keeps numbers unique in exactly one table, routing.ticket', () => {
    const holders = columns.filter((column) => column.generated || column.unique);
    expect(holders).toEqual([
      {
        schema: 'routing',
        table: 'ticket',
        column: 'number',
        generated: expect.stringContaining("nextval('routing.ticket_number'"),
        unique: true,
      },
    ]);
  });

  it('keeps every other ticket number as a copy: no default, no uniqueness of its own', () => {
    const copies = columns.filter((column) => !(column.generated || column.unique));
    expect(copies.map(({ schema, table, column }) => `${schema}.${table}.${column}`)).toEqual(
      expect.arrayContaining(['tickets.ticket.number']),
    );
    expect(copies.length).toBe(columns.length - 1);
  });
});
