import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type DeliveredMessage } from '@firstline/bus';
import {
  DirectoryKind,
  DirectoryRecordSchema,
  parseDirectoryKey,
  TOPICS,
} from '@firstline/contracts';
import { readRecord } from './records';

/**
 * Keeps the agents' names, so the status page can say whose hands a ticket is in (first name
 * only). The directory topic is compacted and read from its start; versions make replays no-ops.
 */
@Injectable()
export class AgentNamesProjection {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topics: [TOPICS.directory.name] })
  async handle(records: DeliveredMessage[]): Promise<void> {
    for (const record of records) {
      if (record.value.length === 0) {
        // A tombstone: the entry named by the key is gone.
        const { kind, id } = parseDirectoryKey(record.key);
        if (kind === DirectoryKind.AGENT) {
          await this.dataSource.query(`DELETE FROM channel_webform.agent WHERE agent_id = $1`, [
            id,
          ]);
        }
        continue;
      }
      const entry = readRecord(DirectoryRecordSchema, record);
      if (entry.payload.case !== 'agent') continue;
      await this.dataSource.query(
        `INSERT INTO channel_webform.agent (agent_id, name, version) VALUES ($1, $2, $3)
         ON CONFLICT (agent_id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version
         WHERE channel_webform.agent.version < EXCLUDED.version`,
        [entry.id, entry.payload.value.name, entry.version],
      );
    }
  }
}
