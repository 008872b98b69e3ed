import { EntitySchema, type DataSource, type MigrationInterface, type QueryRunner } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { databaseHealth, openDatabase, persistenceMigrations } from '@firstline/persistence';
import { commitOutbox, openSchema, recordingLogger, ticketEvent } from './support';

let database: TestDatabase;
const opened: DataSource[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  await Promise.all(
    opened.splice(0).map((dataSource) => dataSource.isInitialized && dataSource.destroy()),
  );
});

afterAll(async () => {
  await database.drop();
});

async function open(
  schema: string,
  options: Parameters<typeof openSchema>[2] = {},
): Promise<DataSource> {
  const dataSource = await openSchema(database.url, schema, options);
  opened.push(dataSource);
  return dataSource;
}

async function tablesIn(dataSource: DataSource, schema: string): Promise<string[]> {
  const rows: Array<{ table_name: string }> = await dataSource.query(
    'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
    [schema],
  );
  return rows.map((row) => row.table_name);
}

describe('openDatabase', () => {
  it('creates the schema with its migrations, outbox and processed_message tables', async () => {
    const { logger, lines } = recordingLogger();
    const routing = await open('routing', { logger });

    expect(await tablesIn(routing, 'routing')).toEqual([
      'migrations',
      'outbox',
      'processed_message',
    ]);
    expect(await tablesIn(routing, 'public')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'Ran 2 migration(s) in schema routing',
        migrations: ['CreateOutbox1735689600000', 'CreateProcessedMessage1735689600001'],
      }),
    );
  });

  it('runs nothing when the schema is already up to date', async () => {
    await (await open('tickets')).destroy();
    const { logger, lines } = recordingLogger();
    const tickets = await open('tickets', { logger });

    expect(lines.map((line) => line.msg)).toEqual(['Schema tickets is up to date']);
    const [{ count }] = await tickets.query(
      'SELECT count(*)::int AS count FROM tickets.migrations',
    );
    expect(count).toBe(2);
  });

  it("keeps two services' tables apart, each in its own schema", async () => {
    const email = await open('channel_email');
    const telegram = await open('channel_telegram');

    await commitOutbox(email, [ticketEvent(1)]);

    const [emailRows] = await email.query(
      'SELECT count(*)::int AS count FROM channel_email.outbox',
    );
    const [telegramRows] = await telegram.query(
      'SELECT count(*)::int AS count FROM channel_telegram.outbox',
    );
    expect([emailRows.count, telegramRows.count]).toEqual([1, 0]);
  });

  it('lets several replicas of a service open the same schema at once', async () => {
    const replicas = await Promise.all([1, 2, 3, 4].map(() => open('channel_vk')));

    const [{ count }] = await replicas[0].query(
      'SELECT count(*)::int AS count FROM channel_vk.migrations',
    );
    expect(count).toBe(2);
  });

  it("runs a service's own migrations after the shared ones, and its entities live in its schema", async () => {
    class CreateAgent1767225600000 implements MigrationInterface {
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query(
          'CREATE TABLE channel_webform.agent (id text PRIMARY KEY, name text NOT NULL)',
        );
      }
      async down(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('DROP TABLE channel_webform.agent');
      }
    }
    const agent = new EntitySchema<{ id: string; name: string }>({
      name: 'agent',
      columns: { id: { type: 'text', primary: true }, name: { type: 'text' } },
    });
    const webform = await openDatabase({
      url: database.url,
      schema: 'channel_webform',
      migrations: [...persistenceMigrations('channel_webform'), CreateAgent1767225600000],
      entities: [agent],
      logger: recordingLogger().logger,
    });
    opened.push(webform);

    await webform.getRepository(agent).save({ id: 'a1', name: 'Alice' });

    expect(await webform.query('SELECT name FROM channel_webform.agent')).toEqual([
      { name: 'Alice' },
    ]);
  });

  it('leaves nothing behind when a migration fails, and names the schema', async () => {
    class AddBrokenIndex1767225600000 implements MigrationInterface {
      async up(queryRunner: QueryRunner): Promise<void> {
        await queryRunner.query('CREATE INDEX ON channel_sms.no_such_table (id)');
      }
      async down(): Promise<void> {}
    }

    await expect(
      open('channel_sms', { migrations: [AddBrokenIndex1767225600000] }),
    ).rejects.toThrow(
      'Migrating schema "channel_sms" failed: relation "channel_sms.no_such_table" does not exist',
    );

    const admin = await open('admin');
    const [{ count }] = await admin.query(
      "SELECT count(*)::int AS count FROM information_schema.schemata WHERE schema_name = 'channel_sms'",
    );
    expect(count).toBe(0);
  });

  it('names the host and port of a Postgres it cannot reach', async () => {
    await expect(
      openDatabase({
        url: 'postgres://postgres:secret@127.0.0.1:1/firstline',
        schema: 'routing',
        migrations: [],
        logger: recordingLogger().logger,
      }),
    ).rejects.toThrow(
      /^Cannot connect to Postgres at 127\.0\.0\.1:1\/firstline \(schema "routing"\): .*ECONNREFUSED/,
    );
  });

  it('refuses a schema name that would need quoting', async () => {
    await expect(
      openDatabase({
        url: database.url,
        schema: 'Routing; DROP',
        migrations: [],
        logger: recordingLogger().logger,
      }),
    ).rejects.toThrow('Invalid schema name "Routing; DROP"');
  });
});

describe('databaseHealth', () => {
  it('is up while connected and down, saying why, once closed', async () => {
    const router = await open('router_health');
    expect(await databaseHealth(router)).toEqual({ up: true });

    await router.destroy();
    expect(await databaseHealth(router)).toEqual({ up: false, detail: 'not connected' });
  });
});
