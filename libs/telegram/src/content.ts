import { BadInputError } from '@firstline/errors';
import type { Chat, Message, MessageEntity, User } from 'grammy/types';

/**
 * What a Telegram message carries, as an agent reads it: the customer's words with every link
 * spelled out, then one line per non-text part (a venue's address and map link, a poll's options,
 * a voice message's length), and the files. Pure: the caller turns `files` into links.
 *
 * Payloads are read defensively: relays and other clients send JSON `null` for absent fields, and
 * a field the Bot API requires may be missing. A missing required field throws BadInputError,
 * which `normalise` turns into a rejection.
 */
export interface MessageContent {
  /** What the message mainly is (text, photo, venue…), for display and rules. */
  kind: string;
  /** The customer's words followed by what the other parts are, one per line. */
  text: string;
  /** Only what the customer typed (text or caption), links spelled out. */
  words: string;
  files: ReceivedFile[];
  /** Phone numbers of contacts the message shares, with whose they are. */
  contacts: SharedContact[];
  metadata: Record<string, string>;
}

/** A file Telegram holds for us, to be linked through the adapter's file route. */
export interface ReceivedFile {
  fileId: string;
  fileName: string;
  contentType: string;
  sizeBytes: number;
}

export interface SharedContact {
  name: string;
  /** E.164, or undefined when the number is not one (a local or service number). */
  phone: string | undefined;
  userId: number | undefined;
}

interface Part {
  kind: string;
  description?: string;
  file?: ReceivedFile;
  contact?: SharedContact;
  metadata?: Record<string, string>;
}

/** A message, or what an external reply carries of one: the same fields under the same names. */
type MessageLike = Partial<Message>;

export function messageContent(message: MessageLike): MessageContent {
  const parts = partsOf(message);
  const words = wordsOf(message);
  const descriptions = parts.flatMap((part) => (part.description ? [part.description] : []));
  const unknown = !words && parts.length === 0;
  return {
    kind: parts[0]?.kind ?? (unknown ? 'unsupported' : 'text'),
    // Recorded even when nothing in it is readable, so the customer is not ignored.
    text: unknown
      ? '[a kind of Telegram message Firstline cannot show yet]'
      : [words, ...descriptions].filter(Boolean).join('\n'),
    words,
    files: parts.flatMap((part) => (part.file ? [part.file] : [])),
    contacts: parts.flatMap((part) => (part.contact ? [part.contact] : [])),
    metadata: Object.assign({}, ...parts.map((part) => part.metadata ?? {})),
  };
}

/** A short account of a message for quoting it: its words, else what it is. */
export function summaryOf(message: MessageLike): string {
  const content = messageContent(message);
  return content.words || content.text || `[${content.kind}]`;
}

/** The sender's name as people see it in Telegram. */
export function userName(user: Partial<User> | null | undefined): string {
  const name = [user?.first_name, user?.last_name].filter(Boolean).join(' ');
  if (name) return name;
  return user?.username ? `@${user.username}` : `user ${user?.id ?? 'unknown'}`;
}

/** What a chat says about itself; which of these fields it has depends on its type. */
interface ChatNames {
  id?: number;
  title?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
}

/** A chat's title, or its other party's name for a private chat, with its public @username. */
export function chatName(chat: ChatNames | Chat | null | undefined): string {
  const names = (chat ?? {}) as ChatNames;
  const title = names.title || [names.first_name, names.last_name].filter(Boolean).join(' ');
  const username = names.username ? `@${names.username}` : '';
  if (title && username) return `${title} (${username})`;
  return title || username || `chat ${names.id ?? 'unknown'}`;
}

/**
 * The text or caption with the URL of every `text_link` entity after its label: such a link's
 * target is not in the text at all ("see the invoice" linking to the shop), and the agent needs it.
 */
function wordsOf(message: MessageLike): string {
  if (typeof message.text === 'string') return withLinks(message.text, message.entities);
  if (typeof message.caption === 'string')
    return withLinks(message.caption, message.caption_entities);
  return '';
}

function withLinks(text: string, entities: MessageEntity[] | null | undefined): string {
  const seen = new Set<string>();
  const links = (entities ?? [])
    .flatMap((entity) =>
      entity?.type === 'text_link' && typeof entity.url === 'string'
        ? [
            {
              end: entity.offset + entity.length,
              label: text.slice(entity.offset, entity.offset + entity.length),
              url: entity.url,
            },
          ]
        : [],
    )
    .filter(({ end, label, url }) => {
      const key = `${end}:${url}`;
      if (seen.has(key) || !Number.isInteger(end) || end > text.length) return false;
      seen.add(key);
      return !sameUrl(label, url);
    })
    // From the end, so the offsets (UTF-16 code units, as JavaScript counts) still hold.
    .sort((a, b) => b.end - a.end);
  let result = text;
  for (const { end, url } of links) result = `${result.slice(0, end)} (${url})${result.slice(end)}`;
  return result;
}

