import { BadInputError } from '@firstline/errors';

/**
 * Telegram's HTML is a small subset (https://core.telegram.org/bots/api#html-style): these tags,
 * no others, and no line-break tags; newlines are literal. Agents' replies arrive as sanitised
 * general HTML, so they are brought down to that subset before sending.
 */
const TELEGRAM_TAGS = new Set([
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ins',
  's',
  'strike',
  'del',
  'a',
  'code',
  'pre',
  'blockquote',
  'tg-spoiler',
]);

/** Where general HTML breaks a line, Telegram needs a newline. */
const BLOCK_ENDS = new Set(['p', 'div', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr']);

const TAG = /<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g;

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Keeps Telegram's tags (and only `href` on links), turns blocks and `<br>` into newlines, drops the rest. */
export function toTelegramHtml(html: string): string {
  const converted = html.replace(TAG, (_, slash: string, rawName: string, attributes: string) => {
    const name = rawName.toLowerCase();
    if (name === 'br') return '\n';
    if (name === 'li' && !slash) return '• ';
    if (BLOCK_ENDS.has(name)) return slash ? '\n' : '';
    if (!TELEGRAM_TAGS.has(name)) return '';
    if (slash) return `</${name}>`;
    if (name === 'a') {
      const href = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/i.exec(attributes);
      return href ? `<a href="${href[2] ?? href[3]}">` : '<a>';
    }
    return `<${name}>`;
  });
  return converted.replace(/\n{3,}/g, '\n\n').trim();
}

interface OpenTag {
  name: string;
  /** The opening tag as written, to reopen it in the next part. */
  tag: string;
}

/**
 * Splits Telegram HTML into parts of at most `limit` characters, preferring paragraph, line,
 * sentence and word boundaries in that order, never inside a tag or an entity: a part closes the
 * tags open at its end and the next part reopens them, so each part is valid on its own.
 */
export function splitHtml(html: string, limit: number): string[] {
  if (html.length <= limit) return [html];
  const parts: string[] = [];
  const open: OpenTag[] = [];
  const closing = () =>
    open
      .map(({ name }) => `</${name}>`)
      .reverse()
      .join('');
  const reopening = () => open.map(({ tag }) => tag).join('');
  let current = '';
  let hasText = false;
  const flush = () => {
    parts.push(current + closing());
    current = reopening();
    hasText = false;
  };

  for (const token of html.split(/(<[^>]+>)/).filter(Boolean)) {
    const tag = /^<(\/?)([\w-]+)/.exec(token);
    if (tag) {
      const [, slash, name] = tag;
      if (slash) {
        const opened = open.map((t) => t.name).lastIndexOf(name.toLowerCase());
        if (opened >= 0) open.splice(opened, 1);
        current += token;
      } else {
        // Room for the tag and, later, its closing tag.
        const needed = current.length + token.length + closing().length + name.length + 3;
        if (hasText && needed > limit) flush();
        open.push({ name: name.toLowerCase(), tag: token });
        current += token;
      }
      continue;
    }
    let text = token;
    while (current.length + text.length + closing().length > limit) {
      const room = limit - current.length - closing().length;
      const cut = breakPoint(text, room, hasText);
      if (cut === 0) {
        if (!hasText) {
          throw new BadInputError(`cannot split HTML: open tags alone exceed ${limit} characters`);
        }
        flush();
        continue;
      }
      current += text.slice(0, cut).trimEnd();
      hasText = true;
      text = text.slice(cut).replace(/^\s+/, '');
      flush();
    }
    if (text) {
      current += text;
      hasText = true;
    }
  }
  if (hasText) parts.push(current + closing());
  return parts;
}

/**
 * Where to cut `text` so that at most `room` characters go first: the best boundary in the second
 * half, else any word boundary; 0 (start a new part) when there is none but the part already has
 * text; a hard cut only for a word longer than a whole part.
 */
function breakPoint(text: string, room: number, partHasText: boolean): number {
  if (room <= 0) return 0;
  const head = text.slice(0, room);
  for (const boundary of ['\n\n', '\n', '. ', ' ']) {
    const at = head.lastIndexOf(boundary);
    if (at > room / 2) return at + boundary.length;
  }
  const space = head.search(/\s\S*$/);
  if (space > 0) return space + 1;
  if (partHasText) return 0;
  let cut = room;
  const entity = /&[#\w]*$/.exec(head);
  if (entity) cut = entity.index;
  // Never separate the halves of a surrogate pair (emoji).
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1])) cut -= 1;
  return cut;
}
