import busboy from 'busboy';
import type { ServerResponse } from 'node:http';
import { renderRejection, Rejection, type WebRequest } from './rejection';

/** A file posted with a form, held in memory (the size limit keeps that small). */
export interface UploadedFile {
  fileName: string;
  contentType: string;
  bytes: Buffer;
}

/** A public request once read: every field as a string, and the files. */
export type ReadRequest = WebRequest & {
  body: Record<string, string>;
  files: UploadedFile[];
  /** Tells Nest's own body parsers, which run later, that the body is read. */
  _body?: boolean;
};

export interface BodyLimits {
  maxBodyBytes: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
}

/**
 * Reads JSON, classic form-encoded and multipart posts to the public API itself, so that every
 * limit is enforced while the bytes arrive and every refusal is a 413 or 400 with a sentence the
 * customer can act on (the generic parsers answer with their own wording, or not at all).
 */
export function readBody(limits: BodyLimits) {
  return (request: ReadRequest, response: ServerResponse, next: (error?: unknown) => void) => {
    if (request.method !== 'POST') return next();
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const refuse = (rejection: Rejection) => {
      // Read the rest so the client sees the answer instead of a reset connection.
      request.unpipe();
      request.resume();
      response.setHeader('connection', 'close');
      renderRejection(request, response, rejection);
    };
    request.files = [];
    request._body = true;
    if (type === 'multipart/form-data') {
      readMultipart(request, limits, refuse, next);
      return;
    }
    if (type !== 'application/json' && type !== 'application/x-www-form-urlencoded') {
      request.body = {};
      return refuse(new Rejection(415, 'unreadable_body'));
    }
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limits.maxBodyBytes) {
      request.body = {};
      return refuse(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes }));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    request.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > limits.maxBodyBytes) {
        refused = true;
        request.body = {};
        refuse(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes }));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (refused) return;
      const raw = Buffer.concat(chunks).toString('utf8');
      const fields = type === 'application/json' ? jsonFields(raw) : formFields(raw);
      if (!fields) {
        request.body = {};
        return refuse(new Rejection(400, 'unreadable_body'));
      }
      request.body = fields;
      next();
    });
    request.on('error', next);
  };
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
  limits: BodyLimits,
  refuse: (rejection: Rejection) => void,
  next: (error?: unknown) => void,
): void {
  const fields: Record<string, string> = {};
  let fieldBytes = 0;
  let refused = false;
  const pending: Array<Promise<void>> = [];
  const stop = (rejection: Rejection) => {
    if (refused) return;
    refused = true;
    request.body = fields;
    refuse(rejection);
  };
  let parser: busboy.Busboy;
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
    request.body = {};
    refuse(new Rejection(400, 'unreadable_body'));
    return;
  }
  parser.on('field', (name, value) => {
    fieldBytes += Buffer.byteLength(value) + name.length;
    if (fieldBytes > limits.maxBodyBytes) {
      stop(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes }));
    }
    fields[name] = value;
  });
  parser.on('file', (_name, stream, info) => {
    if (refused) return stream.resume();
    // An empty file input posts a part without a name; it is no attachment.
    if (!info.filename) return stream.resume();
    if (request.files.length >= limits.maxAttachments) {
      stream.resume();
      return stop(new Rejection(413, 'too_many_attachments', { limit: limits.maxAttachments }));
    }
    const chunks: Buffer[] = [];
    const file: UploadedFile = {
      fileName: info.filename,
      contentType: info.mimeType,
      bytes: Buffer.alloc(0),
    };
    request.files.push(file);
    pending.push(
      new Promise((resolve) => {
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('limit', () =>
          stop(
            new Rejection(413, 'attachment_too_large', {
              file: info.filename,
              limit: limits.maxAttachmentBytes,
            }),
          ),
        );
        stream.on('close', () => {
          file.bytes = Buffer.concat(chunks);
          resolve();
        });
      }),
    );
  });
  parser.on('fieldsLimit', () =>
    stop(new Rejection(413, 'body_too_large', { limit: limits.maxBodyBytes })),
  );
  parser.on('error', () => stop(new Rejection(400, 'unreadable_body')));
  parser.on('close', () => {
    if (refused) return;
    void Promise.all(pending).then(() => {
      if (refused) return;
      request.body = fields;
      next();
    });
  });
  request.pipe(parser);
}
