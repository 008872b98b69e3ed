import type { ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { contentDisposition, servedContentType } from './content-type';
import type { StoredFile } from './store';

/**
 * Sends a stored file as a download: its stored type only when the first bytes agree
 * (`servedContentType`), never sniffed by the browser, inline only for proven pictures, part by
 * part as stored so that a large file is never whole in memory.
 */
export async function sendStoredFile(
  response: ServerResponse,
  file: StoredFile,
  fileName: string,
): Promise<void> {
  const parts = file.content()[Symbol.asyncIterator]();
  const first = await parts.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const type = servedContentType(file.contentType, head);
  response.setHeader('content-type', type);
  response.setHeader('content-length', String(file.sizeBytes));
  response.setHeader('content-disposition', contentDisposition(type, fileName));
  response.setHeader('x-content-type-options', 'nosniff');
  // A file someone uploaded must not run scripts even when opened on our origin.
  response.setHeader('content-security-policy', "default-src 'none'; img-src 'self'; sandbox");
  response.setHeader('cache-control', 'private, max-age=3600');
  async function* all(): AsyncIterable<Buffer> {
    if (!first.done) yield head;
    for (let next = await parts.next(); !next.done; next = await parts.next()) yield next.value;
  }
  // A client that goes away mid-download ends the stream; there is nobody left to tell.
  await pipeline(Readable.from(all()), response).catch(() => undefined);
}
