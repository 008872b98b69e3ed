import type { EntityManager } from 'typeorm';

/** A statement whose parameters are numbered from a given one, to be joined with others into one. */
export interface NumberedStatement {
  sql: string;
  parameters: unknown[];
}

/** A write whose parameters are numbered from `first`, so that it joins others in one statement. */
export type JoinableWrite = (first: number) => NumberedStatement;

/**
 * Writes in one statement: all but the last as data-modifying WITH queries, which all run, each
 * on the statement's snapshot (none sees another's rows, and no two may change the same row).
 * One round trip where there were as many as writes.
 */
export function joinWrites(writes: JoinableWrite[]): NumberedStatement {
  if (writes.length === 0) throw new Error('joinWrites needs at least one write');
  const parameters: unknown[] = [];
  const statements = writes.map((write) => {
    const statement = write(parameters.length + 1);
    parameters.push(...statement.parameters);
    return statement.sql;
  });
  const last = statements.pop()!;
  const before = statements.map((sql, index) => `write_${index} AS (${sql})`);
  return { sql: before.length > 0 ? `WITH ${before.join(', ')} ${last}` : last, parameters };
}

/** Makes the writes given, none skipped, in one statement of the caller's transaction. */
export async function write(
  manager: EntityManager,
  writes: Array<JoinableWrite | undefined>,
): Promise<void> {
  const made = writes.filter((each): each is JoinableWrite => each !== undefined);
  if (made.length === 0) return;
  const { sql, parameters } = joinWrites(made);
  await manager.query(sql, parameters);
}
