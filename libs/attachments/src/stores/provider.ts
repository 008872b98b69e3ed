import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ATTACHMENT_STORE } from '../store';
import { createAttachmentStore, loadAttachmentStoreConfig } from './config';

/** The configured store for a Nest module, on the service's own database connection. */
export const attachmentStoreProvider: Provider = {
  provide: ATTACHMENT_STORE,
  useFactory: (dataSource: DataSource) =>
    createAttachmentStore(loadAttachmentStoreConfig(), dataSource),
  inject: [DataSource],
};
