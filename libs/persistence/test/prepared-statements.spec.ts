import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '@firstline/testing';
import { openDatabase, persistenceMigrations } from '@firstline/persistence';
import { recordingLogger } from './support';

let database: TestDatabase;
let dataSource: DataSource;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await openDatabase({
    url: database.url,
    schema: 'prepared',
    migrations: persistenceMigrations('prepared'),
    poolSize: 1,
    prepareStatements: true,
    logger: recordingLogger().logger,
  });
  await dataSource.query('CREATE TABLE prepared.item (id int PRIMARY KEY, name text)');
  await dataSource.query(`INSERT INTO prepared.item VALUES (1, 'one'), (2, 'two')`);
});

afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

/** The statements the (only) connection has prepared, as Postgres lists them. */
async function prepared(): Promise<string[]> {
  const rows: Array<{ statement: string }> = await dataSource.query(
    'SELECT statement FROM pg_prepared_statements ORDER BY statement',
  );
  return rows.map((row) => row.statement);
}

describe('prepareStatements', () => {
  it('prepares a statement run again and again, once, and answers as before', async () => {
    const select = 'SELECT name FROM prepared.item WHERE id = $1';
    const answers = [];
    for (let run = 0; run < 6; run++) answers.push(await dataSource.query(select, [1 + (run % 2)]));

    expect(answers.map(([row]) => row.name)).toEqual(['one', 'two', 'one', 'two', 'one', 'two']);
    expect((await prepared()).filter((statement) => statement === select)).toHaveLength(1);
  });

  it('leaves a one-off statement and statements without parameters unprepared', async () => {
    await dataSource.query('SELECT count(*) FROM prepared.item WHERE id > $1', [0]);
    for (let run = 0; run < 5; run++) await dataSource.query('SELECT 42 AS answer');

    expect(await prepared()).not.toContain('SELECT count(*) FROM prepared.item WHERE id > $1');
    expect(await prepared()).not.toContain('SELECT 42 AS answer');
  });

  it('gets over a migration that changed the table under a prepared SELECT *', async () => {
    const select = 'SELECT * FROM prepared.item WHERE id = $1';
    for (let run = 0; run < 4; run++) await dataSource.query(select, [1]);
    await dataSource.query('ALTER TABLE prepared.item ADD COLUMN team text');

    // Postgres refuses the old plan once; the statement is prepared again under a new name.
    await expect(dataSource.query(select, [1])).rejects.toThrow(/cached plan/);
    for (let run = 0; run < 4; run++) {
      expect(await dataSource.query(select, [1])).toEqual([{ id: 1, name: 'one', team: null }]);
    }
  });
});
