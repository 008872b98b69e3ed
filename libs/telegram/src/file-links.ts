import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Links to files customers sent, as stored in tickets for agents. A file's bytes stay with
 * Telegram and the adapter fetches them on demand; the link is signed with a key only the adapter
 * holds and expires, so a link that leaks (a forwarded ticket, a log) does not open the file for
 * ever, and nobody can fetch a file by guessing or changing its id.
 */

/** What a file link names, all of it signed. */
export interface FileLinkClaims {
  bot: string;
  fileId: string;
  /** The name the file is downloaded under. */
  fileName: string;
  /** Unix seconds after which the link answers 410. */
  expires: number;
}

/**
 * A bot's signing key, derived from its token: only the adapter's replicas know it, and a new
 * token (after a leak) retires every link signed with the old one.
 */
export function fileLinkKey(token: string): Buffer {
  return createHmac('sha256', token).update('firstline telegram file links').digest();
}

export function fileLink(baseUrl: string, claims: FileLinkClaims, key: Uint8Array): string {
  const query = new URLSearchParams({
    name: claims.fileName,
    expires: String(claims.expires),
    signature: signature(claims, key),
  });
  return `${baseUrl}/telegram/${encodeURIComponent(claims.bot)}/files/${encodeURIComponent(claims.fileId)}?${query}`;
}

export type FileLinkVerdict =
  { kind: 'valid'; fileName: string } | { kind: 'expired' } | { kind: 'forged'; reason: string };

/** Checks a request for a file link: signed by us first (403 if not), then not expired (410). */
export function verifyFileLink(
  request: {
    bot: string;
    fileId: string;
    name?: string;
    expires?: string;
    signature?: string;
  },
  key: Uint8Array,
  now: Date,
): FileLinkVerdict {
  const { name, expires, signature: given } = request;
  if (!name || !expires || !/^\d{1,12}$/.test(expires) || !given) {
    return { kind: 'forged', reason: 'the link is not signed' };
  }
  const claims = { bot: request.bot, fileId: request.fileId, fileName: name, expires: +expires };
  const expected = Buffer.from(signature(claims, key));
  const received = Buffer.from(given);
  if (expected.length !== received.length || !timingSafeEqual(expected, received)) {
    return { kind: 'forged', reason: 'the link was changed or signed with another key' };
  }
  if (now.getTime() > claims.expires * 1000) return { kind: 'expired' };
  return { kind: 'valid', fileName: name };
}

function signature(claims: FileLinkClaims, key: Uint8Array): string {
  return createHmac('sha256', key)
    .update([claims.bot, claims.fileId, claims.fileName, claims.expires].join('\n'))
    .digest('base64url');
}

/** Types a browser may show in place: pictures, sound and video, which run no script. */
const SHOWN_IN_PLACE: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
};

/**
 * How the adapter serves a file: the type from an allow-list by the file's extension, never
 * Telegram's word (a customer's .html or .svg must not run as a page on our origin); anything
 * else is a download of bytes.
 */
export function servedFile(fileName: string): { contentType: string; disposition: string } {
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? '';
  const shown = SHOWN_IN_PLACE[extension];
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  const names = `filename="${ascii}"; filename*=UTF-8''${encoded}`;
  return shown
    ? { contentType: shown, disposition: `inline; ${names}` }
    : { contentType: 'application/octet-stream', disposition: `attachment; ${names}` };
}
