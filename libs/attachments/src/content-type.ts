/** The first bytes of each type we recognise; a file must start the way its type says. */
const SIGNATURES: Record<string, (bytes: Uint8Array) => boolean> = {
  'image/png': (b) => startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  'image/jpeg': (b) => startsWith(b, [0xff, 0xd8, 0xff]),
  'image/gif': (b) => startsWith(b, [0x47, 0x49, 0x46, 0x38]),
  'image/webp': (b) =>
    startsWith(b, [0x52, 0x49, 0x46, 0x46]) && startsWith(b.subarray(8), [0x57, 0x45, 0x42, 0x50]),
  'application/pdf': (b) => startsWith(b, [0x25, 0x50, 0x44, 0x46, 0x2d]),
  'application/zip': (b) => startsWith(b, [0x50, 0x4b, 0x03, 0x04]),
  'application/gzip': (b) => startsWith(b, [0x1f, 0x8b]),
  'audio/ogg': (b) => startsWith(b, [0x4f, 0x67, 0x67, 0x53]),
  'video/mp4': (b) => startsWith(b.subarray(4), [0x66, 0x74, 0x79, 0x70]),
  // Text has no signature; a NUL byte means it is not text.
  'text/plain': (b) => !b.subarray(0, 8192).includes(0),
};

/** Formats that are zip archives inside (office documents): a zip signature is theirs too. */
const ZIP_BASED = /^application\/(vnd\.openxmlformats-|vnd\.oasis\.opendocument\.|epub\+zip)/;

/** Types a browser would run or render as a page on our origin: never served as they say. */
const ACTIVE =
  /^(text\/html|application\/xhtml|image\/svg|text\/xml|application\/xml|text\/javascript|application\/javascript)/;

/**
 * What customers may send where a channel takes uploads from anyone (the web form, live chat)
 * unless configured otherwise: pictures, PDFs and plain text, each proven by its first bytes and
 * none a type a browser would run.
 */
export const CUSTOMER_FILE_TYPES: readonly string[] = [
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
];

/** Pictures the console may show inline, once their bytes prove them. */
const PREVIEWABLE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);

/** `type` without parameters, lower case: "Image/PNG; name=x" → "image/png". */
export function essence(type: string): string {
  return type.split(';')[0].trim().toLowerCase();
}

/** Whether `bytes` start the way `type` says; undefined when we know no signature of `type`. */
export function bytesMatchType(type: string, bytes: Uint8Array): boolean | undefined {
  const check = SIGNATURES[essence(type)];
  return check ? check(bytes) : undefined;
}

/** The binary type the first bytes prove, if any (text is never proven by its bytes). */
export function sniffContentType(bytes: Uint8Array): string | undefined {
  return Object.keys(SIGNATURES).find((type) => type !== 'text/plain' && SIGNATURES[type](bytes));
}

/**
 * The type to serve a stored file with: the stored type when the bytes agree with it, or it is
 * one we cannot check and the bytes are not another known format; application/octet-stream when
 * they disagree, and for types a browser would run as a page (HTML, SVG, XML, scripts).
 */
export function servedContentType(storedType: string, head: Uint8Array): string {
  const type = essence(storedType);
  if (!type || ACTIVE.test(type)) return 'application/octet-stream';
  const matches = bytesMatchType(type, head);
  if (matches !== undefined) return matches ? type : 'application/octet-stream';
  const sniffed = sniffContentType(head);
  if (sniffed && !(sniffed === 'application/zip' && ZIP_BASED.test(type))) {
    return 'application/octet-stream';
  }
  return type;
}

/** Whether a file served as `servedType` is shown in the page rather than downloaded. */
export function isPreviewable(servedType: string): boolean {
  return PREVIEWABLE.has(servedType);
}

/**
 * The Content-Disposition of a download (RFC 6266): inline for previewable pictures, attachment
 * otherwise, with an ASCII `filename` for old clients and the exact name in `filename*` (RFC 8187).
 */
export function contentDisposition(servedType: string, fileName: string): string {
  const kind = isPreviewable(servedType) ? 'inline' : 'attachment';
  const name = safeFileName(fileName);
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encodeRfc8187(name)}`;
}

/** A file name safe to show and to put in a header: no paths, no control characters. */
export function safeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = [...base]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f && c !== '"')
    .join('')
    .trim()
    .slice(0, 200);
  return clean || 'file';
}

function encodeRfc8187(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*!]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((value, index) => bytes[index] === value);
}
