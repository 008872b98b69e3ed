import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  DirectoryKind,
  parseDirectoryKey,
  Presence,
  TOPICS,
  type DirectoryRecord,
} from '@firstline/contracts';
import { SCHEMA } from '../migrations';

/**
 * What the chat needs of the directory to tell a visitor whether anyone can answer: each team's
 * calendar, the calendars, and who is online in which team. The topic is compacted and read from
 * its start; versions make replays and late duplicates no-ops.
 */
@Injectable()
export class DirectoryProjection {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.directory })
  async handle(messages: Array<Received<DirectoryRecord | null>>): Promise<void> {
    for (const { record, message: entry } of messages) {
      if (!entry) {
        const { kind, id } = parseDirectoryKey(record.key);
        const table = TABLES[kind];
        if (table) {
          await this.dataSource.query(
            `DELETE FROM ${SCHEMA}.${table.name} WHERE ${table.key} = $1`,
            [id],
          );
        }
        continue;
      }
      switch (entry.payload.case) {
        case 'team':
          await this.upsert('team', 'team_id', entry, {
            calendar_id: entry.payload.value.calendarId,
          });
          break;
        case 'calendar':
          await this.upsert('calendar', 'calendar_id', entry, {
            calendar: JSON.stringify(entry.payload.value),
          });
          break;
        case 'agent': {
          const agent = entry.payload.value;
          await this.upsert('agent', 'agent_id', entry, {
            team_ids: agent.teamIds,
            online: agent.active && agent.presence === Presence.ONLINE,
          });
          break;
        }
        default:
          break;
      }
    }
  }

  private async upsert(
    table: string,
    key: string,
    entry: DirectoryRecord,
    columns: Record<string, unknown>,
  ): Promise<void> {
    const names = Object.keys(columns);
    await this.dataSource.query(
      `INSERT INTO ${SCHEMA}.${table} (${key}, version, ${names.join(', ')})
       VALUES ($1, $2, ${names.map((_, index) => `$${index + 3}`).join(', ')})
       ON CONFLICT (${key}) DO UPDATE SET version = excluded.version,
         ${names.map((name) => `${name} = excluded.${name}`).join(', ')}
       WHERE ${SCHEMA}.${table}.version < excluded.version`,
      [entry.id, entry.version, ...Object.values(columns)],
    );
  }
}

const TABLES: Partial<Record<DirectoryKind, { name: string; key: string }>> = {
  [DirectoryKind.TEAM]: { name: 'team', key: 'team_id' },
  [DirectoryKind.CALENDAR]: { name: 'calendar', key: 'calendar_id' },
  [DirectoryKind.AGENT]: { name: 'agent', key: 'agent_id' },
};
