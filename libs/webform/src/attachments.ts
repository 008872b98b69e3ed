import { bytesMatchType, CUSTOMER_FILE_TYPES, essence, safeFileName } from '@firstline/attachments';

/** File types a form accepts unless configured otherwise: pictures, PDFs and plain text. */
export const DEFAULT_ALLOWED_TYPES = [...CUSTOMER_FILE_TYPES];

/**
 * The type of an uploaded file when it is one the form accepts: the browser's declared type must
 * be allowed and the bytes must look like it, so a renamed executable is not passed on as a PDF.
 * Undefined when it is refused.
 */
export function acceptedFileType(
  declaredType: string,
  bytes: Uint8Array,
  allowedTypes: readonly string[],
): string | undefined {
  const type = essence(declaredType);
  if (!allowedTypes.includes(type)) return undefined;
  // A type configured beyond the known ones is taken on the browser's word.
  if (bytesMatchType(type, bytes) === false) return undefined;
  return type;
}

/** A file name safe to show and to use in a download header: no paths, no control characters. */
export const cleanFileName = safeFileName;
