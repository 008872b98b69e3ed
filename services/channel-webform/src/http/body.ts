import busboy from 'busboy';
import type { Readable } from 'node:stream';
import {
  acceptedFileType,
  bodyKind,
  cleanFileName,
  refusalByHeaders,
  type BodyLimits,
} from '@firstline/webform';
import type { AttachmentStore, StagedFile } from '@firstline/attachments';
import { Rejection, type WebRequest } from './rejection';

/** A file posted with a form, stored part by part as it arrived, its type checked on its first bytes. */
export interface ReceivedFile {
  fileName: string;
  contentType: string;
  upload: StagedFile;
}

/** A public request once read: every field as a string, and the files. */
export type ReadRequest = WebRequest & { body: Record<string, string> };

/** The body limits, and the file types accepted. */
export type ReadLimits = BodyLimits & { attachmentTypes: string[] };

/** Bytes a file's type is judged on: signatures are at the start; text must have no NUL here. */
const HEAD_BYTES = 8192;

export function isUpload(request: WebRequest): boolean {
  return bodyKind(request.headers['content-type']) === 'multipart';
}

/** What the headers alone say is wrong with a post (see refusalByHeaders in libs/webform). */
export function refusalOf(request: WebRequest, limits: BodyLimits): Rejection | undefined {
  const refusal = refusalByHeaders(
    request.headers['content-type'],
    request.headers['content-length'],
    limits,
  );
  return refusal && new Rejection(refusal.status, refusal.problem, refusal.details);
}

/**
 * Reads JSON, classic form-encoded and multipart posts itself, so that every limit is enforced
 * while the bytes arrive and every refusal is a 4xx with a sentence the customer can act on.
 * Files go to the store as they arrive; on a refusal the ones staged so far are discarded.
 */
export async function readBody(
  request: ReadRequest,
  limits: ReadLimits,
  files: { store: AttachmentStore; allowed: boolean },
): Promise<{ fields: Record<string, string>; files: ReceivedFile[] }> {
  request.body = {};
  if (isUpload(request)) {
    const read = await readMultipart(request, limits, files);
    request.body = read.fields;
    return read;
  }
  const raw = await readSmall(request, limits.maxBodyBytes);
  const fields =
    bodyKind(request.headers['content-type']) === 'json' ? jsonFields(raw) : formFields(raw);
  if (!fields) throw new Rejection(400, 'unreadable_body');
  request.body = fields;
  return { fields, files: [] };
}

function readSmall(request: ReadRequest, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        request.off('data', onData);
        request.pause();
        reject(new Rejection(413, 'body_too_large', { limit: maxBytes }));
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
    request.on('close', () => {
      if (!request.complete) reject(new Rejection(400, 'unreadable_body'));
    });
  });
}

function jsonFields(raw: string): Record<string, string> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw || '{}');
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const fields: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) {
    if (typeof value === 'string') fields[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') fields[name] = String(value);
  }
  return fields;
}

function formFields(raw: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(raw));
}

function readMultipart(
  request: ReadRequest,
  limits: ReadLimits,
  files: { store: AttachmentStore; allowed: boolean },
): Promise<{ fields: Record<string, string>; files: ReceivedFile[] }> {
  return new Promise((resolve, reject) => {
    const fields: Record<string, string> = {};
    const received: ReceivedFile[] = [];
    const storing: Array<Promise<void>> = [];
    const streams: Readable[] = [];
    let fieldBytes = 0;
    let refused = false;
    let parser: busboy.Busboy;
    const refuse = (reason: unknown) => {
      if (refused) return;
      refused = true;
      request.unpipe(parser);
      request.pause();
      for (const stream of streams) stream.destroy();
      // Nothing refused is kept; the sweep removes what a failed delete leaves.
      void Promise.allSettled(storing)
        .then(() => Promise.allSettled(received.map((file) => file.upload.discard())))
        .then(() => reject(reason));
    };
    try {
      parser = busboy({
        headers: request.headers,
        limits: {
          fieldSize: limits.maxBodyBytes,
          fields: 100,
          // One more than allowed, so that a post with too many files is told so.
          files: limits.maxAttachments + 1,
          fileSize: limits.maxAttachmentBytes,
        },
      });
    } catch {
      reject(new Rejection(400, 'unreadable_body'));
      return;
    }
    parser.on('field', (name, value) => {
      fieldBytes += Buffer.byteLength(value) + name.length;
      if (fieldBytes > limits.maxBodyBytes) {
        refuse(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes }));
      }
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      // An empty file input posts a part without a name; it is no attachment.
      if (refused || !info.filename) return stream.resume();
      if (!files.allowed || limits.maxAttachments === 0) {
        stream.resume();
        return refuse(new Rejection(400, 'attachments_not_allowed'));
      }
      if (received.length >= limits.maxAttachments) {
        stream.resume();
        return refuse(new Rejection(413, 'too_many_attachments', { limit: limits.maxAttachments }));
      }
      const file: ReceivedFile = {
        fileName: cleanFileName(info.filename),
        contentType: '',
        upload: files.store.stage(),
      };
      received.push(file);
      streams.push(stream);
      storing.push(store(stream, info.mimeType, file, limits).catch(refuse));
    });
    parser.on('fieldsLimit', () =>
      refuse(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes })),
    );
    parser.on('error', () => refuse(new Rejection(400, 'unreadable_body')));
    parser.on('close', () => {
      void Promise.all(storing).then(() => {
        if (!refused) resolve({ fields, files: received });
      });
    });
    request.on('error', refuse);
    // A client gone mid-upload: what it staged is discarded.
    request.on('close', () => {
      if (!request.complete) refuse(new Rejection(400, 'unreadable_body'));
    });
    request.pipe(parser);
  });
}

/**
 * Streams one file into the store: its type is judged on the first bytes (a wrong one is refused
 * before the rest is stored), its size as it grows.
 */
async function store(
  stream: Readable & { truncated?: boolean },
  declaredType: string,
  file: ReceivedFile,
  limits: ReadLimits,
): Promise<void> {
  let head = Buffer.alloc(0);
  const judge = () => {
    const type = acceptedFileType(declaredType, head, limits.attachmentTypes);
    if (!type) {
      throw new Rejection(415, 'attachment_type', {
        file: file.fileName,
        list: limits.attachmentTypes.join(', '),
      });
    }
    file.contentType = type;
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    if (!file.contentType) {
      head = Buffer.concat([head, chunk]).subarray(0, HEAD_BYTES);
      if (head.length >= HEAD_BYTES) judge();
    }
    await file.upload.write(chunk);
  }
  if (stream.truncated) {
    throw new Rejection(413, 'attachment_too_large', {
      file: file.fileName,
      limit: limits.maxAttachmentBytes,
    });
  }
  if (!file.contentType) judge();
  await file.upload.end();
}
