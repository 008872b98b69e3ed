/**
 * Mails built to make a parser slow: the shapes that gave reply extraction and address parsing
 * quadratic or worse cost (runs of quote markers, attribution-like lines, long header lines,
 * nested quotes) and real mails mutated by a seeded generator, from a few kilobytes up to 1 MB.
 * Deterministic for a seed, so the fuzz test and the benchmark measure the same set.
 */
export interface AdversarialMail {
  name: string;
  raw: Buffer;
}

export const ADVERSARIAL_MAX_BYTES = 1024 * 1024;

/** `seeds` are real mails (raw RFC 5322) to mutate; the other shapes need none. */
export function adversarialMails(seed: number, seeds: Buffer[] = []): AdversarialMail[] {
  const random = mulberry32(seed);
  const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)];
  const sizes = [16 * 1024, 256 * 1024, ADVERSARIAL_MAX_BYTES - 4096];
  const mails: AdversarialMail[] = [];
  const add = (name: string, body: string, headers: Record<string, string> = {}) =>
    mails.push({ name, raw: mailWith(body, headers) });

  for (const size of sizes) {
    const kb = `${Math.round(size / 1024)} KB`;
    add(`quote markers on one line, ${kb}`, '>'.repeat(size));
    add(
      `lines of quote markers, ${kb}`,
      fill(size, () => `${'>'.repeat(1 + Math.floor(random() * 80))}\n`),
    );
    add(
      `quoted and unquoted lines alternating, ${kb}`,
      fill(size, () => '> a\nb\n'),
    );
    add(`nested quotes, ${kb}`, nested(size));
    add(
      `"On … wrote:" runs, ${kb}`,
      fill(size, () => `On Mon, 4 Mar 2024 at 10:${pad(random())}, Ann <ann@example.com> wrote:\n`),
    );
    add(`an attribution that never ends, ${kb}`, `On ${'Mon, 4 Mar 2024 '.repeat(size / 17)}`);
    add(
      `wrapped attribution starts, ${kb}`,
      fill(size, () =>
        pick(['On 4 Mar 2024, Ann <\n', 'Am 4.3.24 um 10:00\n', '2024-03-04 10:00 Ann <\n']),
      ),
    );
    add(
      `header-like lines, ${kb}`,
      fill(size, () => pick(['From: Ann\n', '*From:* a\n', 'Sent: x\n', 'De : b\n'])),
    );
    add(
      `one long line of words, ${kb}`,
      fill(size, () => pick(['wrote ', 'On ', '@ ', ': ', '<a ', 'b> '])),
    );
    add(
      `addresses without an end, ${kb}`,
      fill(size, () => 'a@b<c@d '),
    );
    add(
      `separator runs, ${kb}`,
      fill(size, () => pick(['-----\n', '_'.repeat(30) + '\n', '-- \n'])),
    );
    add(
      `HTML nesting, ${kb}`,
      fill(size, () => '<div><blockquote>'),
      {
        'Content-Type': 'text/html; charset=utf-8',
      },
    );
  }
  const longHeader = ADVERSARIAL_MAX_BYTES / 4;
  add('a From header with spaces inside angle brackets', 'Hi', {
    From: `Ann <${' a'.repeat(longHeader / 2)}@example.com`,
  });
  add('a To header of one token without an @', 'Hi', { To: `(${'x'.repeat(longHeader)}` });
  add('a Cc header of many half addresses', 'Hi', { Cc: 'a@'.repeat(longHeader / 2) });
  add('a Subject header of encoded-word starts', 'Hi', {
    Subject: '=?utf-8?b?'.repeat(longHeader / 10),
  });

  seeds.forEach((original, index) => {
    const target = pick(sizes);
    mails.push({ name: `mutated mail ${index + 1}`, raw: mutate(original, target, random) });
  });
  return mails;
}

function mailWith(body: string, headers: Record<string, string>): Buffer {
  const fields = {
    From: 'Ann <ann@example.com>',
    To: 'support@firstline.test',
    Subject: 'Adversarial',
    'Message-ID': '<adversarial@example.com>',
    Date: 'Mon, 04 Mar 2024 10:00:00 +0000',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Transfer-Encoding': '8bit',
    ...headers,
  };
  const head = Object.entries(fields)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\r\n');
  return Buffer.from(`${head}\r\n\r\n${body}`, 'utf8');
}

function fill(size: number, piece: () => string): string {
  const parts: string[] = [];
  let length = 0;
  while (length < size) {
    const next = piece();
    parts.push(next);
    length += next.length;
  }
  return parts.join('').slice(0, size);
}

function nested(size: number): string {
  let depth = 0;
  return fill(size, () => {
    depth = (depth + 1) % 500;
    return `${'> '.repeat(depth)}text\n`;
  });
}

const pad = (value: number) => String(Math.floor(value * 60)).padStart(2, '0');

/**
 * A real mail grown to about `target` bytes: its body's lines repeated, shuffled with marker
 * lines, sometimes with its line breaks removed, so every rule meets input it was not written for.
 */
function mutate(raw: Buffer, target: number, random: () => number): Buffer {
  const text = raw.toString('utf8');
  const split = text.search(/\r?\n\r?\n/);
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
  const lines = body.split(/\r?\n/).filter((line) => line.length > 0);
  const markers = [
    '>',
    '> >',
    'On Mon, 4 Mar 2024 Ann <',
    'wrote:',
    'From: Ann',
    'Sent: today',
    '-----',
  ];
  const pieces: string[] = [];
  let length = 0;
  while (length < target && lines.length > 0) {
    const line =
      random() < 0.2
        ? markers[Math.floor(random() * markers.length)]
        : lines[Math.floor(random() * lines.length)];
    pieces.push(line);
    length += line.length + 1;
  }
  const separator = random() < 0.3 ? ' ' : '\n';
  const mutated = Buffer.from(`${head}\r\n\r\n${pieces.join(separator)}`, 'utf8');
  return mutated.subarray(0, ADVERSARIAL_MAX_BYTES);
}

/** A small seeded generator (mulberry32): the same seed, the same mails. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
