import type { Problem, ProblemDetails } from './messages';

/** How much a public post may carry. */
export interface BodyLimits {
  /** JSON or form-encoded bodies, or the fields of a multipart post. */
  maxBodyBytes: number;
  maxAttachmentBytes: number;
  maxAttachments: number;
}

/** Room for a multipart post's boundaries and part headers beyond its fields and files. */
export const MULTIPART_OVERHEAD_BYTES = 64 * 1024;

/** The media types the public API reads. */
export type BodyKind = 'json' | 'form' | 'multipart';

export function bodyKind(contentType: string | undefined): BodyKind | undefined {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  if (type === 'multipart/form-data') return 'multipart';
  return undefined;
}

/**
 * What the headers alone say is wrong with a post, before a byte of its body is read: a type we
 * cannot read (415), or a declared length beyond what the limits could ever accept (413) — for a
 * multipart post, the fields, every file at its limit and the part headers. A post without a
 * length (chunked) is held to the limits while it is read.
 */
export function refusalByHeaders(
  contentType: string | undefined,
  contentLength: string | undefined,
  limits: BodyLimits,
): { status: 413 | 415; problem: Problem; details: ProblemDetails } | undefined {
  const kind = bodyKind(contentType);
  if (!kind) return { status: 415, problem: 'unreadable_body', details: {} };
  const largest =
    kind === 'multipart'
      ? limits.maxBodyBytes +
        limits.maxAttachments * limits.maxAttachmentBytes +
        MULTIPART_OVERHEAD_BYTES
      : limits.maxBodyBytes;
  if (Number(contentLength ?? 0) > largest) {
    return { status: 413, problem: 'body_too_large', details: { limit: largest } };
  }
  return undefined;
}
