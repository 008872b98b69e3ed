import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createAttachmentStore, loadAttachmentStoreConfig } from './config';

/** Injection token of the service's AttachmentStore. */
export const ATTACHMENT_STORE = Symbol('AttachmentStore');

/** The configured store for a Nest module, on the service's own database connection. */
export const attachmentStoreProvider: Provider = {
  provide: ATTACHMENT_STORE,
  useFactory: (dataSource: DataSource) =>
    createAttachmentStore(loadAttachmentStoreConfig(), dataSource),
  inject: [DataSource],
};
