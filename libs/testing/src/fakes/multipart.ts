/**
 * multipart/form-data (RFC 7578) as the platforms' servers read it, for the fakes: each part's
 * name, file name, content type and bytes. Header parameters are read quoted or bare (grammY
 * writes `filename=` unquoted, browsers and undici quoted).
 */
export interface FormPart {
  name: string;
  /** Set for a file part. */
  fileName?: string;
  contentType?: string;
  bytes: Buffer;
}

export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!contentType?.toLowerCase().startsWith('multipart/form-data') || !boundary) {
    throw new Error('not multipart/form-data with a boundary');
  }
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: FormPart[] = [];
  let at = body.indexOf(delimiter);
  if (at < 0) throw new Error('the body has no part');
  for (;;) {
    const start = at + delimiter.length;
    if (body.subarray(start, start + 2).toString() === '--') return parts;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new Error('the body ends inside a part');
    // Each part: CRLF, headers, CRLF CRLF, content, CRLF before the next delimiter.
    const part = body.subarray(start + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd < 0) throw new Error('a part has no header end');
    const headers = new Map(
      part
        .subarray(0, headerEnd)
        .toString('utf8')
        .split('\r\n')
        .map((line) => {
          const colon = line.indexOf(':');
          return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
        }),
    );
    const disposition = headers.get('content-disposition') ?? '';
    const name = parameter(disposition, 'name');
    if (name === undefined) throw new Error('a part has no name');
    const fileName = parameter(disposition, 'filename');
    parts.push({
      name,
      ...(fileName !== undefined ? { fileName } : {}),
      ...(headers.has('content-type') ? { contentType: headers.get('content-type') } : {}),
      bytes: Buffer.from(part.subarray(headerEnd + 4)),
    });
    at = next;
  }
}

function parameter(header: string, name: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${name}=(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, 'i').exec(
    header,
  );
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
}
