import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import {
  DirectoryKind,
  parseDirectoryKey,
  TOPICS,
  type DirectoryRecord,
} from '@firstline/contracts';
import {
  customerLanguage,
  type CustomerTextOverrides,
  type CustomerTextsByLanguage,
} from '@firstline/routing';

/**
 * What the channel needs of the directory: the agents' names, so the status page can say whose
 * hands a ticket is in (first name only), and the admins' wording of customers' texts per
 * language, for the status and rating pages. The directory topic is compacted and read from its
 * start; versions make replays no-ops.
 */
@Injectable()
export class DirectoryProjection {
  constructor(private readonly dataSource: DataSource) {}

  @Consume({ topic: TOPICS.directory })
  async handle(messages: Array<Received<DirectoryRecord | null>>): Promise<void> {
    for (const { record, message: entry } of messages) {
      if (!entry) {
        // A tombstone: the entry named by the key is gone (texts: back to the shipped ones).
        const { kind, id } = parseDirectoryKey(record.key);
        if (kind === DirectoryKind.AGENT) {
          await this.dataSource.query(`DELETE FROM channel_webform.agent WHERE agent_id = $1`, [
            id,
          ]);
        } else if (kind === DirectoryKind.CUSTOMER_TEXTS) {
          await this.dataSource.query(
            `DELETE FROM channel_webform.customer_texts WHERE language = $1`,
            [id],
          );
        }
        continue;
      }
      if (entry.payload.case === 'agent') {
        await this.dataSource.query(
          `INSERT INTO channel_webform.agent (agent_id, name, version) VALUES ($1, $2, $3)
           ON CONFLICT (agent_id) DO UPDATE SET name = EXCLUDED.name, version = EXCLUDED.version
           WHERE channel_webform.agent.version < EXCLUDED.version`,
          [entry.id, entry.payload.value.name, entry.version],
        );
      } else if (entry.payload.case === 'customerTexts') {
        await this.dataSource.query(
          `INSERT INTO channel_webform.customer_texts (language, version, texts) VALUES ($1, $2, $3)
           ON CONFLICT (language) DO UPDATE SET texts = EXCLUDED.texts, version = EXCLUDED.version
           WHERE channel_webform.customer_texts.version < EXCLUDED.version`,
          [entry.id, entry.version, JSON.stringify(entry.payload.value.texts)],
        );
      }
    }
  }

  /** The admins' wording of customers' texts per language, as the directory last said. */
  async customerTexts(): Promise<CustomerTextsByLanguage> {
    const rows = await this.dataSource.query<
      Array<{ language: string; texts: CustomerTextOverrides }>
    >(`SELECT language, texts FROM channel_webform.customer_texts`);
    return Object.fromEntries(rows.map((row) => [customerLanguage(row.language), row.texts]));
  }
}
