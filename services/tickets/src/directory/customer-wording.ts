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

/** The admins' wording of customers' texts per language (directory kind customer_texts). */
@Injectable()
export class CustomerWording {
  constructor(private readonly directory: DirectoryRepository) {}

  async load(manager?: EntityManager): Promise<CustomerTextsByLanguage> {
    const records = await this.directory.list(kindName(DirectoryKind.CUSTOMER_TEXTS), manager);
    const wording: CustomerTextsByLanguage = {};
    for (const record of records) {
      if (record.payload.case !== 'customerTexts') continue;
      wording[customerLanguage(record.id)] = record.payload.value.texts as CustomerTextOverrides;
    }
    return wording;
  }
}