function sameUrl(label: string, url: string): boolean {
  const bare = (value: string) =>
    value
      .trim()
      .replace(/^https?:\/\//, '')
      .replace(/\/$/, '');
  return bare(label) === bare(url);
}

/** Every part of the message besides its text, in the order the Bot API lists the fields. */
function partsOf(message: MessageLike): Part[] {
  const stem = (file: { file_unique_id?: string | null; file_id: string }) =>
    file.file_unique_id || String(message.message_id ?? file.file_id.slice(-12));
  const parts: Part[] = [];
  const add = (part: Part) => parts.push(part);

  const { animation } = message;
  if (animation) {
    add({
      kind: 'animation',
      file: received(
        animation,
        animation.file_name ?? `animation-${stem(animation)}.mp4`,
        animation.mime_type ?? 'video/mp4',
      ),
    });
  }
  const { audio } = message;
  if (audio) {
    const title = [audio.performer, audio.title].filter(Boolean).join(' – ');
    add({
      kind: 'audio',
      description: `Audio${title ? `: ${title}` : ''} (${duration(audio.duration)})`,
      file: received(
        audio,
        audio.file_name ?? `audio-${stem(audio)}.mp3`,
        audio.mime_type ?? 'audio/mpeg',
      ),
    });
  }
  const { document } = message;
  // A GIF comes as an animation and as a document of the same file: one attachment is enough.
  if (document && document.file_id !== animation?.file_id) {
    add({
      kind: 'document',
      file: received(
        document,
        document.file_name ?? `document-${stem(document)}`,
        document.mime_type ?? 'application/octet-stream',
      ),
    });
  }
  const { photo } = message;
  if (Array.isArray(photo) && photo.length > 0) {
    // Telegram sends every size it made; the last is the original resolution.
    const largest = photo[photo.length - 1];
    add({ kind: 'photo', file: received(largest, `photo-${stem(largest)}.jpg`, 'image/jpeg') });
  }
  const { sticker } = message;
  if (sticker) {
    // Animated stickers are Lottie files no browser shows; static and video ones are plain media.
    const file = sticker.is_animated
      ? undefined
      : sticker.is_video
        ? received(sticker, `sticker-${stem(sticker)}.webm`, 'video/webm')
        : received(sticker, `sticker-${stem(sticker)}.webp`, 'image/webp');
    add({
      kind: 'sticker',
      description: `Sticker${sticker.emoji ? ` ${sticker.emoji}` : ''}`,
      file,
    });
  }
  const { story } = message;
  if (story) {
    const { username } = (story.chat ?? {}) as ChatNames;
    const link = username ? ` https://t.me/${username}/s/${story.id}` : '';
    add({ kind: 'story', description: `Story from ${chatName(story.chat)}${link}` });
  }
  const { video } = message;
  if (video) {
    add({
      kind: 'video',
      file: received(
        video,
        video.file_name ?? `video-${stem(video)}.mp4`,
        video.mime_type ?? 'video/mp4',
      ),
      metadata: { duration_seconds: String(video.duration) },
    });
  }
  const { video_note: videoNote } = message;
  if (videoNote) {
    add({
      kind: 'video_note',
      description: `Video message (${duration(videoNote.duration)})`,
      file: received(videoNote, `video-note-${stem(videoNote)}.mp4`, 'video/mp4'),
      metadata: { duration_seconds: String(videoNote.duration) },
    });
  }
  const { voice } = message;
  if (voice) {
    add({
      kind: 'voice',
      description: `Voice message (${duration(voice.duration)})`,
      file: received(voice, `voice-${stem(voice)}.ogg`, voice.mime_type ?? 'audio/ogg'),
      metadata: { duration_seconds: String(voice.duration) },
    });
  }
  if (message.checklist) {
    const { checklist } = message;
    const tasks = (checklist.tasks ?? []).map((task) => `– ${task.text}`);
    add({ kind: 'checklist', description: [`Checklist: ${checklist.title}`, ...tasks].join('\n') });
  }
  if (message.contact) add(contactPart(message.contact));
  if (message.dice) {
    // Before Bot API 5.0 there was only the die, and no emoji field.
    add({ kind: 'dice', description: `Dice ${message.dice.emoji ?? '🎲'}: ${message.dice.value}` });
  }
  if (message.game) {
    const { game } = message;
    add({
      kind: 'game',
      description: `Game: ${game.title}${game.description ? ` – ${game.description}` : ''}`,
    });
  }
  if (message.poll) add(pollPart(message.poll));
  if (message.venue) add(venuePart(message.venue));
  // A venue carries its location twice; the venue says it better.
  else if (message.location) add(locationPart(message.location));
  if (message.users_shared) {
    const users = (message.users_shared.users ?? []).map(sharedUser);
    add({
      kind: 'users_shared',
      description: `Shared ${users.length === 1 ? 'user' : 'users'}: ${users.join(', ')}`,
    });
  }
  // Bot API 6.5–6.9 sent one user as user_shared; Bot API 7.0 replaced it with users_shared.
  const legacy = (message as { user_shared?: { user_id: number } }).user_shared;
  if (legacy) add({ kind: 'users_shared', description: `Shared user: ${sharedUser(legacy)}` });
  if (message.chat_shared) {
    const { chat_id: id, title, username } = message.chat_shared;
    const names = [title, username && `@${username}`].filter(Boolean).join(' ');
    add({ kind: 'chat_shared', description: `Shared chat: ${names ? `${names} ` : ''}(id ${id})` });
  }
  if (message.web_app_data) {
    const { data, button_text: button } = message.web_app_data;
    add({ kind: 'web_app_data', description: `Sent from the web app "${button}": ${data}` });
  }
  return parts;
}

function received(
  file: { file_id?: string | null; file_size?: number | null },
  fileName: string,
  contentType: string,
): ReceivedFile {
  if (typeof file.file_id !== 'string' || !file.file_id) {
    throw new BadInputError(`${fileName}: a file without file_id`);
  }
  return { fileId: file.file_id, fileName, contentType, sizeBytes: file.file_size ?? 0 };
}

function contactPart(contact: NonNullable<Message['contact']>): Part {
  if (typeof contact.phone_number !== 'string' || !contact.phone_number) {
    throw new BadInputError('a contact without phone_number');
  }
  const name = [contact.first_name, contact.last_name].filter(Boolean).join(' ');
  const phone = e164(contact.phone_number);
  return {
    kind: 'contact',
    description: `Contact: ${[name, phone ?? contact.phone_number].filter(Boolean).join(', ')}`,
    contact: { name, phone, userId: contact.user_id ?? undefined },
    metadata: { contact_phone: phone ?? contact.phone_number },
  };
}

function pollPart(poll: NonNullable<Message['poll']>): Part {
  if (typeof poll.question !== 'string' || !Array.isArray(poll.options)) {
    throw new BadInputError('a poll without question or options');
  }
  const options = poll.options.map((option) => `– ${option.text}`);
  const heading = poll.type === 'quiz' ? 'Quiz' : 'Poll';
  return { kind: 'poll', description: [`${heading}: ${poll.question}`, ...options].join('\n') };
}

function venuePart(venue: NonNullable<Message['venue']>): Part {
  const where = coordinates(venue.location);
  if (typeof venue.title !== 'string') throw new BadInputError('a venue without title');
  return {
    kind: 'venue',
    description: [`Venue: ${venue.title}`, venue.address, mapLink(where)]
      .filter(Boolean)
      .join('\n'),
    metadata: { latitude: String(where.latitude), longitude: String(where.longitude) },
  };
}

function locationPart(location: NonNullable<Message['location']>): Part {
  const where = coordinates(location);
  // A live location's first message; its moves arrive as edits, which normalise ignores.
  const live = location.live_period
    ? `Live location (shared for ${Math.round(location.live_period / 60)} min)`
    : 'Location';
  return {
    kind: 'location',
    description: `${live}: ${where.latitude}, ${where.longitude} ${mapLink(where)}`,
    metadata: { latitude: String(where.latitude), longitude: String(where.longitude) },
  };
}

function coordinates(location: { latitude?: number; longitude?: number } | null | undefined) {
  if (typeof location?.latitude !== 'number' || typeof location.longitude !== 'number') {
    throw new BadInputError('a location without latitude or longitude');
  }
  return { latitude: location.latitude, longitude: location.longitude };
}

function mapLink({ latitude, longitude }: { latitude: number; longitude: number }): string {
  return `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=17/${latitude}/${longitude}`;
}

function sharedUser(user: {
  user_id: number;
  first_name?: string | null;
  last_name?: string | null;
  username?: string | null;
}): string {
  const name = [user.first_name, user.last_name, user.username && `@${user.username}`]
    .filter(Boolean)
    .join(' ');
  return `${name ? `${name} ` : ''}(id ${user.user_id})`;
}

function duration(seconds: number | null | undefined): string {
  const total = Math.max(0, Math.round(seconds ?? 0));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

/**
 * Telegram gives phone numbers with or without "+", digits only otherwise; "00" is the
 * international prefix some clients keep. What still starts with 0 is no E.164 number.
 */
function e164(phone: string): string | undefined {
  const digits = phone.replace(/\D/g, '').replace(/^00/, '');
  return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : undefined;
}
