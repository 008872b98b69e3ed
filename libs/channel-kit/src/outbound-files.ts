import type { Provider } from '@nestjs/common';
import { ATTACHMENT_STORE, readWhole, type AttachmentStore } from '@firstline/attachments';
import { attachmentStoreProvider } from '@firstline/attachments/stores';
import type { Attachment } from '@firstline/contracts';
import { BadInputError, PermanentError, RetryableError } from '@firstline/errors';

/** An outbound attachment's bytes with the name and type to send them under. */
export interface AttachmentFile {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
}

/**
 * Reads the bytes kept under a storage key in Firstline's attachment store. Rejects with a
 * PermanentError when the key is not there (it will not appear by retrying) and with any other
 * error when the store cannot be reached now (retried).
 */
export type ReadAttachment = (storageKey: string) => Promise<AttachmentFile>;

/** The Nest token under which a channel service receives its ReadAttachment. */
export const READ_ATTACHMENT = 'firstline.ReadAttachment';

/**
 * Where a channel service's module gets its ReadAttachment: the function itself, or Nest
 * providers of which one provides READ_ATTACHMENT (a store that is a provider of its own, with a
 * factory reading from it).
 */
export type AttachmentSource = ReadAttachment | Provider[];

/** The providers that give a module READ_ATTACHMENT from `source`. */
export function attachmentReaderProviders(source: AttachmentSource): Provider[] {
  return Array.isArray(source) ? source : [{ provide: READ_ATTACHMENT, useValue: source }];
}

/** A ReadAttachment over Firstline's attachment store (docs/adr/0022). */
export function readFromStore(store: AttachmentStore): ReadAttachment {
  return async (storageKey) => {
    const file = await store.open(storageKey);
    if (!file) throw new PermanentError(`attachment ${storageKey} is not in the attachment store`);
    return { fileName: '', contentType: file.contentType, bytes: await readWhole(file) };
  };
}

/** The configured attachment store and, over it, READ_ATTACHMENT: what a channel service's senders upload. */
export const storedAttachments: Provider[] = [
  attachmentStoreProvider,
  { provide: READ_ATTACHMENT, inject: [ATTACHMENT_STORE], useFactory: readFromStore },
];

/** How long fetching a file by its URL may take before the attempt counts as failed. */
const FETCH_TIMEOUT_MS = 30_000;

/**
 * The bytes of one outbound attachment: from the attachment store by its storage key, or, for an
 * attachment that was never copied into the store, fetched from its URL. The message's name and
 * type win over the store's (they are what the agent attached); a URL that answers 4xx will not
 * answer better later, so that is permanent, while 5xx and network errors are retried.
 */
export async function readOutboundFile(
  attachment: Attachment,
  readAttachment: ReadAttachment,
): Promise<AttachmentFile> {
  if (attachment.storageKey) {
    const stored = await readAttachment(attachment.storageKey);
    return {
      fileName: attachment.fileName || stored.fileName,
      contentType: attachment.contentType || stored.contentType,
      bytes: stored.bytes,
    };
  }
  if (!attachment.url) {
    throw new BadInputError(
      `attachment "${attachment.fileName}" has neither a storage key nor a URL to read it from`,
    );
  }
  const response = await fetch(attachment.url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (response.status >= 400 && response.status < 500) {
    throw new PermanentError(
      `attachment "${attachment.fileName}" cannot be fetched: HTTP ${response.status}`,
    );
  }
  if (!response.ok) {
    throw new RetryableError(
      `fetching attachment "${attachment.fileName}" answered HTTP ${response.status}`,
    );
  }
  return {
    fileName: attachment.fileName || 'file',
    contentType:
      attachment.contentType || response.headers.get('content-type') || 'application/octet-stream',
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/**
 * Refuses a file above a platform's limit once its real size is known: the size the message
 * declared is checked when it is rendered, but the bytes are what the platform counts.
 */
export function assertWithinLimit(file: AttachmentFile, limitBytes: number, what: string): void {
  if (file.bytes.length > limitBytes) {
    throw new PermanentError(
      `"${file.fileName}" is ${formatBytes(file.bytes.length)}; ${what} take at most ${formatBytes(limitBytes)}`,
    );
  }
}

/** 10 MB, 1.5 MB, 800 bytes: sizes in the words platforms state their limits in. */
export function formatBytes(bytes: number): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${Number(mb.toFixed(1))} MB`;
  return bytes >= 1024 ? `${Number((bytes / 1024).toFixed(1))} KB` : `${bytes} bytes`;
}
