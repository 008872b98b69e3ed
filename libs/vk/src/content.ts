import { fileAttachment } from '@firstline/channel';
import type { Attachment } from '@firstline/contracts';
import type { VkAttachment, VkAudioMessage, VkDoc, VkMessage, VkPhoto } from './vk-api';

/**
 * What a VK message shows, as the text an agent reads and the files they open: the customer's own
 * words and attachments first, then the message they replied to and the messages they forwarded,
 * quoted ("> ") under a line that says whose they were. Attachments that are not files (videos,
 * links, wall posts) become a line with their title and a link to them on VK.
 */
export interface MessageContent {
  /** The customer's own text and the lines for their own attachments and location. */
  own: string;
  /** `own`, then the quoted reply and the quoted forwarded messages. */
  full: string;
  /** Files of the message and of everything it forwards. */
  attachments: Attachment[];
  /** Facts for display and rules (sticker id, coordinates). */
  metadata: Record<string, string>;
}

/** Names of VK users by id, as users.get gave them; display only. */
export type UserNames = ReadonlyMap<number, string>;

export function contentOf(message: VkMessage, names: UserNames): MessageContent {
  const metadata: Record<string, string> = {};
  const own = body(message, metadata);
  const ownText = own.lines.join('\n');
  const blocks = [ownText];
  const attachments = [...own.files];
  if (message.reply_message) {
    // The replied-to message is usually in the ticket already: its files are named, not copied.
    const reply = body(message.reply_message, {});
    blocks.push(quoted(`In reply to ${authorOf(message.reply_message, names)}:`, reply, 1));
  }
  for (const forwarded of message.fwd_messages ?? []) {
    blocks.push(forwardBlock(forwarded, names, attachments, 1));
  }
  return { own: ownText, full: blocks.filter(Boolean).join('\n\n'), attachments, metadata };
}

/** Every user a message names as an author (its forwards' and reply's), for users.get. */
export function authorsIn(message: VkMessage): number[] {
  const nested = [...(message.fwd_messages ?? []), message.reply_message].filter(
    (inner): inner is VkMessage => inner !== undefined,
  );
  return nested
    .flatMap((inner) => [inner.from_id ?? 0, ...authorsIn(inner)])
    .filter((id) => id > 0);
}

interface Body {
  lines: string[];
  files: Attachment[];
}

/** A message's own text, attachments and location; forwards and replies are not part of it. */
function body(message: VkMessage, metadata: Record<string, string>): Body {
  const lines = message.text ? [message.text] : [];
  const files: Attachment[] = [];
  for (const attachment of message.attachments ?? []) {
    const shown = show(attachment, metadata);
    files.push(...shown.files);
    lines.push(...shown.lines);
  }
  if (message.geo) lines.push(locationLine(message.geo, metadata));
  return { lines, files };
}

function forwardBlock(
  message: VkMessage,
  names: UserNames,
  attachments: Attachment[],
  depth: number,
): string {
  const own = body(message, {});
  attachments.push(...own.files);
  const heading = `Forwarded message from ${authorOf(message, names)}${dateOf(message)}:`;
  const nested = (message.fwd_messages ?? []).map((inner) =>
    forwardBlock(inner, names, attachments, depth + 1),
  );
  return [quoted(heading, own, depth), ...nested].join('\n');
}

/** A heading and a body quoted one level deeper per depth; files are named where they were. */
function quoted(heading: string, { lines, files }: Body, depth: number): string {
  const prefix = '> '.repeat(depth);
  const quotedLines = [...lines, ...files.map(named)].flatMap((line) =>
    line.split('\n').map((part) => `${prefix}${part}`),
  );
  return ['> '.repeat(depth - 1) + heading, ...quotedLines].join('\n');
}

/** `Name (id123)`, `id123` when users.get did not name them, `club456` for a community. */
function authorOf(message: VkMessage, names: UserNames): string {
  const id = message.from_id;
  if (id === undefined) return 'an unknown sender';
  if (id < 0) return `the community club${-id}`;
  const name = names.get(id);
  return name ? `${name} (id${id})` : `id${id}`;
}

function dateOf(message: VkMessage): string {
  if (!message.date) return '';
  return `, ${new Date(message.date * 1000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface Shown {
  files: Attachment[];
  lines: string[];
}

const named = (file: Attachment) => `[file: ${file.fileName}]`;

/** One attachment as a file to open, a line to read, or both (a voice message and its transcript). */
function show(attachment: VkAttachment, metadata: Record<string, string>): Shown {
  const item = (attachment[attachment.type] ?? {}) as Record<string, unknown>;
  const ref = `${String(item.owner_id)}_${String(item.id)}`;
  const title = (value: unknown) => (typeof value === 'string' && value ? `: ${value}` : '');
  switch (attachment.type) {
    case 'photo':
      return photo(item as unknown as VkPhoto);
    case 'doc':
      return doc(item as unknown as VkDoc);
    case 'graffiti':
      return typeof item.url === 'string'
        ? { files: [file(item.url, `graffiti${ref}.png`, 'image/png')], lines: [] }
        : line('[graffiti]');
    case 'audio_message':
      return voice(item as unknown as VkAudioMessage);
    case 'sticker':
      if (item.sticker_id !== undefined) metadata.sticker_id = String(item.sticker_id);
      return line('[sticker]');
    case 'video':
      return line(
        `[video${title(item.title)}${duration(item.duration)} — https://vk.com/video${ref}]`,
      );
    case 'audio': {
      const name = [item.artist, item.title].filter(Boolean).join(' — ');
      return line(`[audio${title(name)}${duration(item.duration)} — https://vk.com/audio${ref}]`);
    }
    case 'link':
      return line(`[link${title(item.title)} — ${String(item.url)}]`);
    case 'wall':
      return wallPost(item, metadata);
    case 'wall_reply':
      return {
        files: [],
        lines: [
          `[comment on a wall post — https://vk.com/wall${String(item.owner_id)}_${String(item.post_id)}?reply=${String(item.id)}]`,
          ...quote(item.text),
        ],
      };
    case 'market':
      return line(`[product${title(item.title)} — https://vk.com/product${ref}]`);
    case 'story':
      return line(`[story — https://vk.com/story${ref}]`);
    case 'poll':
      return line(`[poll${title(item.question)}]`);
    case 'article':
      return line(`[article${title(item.title)} — ${String(item.url)}]`);
    default:
      return line(`[${attachment.type}]`);
  }
}

