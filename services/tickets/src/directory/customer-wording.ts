import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DirectoryKind } from '@firstline/contracts';
import {
  customerLanguage,
  type CustomerTextOverrides,
  type CustomerTextsByLanguage,
} from '@firstline/routing';
import { DirectoryRepository } from '../database/directory.repository';
import { kindName } from './directory.service';

/**
 * How long a replica answers from the wording it read: every reply is signed with it, and an
 * admin's edit through another replica shows here within this time.
 */
const KEPT_FOR_MS = 10_000;

/** The admins' wording of customers' texts per language (directory kind customer_texts). */
@Injectable()
export class CustomerWording {
  private kept?: { wording: CustomerTextsByLanguage; until: number };

  constructor(private readonly directory: DirectoryRepository) {}

  async load(manager?: EntityManager): Promise<CustomerTextsByLanguage> {
    if (this.kept && Date.now() < this.kept.until) return this.kept.wording;
    const records = await this.directory.list(kindName(DirectoryKind.CUSTOMER_TEXTS), manager);
    const wording: CustomerTextsByLanguage = {};
    for (const record of records) {
      if (record.payload.case !== 'customerTexts') continue;
      wording[customerLanguage(record.id)] = record.payload.value.texts as CustomerTextOverrides;
    }
    this.kept = { wording, until: Date.now() + KEPT_FOR_MS };
    return wording;
  }

  /** After an edit of the wording through this replica: the next load reads it. */
  forget(): void {
    this.kept = undefined;
  }
}
