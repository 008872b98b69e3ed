import type { EntityManager } from 'typeorm';
import { joinWrites, write, type JoinableWrite } from '../src/joined-writes';

const insert =
  (table: string, values: unknown[]): JoinableWrite =>
  (first) => ({
    sql: `INSERT INTO ${table} VALUES (${values.map((_, i) => `$${first + i}`).join(', ')})`,
    parameters: values,
  });

describe('joinWrites', () => {
  it('numbers each write on from the last one and makes all but the last WITH queries', () => {
    expect(joinWrites([insert('a', [1, 2]), insert('b', [3]), insert('c', [4, 5])])).toEqual({
      sql:
        'WITH write_0 AS (INSERT INTO a VALUES ($1, $2)), write_1 AS (INSERT INTO b VALUES ($3)) ' +
        'INSERT INTO c VALUES ($4, $5)',
      parameters: [1, 2, 3, 4, 5],
    });
  });

  it('leaves a single write as it is', () => {
    expect(joinWrites([insert('a', ['x'])])).toEqual({
      sql: 'INSERT INTO a VALUES ($1)',
      parameters: ['x'],
    });
  });
});

describe('write', () => {
  const manager = () => {
    const queries: Array<[string, unknown[]]> = [];
    const query = async (sql: string, parameters: unknown[]) =>
      void queries.push([sql, parameters]);
    return { queries, manager: { query } as unknown as EntityManager };
  };

  it('sends the writes there are in one statement', async () => {
    const { queries, manager: m } = manager();
    await write(m, [undefined, insert('a', [1]), undefined, insert('b', [2])]);
    expect(queries).toEqual([
      ['WITH write_0 AS (INSERT INTO a VALUES ($1)) INSERT INTO b VALUES ($2)', [1, 2]],
    ]);
  });

  it('sends nothing when there is nothing to write', async () => {
    const { queries, manager: m } = manager();
    await write(m, [undefined, undefined]);
    expect(queries).toEqual([]);
  });
});