const line = (text: string): Shown => ({ files: [], lines: [text] });
const quote = (text: unknown): string[] =>
  typeof text === 'string' && text ? text.split('\n').map((part) => `> ${part}`) : [];

function photo(photo: VkPhoto): Shown {
  const usable = (photo.sizes ?? []).filter((size) => size.url);
  if (usable.length === 0) return line('[photo: VK sent no link to it]');
  const largest = usable.reduce((best, size) =>
    size.width * size.height > best.width * best.height ? size : best,
  );
  return {
    files: [file(largest.url!, `photo${photo.owner_id}_${photo.id}.jpg`, 'image/jpeg')],
    lines: [],
  };
}

function doc(doc: VkDoc): Shown {
  const name = doc.title || `doc${doc.owner_id}_${doc.id}`;
  if (!doc.url) return line(`[document: ${name}, without a link]`);
  const shown = file(
    doc.url,
    name,
    DOC_TYPES[(doc.ext ?? '').toLowerCase()] ?? 'application/octet-stream',
  );
  if (doc.size) shown.sizeBytes = doc.size;
  return { files: [shown], lines: [] };
}

function voice(voice: VkAudioMessage): Shown {
  const url = voice.link_ogg ?? voice.link_mp3;
  const transcript = voice.transcript
    ? [`[voice message${duration(voice.duration)}: "${voice.transcript}"]`]
    : [];
  if (!url) return { files: [], lines: transcript.length ? transcript : ['[voice message]'] };
  const ogg = url === voice.link_ogg;
  return {
    files: [
      file(
        url,
        `voice${voice.owner_id}_${voice.id}.${ogg ? 'ogg' : 'mp3'}`,
        ogg ? 'audio/ogg' : 'audio/mpeg',
      ),
    ],
    lines: transcript,
  };
}

/** A shared wall post: its link, its text quoted, and what it carries. */
function wallPost(post: Record<string, unknown>, metadata: Record<string, string>): Shown {
  const owner = post.owner_id ?? post.to_id ?? post.from_id;
  const lines = [`[wall post — https://vk.com/wall${String(owner)}_${String(post.id)}]`];
  const files: Attachment[] = [];
  const carried = [post.text].filter(Boolean) as string[];
  for (const inner of (post.attachments as VkAttachment[] | undefined) ?? []) {
    const shown = show(inner, metadata);
    files.push(...shown.files);
    carried.push(...shown.lines, ...shown.files.map(named));
  }
  lines.push(...carried.flatMap(quote));
  return { files, lines };
}

function file(url: string, fileName: string, contentType: string): Attachment {
  return fileAttachment({ url, fileName, contentType });
}

/** `, 3:20` for 200 seconds; nothing when VK did not say. */
function duration(seconds: unknown): string {
  if (typeof seconds !== 'number' || seconds <= 0) return '';
  return `, ${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

function locationLine(
  geo: NonNullable<VkMessage['geo']>,
  metadata: Record<string, string>,
): string {
  const coordinates =
    typeof geo.coordinates === 'string'
      ? geo.coordinates.trim().split(/\s+/).map(Number)
      : [geo.coordinates?.latitude, geo.coordinates?.longitude];
  const [latitude, longitude] = coordinates;
  const place = geo.place?.title ? ` (${decodeEntities(geo.place.title)})` : '';
  if (!Number.isFinite(latitude) || !Number.isFinite(longitude)) return `[location${place}]`;
  metadata.geo_latitude = String(latitude);
  metadata.geo_longitude = String(longitude);
  return `[location: ${latitude}, ${longitude}${place}]`;
}

/** Older events escape place names as HTML ("N&#225;m&#283;st&#237;"). */
function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, entity: string) => {
    if (entity[0] !== '#') return named[entity.toLowerCase()] ?? whole;
    const code =
      entity[1] === 'x' || entity[1] === 'X'
        ? parseInt(entity.slice(2), 16)
        : Number(entity.slice(1));
    return Number.isInteger(code) && code > 0 && code <= 0x10ffff
      ? String.fromCodePoint(code)
      : whole;
  });
}

/** VK names a document's type only by its extension. */
const DOC_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};
