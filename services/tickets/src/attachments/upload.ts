import {
  BadRequestException,
  PayloadTooLargeException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import busboy from 'busboy';
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import {
  bytesMatchType,
  essence,
  safeFileName,
  type AttachmentStore,
  type StagedFile,
} from '@firstline/attachments';
import { ATTACHMENT_LIMITS, attachmentProblem } from '@firstline/channel';
import type { Channel } from '@firstline/contracts';
import type { MessageFile } from './attachment.repository';

/** The path the console opens a ticket's file at: the digest, the last part of its key. */
export function attachmentPath(ticketId: string, storageKey: string): string {
  const digest = storageKey.slice(storageKey.lastIndexOf('/') + 1);
  return `/api/v1/tickets/${encodeURIComponent(ticketId)}/attachments/${digest}`;
}

/**
 * Streams the one file of a multipart upload into the store: refused as soon as it is larger than
 * the channel takes (what was staged is discarded) or once its first bytes are not its type.
 */
export async function receiveUpload(
  request: IncomingMessage,
  store: AttachmentStore,
  channel: Channel,
): Promise<MessageFile> {
  const limits = ATTACHMENT_LIMITS[channel];
  const none = attachmentProblem(channel, [{ fileName: 'file', contentType: '', sizeBytes: 0 }]);
  if (limits.maxFiles === 0 && none) throw new UnprocessableEntityException(none);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: request.headers,
      // Browsers send the file name as UTF-8 bytes in `filename="…"`; busboy's default is Latin-1.
      defParamCharset: 'utf8',
      limits: { files: 1, fields: 0, fileSize: limits.maxFileBytes },
    });
  } catch {
    throw new BadRequestException('Send the file as multipart/form-data in the field "file"');
  }
  return new Promise<MessageFile>((resolve, reject) => {
    let storing: Promise<MessageFile> | undefined;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || storing) {
        stream.resume();
        return;
      }
      storing = storeUpload(stream, info, store, channel, limits.maxFileBytes);
      storing.catch(() => request.unpipe(parser));
    });
    parser.on('close', () => {
      if (!storing) reject(new BadRequestException('The upload has no file in the field "file"'));
      else storing.then(resolve, reject);
    });
    parser.on('error', () => reject(new BadRequestException('The upload could not be read')));
    request.on('error', () => reject(new BadRequestException('The upload was cut off')));
    request.pipe(parser);
  });
}

async function storeUpload(
  stream: Readable & { truncated?: boolean },
  info: busboy.FileInfo,
  store: AttachmentStore,
  channel: Channel,
  maxFileBytes: number,
): Promise<MessageFile> {
  const fileName = safeFileName(info.filename ?? '');
  const contentType = essence(info.mimeType) || 'application/octet-stream';
  const staged: StagedFile = store.stage();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) await staged.write(chunk);
    if (stream.truncated) {
      const problem = attachmentProblem(channel, [
        { fileName, contentType, sizeBytes: maxFileBytes + 1 },
      ]);
      throw new PayloadTooLargeException(problem);
    }
    if (bytesMatchType(contentType, staged.head) === false) {
      throw new UnsupportedMediaTypeException(
        `${fileName} is not the ${contentType} it says it is`,
      );
    }
    const storageKey = await staged.keep(contentType);
    return { storageKey, fileName, contentType, sizeBytes: staged.sizeBytes };
  } catch (error) {
    stream.resume();
    await staged.discard().catch(() => undefined);
    throw error;
  }
}
