/** File types a form accepts unless configured otherwise: pictures, PDFs and plain text. */
export const DEFAULT_ALLOWED_TYPES = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
];

/** The first bytes of each type we can recognise; a file must start the way its type says. */
const SIGNATURES: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]),
  'image/webp': (b) =>
    startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
  'application/pdf': (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  // Text has no signature; a NUL byte means it is not text.
  'text/plain': (b) => !b.subarray(0, 8192).includes(0),
};

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
  const type = declaredType.split(';')[0].trim().toLowerCase();
  if (!allowedTypes.includes(type)) return undefined;
  const looksRight = SIGNATURES[type];
  // A type configured beyond the known ones is taken on the browser's word.
  if (looksRight && !looksRight(bytes)) return undefined;
  return type;
}

/** A file name safe to show and to use in a download header: no paths, no control characters. */
export function cleanFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join('')
    .trim()
    .slice(0, 200);
  return clean || 'file';
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}
