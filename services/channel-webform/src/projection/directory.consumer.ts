import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Consume, type Received } from '@firstline/bus';
import { projectDirectory, type ProjectedKind } from '@firstline/channel-kit';
import { DirectoryKind, TOPICS, type DirectoryRecord } from '@firstline/contracts';
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
    await projectDirectory(this.dataSource, PROJECTED, messages);
  }

  /** The admins' wording of customers' texts per language, as the directory last said. */
  async customerTexts(): Promise<CustomerTextsByLanguage> {
    const rows = await this.dataSource.query<
      Array<{ language: string; texts: CustomerTextOverrides }>
    >(`SELECT language, texts FROM channel_webform.customer_texts`);
    return Object.fromEntries(rows.map((row) => [customerLanguage(row.language), row.texts]));
  }
}

// A deleted customer-texts entry takes its language back to the shipped texts.
const PROJECTED: Partial<Record<DirectoryKind, ProjectedKind>> = {
  [DirectoryKind.AGENT]: {
    table: 'channel_webform.agent',
    key: 'agent_id',
    columns: (entry) => ({ name: entry.payload.case === 'agent' ? entry.payload.value.name : '' }),
  },
  [DirectoryKind.CUSTOMER_TEXTS]: {
    table: 'channel_webform.customer_texts',
    key: 'language',
    columns: (entry) => ({
      texts: JSON.stringify(
        entry.payload.case === 'customerTexts' ? entry.payload.value.texts : {},
      ),
    }),
  },
};
