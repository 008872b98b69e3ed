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
import { ATTACHMENT_LIMITS, attachmentProblem, oversizeProblem } from '@firstline/channel';
import type { Channel } from '@firstline/contracts';

/** A file uploaded for a message and kept in the attachment store. */
export interface UploadedFile {
  storageKey: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

export interface UploadOptions {
  /** The declared types taken (without parameters); every type when absent. */
  allowedTypes?: readonly string[];
}

/**
 * Streams the one file of a multipart upload (field `file`) into the store, for a message of
 * `channel`: refused with 413 as soon as it is larger than the channel takes (what was staged is
 * discarded), with 415 for a type not allowed or first bytes that are not its type, with 422 for
 * a channel that carries no files. Used by agents' uploads (tickets) and visitors' (live chat).
 */
export async function receiveUpload(
  request: IncomingMessage,
  store: AttachmentStore,
  channel: Channel,
  options: UploadOptions = {},
): Promise<UploadedFile> {
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
  return new Promise<UploadedFile>((resolve, reject) => {
    let storing: Promise<UploadedFile> | undefined;
    parser.on('file', (field, stream, info) => {
      if (field !== 'file' || storing) {
        stream.resume();
        return;
      }
      storing = storeUpload(stream, info, store, channel, options);
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
  options: UploadOptions,
): Promise<UploadedFile> {
  const fileName = safeFileName(info.filename ?? '');
  const contentType = essence(info.mimeType) || 'application/octet-stream';
  if (options.allowedTypes && !options.allowedTypes.includes(contentType)) {
    stream.resume();
    throw new UnsupportedMediaTypeException(
      `${fileName} is ${contentType}; this channel takes ${options.allowedTypes.join(', ')}`,
    );
  }
  const staged: StagedFile = store.stage();
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) await staged.write(chunk);
    if (stream.truncated) {
      throw new PayloadTooLargeException(oversizeProblem(channel, fileName));
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
