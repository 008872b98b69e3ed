import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { ProjectedKind } from '@firstline/channel-kit';
import { DirectoryKind } from '@firstline/contracts';
import {
  customerLanguage,
  type CustomerTextOverrides,
  type CustomerTextsByLanguage,
} from '@firstline/routing';

/** The admins' wording of customers' texts, as the directory projection keeps it. */
@Injectable()
export class CustomerTextsStore {
  constructor(private readonly dataSource: DataSource) {}

  /** The admins' wording of customers' texts per language, as the directory last said. */
  async customerTexts(): Promise<CustomerTextsByLanguage> {
    const rows = await this.dataSource.query<
      Array<{ language: string; texts: CustomerTextOverrides }>
    >(`SELECT language, texts FROM channel_webform.customer_texts`);
    return Object.fromEntries(rows.map((row) => [customerLanguage(row.language), row.texts]));
  }
}

/**
 * What the channel needs of the directory: the agents' names, so the status page can say whose
 * hands a ticket is in (first name only), and the admins' wording of customers' texts per
 * language, for the status and rating pages (a deleted entry takes its language back to the
 * shipped texts).
 */
export const WEBFORM_DIRECTORY: Partial<Record<DirectoryKind, ProjectedKind>> = {
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
