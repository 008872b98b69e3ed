import { Inject, Injectable, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  parseDirectoryKey,
  TOPICS,
  type DirectoryKind,
  type DirectoryRecord,
} from '@firstline/contracts';

/** How one kind of directory entry is kept in a channel's own table. */
export interface ProjectedKind {
  /** The table, schema-qualified (`channel_chat.team`); it has the key, `version` and the columns. */
  table: string;
  /** The column holding the entry's id. */
  key: string;
  /** The other columns' values for an entry. */
  columns(entry: DirectoryRecord): Record<string, unknown>;
}

/**
 * Keeps the directory entries a channel needs in its own tables, one row per entry: upserted only
 * to a higher version (the compacted topic is read from its start, and a replay or a late
 * duplicate changes nothing), deleted by a tombstone. Kinds not listed are passed over.
 */
export async function projectDirectory(
  dataSource: DataSource,
  kinds: Partial<Record<DirectoryKind, ProjectedKind>>,
  messages: Array<Received<DirectoryRecord | null>>,
): Promise<void> {
  for (const { record, message: entry } of messages) {
    if (!entry) {
      const { kind, id } = parseDirectoryKey(record.key);
      const projected = kinds[kind];
      if (projected) {
        await dataSource.query(`DELETE FROM ${projected.table} WHERE ${projected.key} = $1`, [id]);
      }
      continue;
    }
    const projected = kinds[entry.kind];
    if (!projected) continue;
    const columns = projected.columns(entry);
    const names = Object.keys(columns);
    const { table, key } = projected;
    await dataSource.query(
      `INSERT INTO ${table} (${key}, version, ${names.join(', ')})
       VALUES ($1, $2, ${names.map((_, index) => `$${index + 3}`).join(', ')})
       ON CONFLICT (${key}) DO UPDATE SET version = excluded.version,
         ${names.map((name) => `${name} = excluded.${name}`).join(', ')}
       WHERE ${table}.version < excluded.version`,
      [entry.id, entry.version, ...Object.values(columns)],
    );
  }
}

/** The token of a service's projected kinds (see `directoryProjection`). */
export const DIRECTORY_KINDS = 'firstline.DirectoryKinds';

/** Reads the directory topic into the service's tables, as its DIRECTORY_KINDS say. */
@Injectable()
export class DirectoryProjection {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(DIRECTORY_KINDS) private readonly kinds: Partial<Record<DirectoryKind, ProjectedKind>>,
  ) {}

  @Consume({ topic: TOPICS.directory })
  async handle(messages: Array<Received<DirectoryRecord | null>>): Promise<void> {
    await projectDirectory(this.dataSource, this.kinds, messages);
  }
}

/** The providers that keep `kinds` of the directory in a service's own tables. */
export function directoryProjection(
  kinds: Partial<Record<DirectoryKind, ProjectedKind>>,
): Provider[] {
  return [DirectoryProjection, { provide: DIRECTORY_KINDS, useValue: kinds }];
}
