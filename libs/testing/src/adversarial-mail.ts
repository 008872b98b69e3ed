/**
 * Mails built to make a parser slow: the shapes that gave reply extraction and address parsing
 * quadratic or worse cost (runs of quote markers, attribution-like lines, long header lines,
 * nested quotes) and real mails mutated by a seeded generator, from a few kilobytes up to 1 MB.
 * Deterministic for a seed, so the fuzz test and the benchmark measure the same set.
 */
export interface AdversarialMail {
  name: string;
  /** Builds the mail's bytes, the same on every call; built when needed, so a set stays small. */
  raw(): Buffer;
}

export const ADVERSARIAL_MAX_BYTES = 1024 * 1024;

type Random = () => number;

/** `seeds` are real mails (raw RFC 5322) to mutate; the other shapes need none. */
export function adversarialMails(seed: number, seeds: Buffer[] = []): AdversarialMail[] {
  const sizes = [16 * 1024, 256 * 1024, ADVERSARIAL_MAX_BYTES - 4096];
  const mails: AdversarialMail[] = [];
  // Each mail draws from a generator of its own, so building one never shifts another.
  const add = (name: string, build: (random: Random) => Buffer) => {
    const mailSeed = seed + mails.length * 7919;
    mails.push({ name, raw: () => build(mulberry32(mailSeed)) });
  };
  const addBody = (name: string, body: (random: Random) => string, headers = {}) =>
    add(name, (random) => mailWith(body(random), headers));
  const pick = <T>(random: Random, items: T[]): T => items[Math.floor(random() * items.length)];

  for (const size of sizes) {
    const kb = `${Math.round(size / 1024)} KB`;
    addBody(`quote markers on one line, ${kb}`, () => '>'.repeat(size));
    addBody(`lines of quote markers, ${kb}`, (random) =>
      fill(size, () => `${'>'.repeat(1 + Math.floor(random() * 80))}\n`),
    );
    addBody(`quoted and unquoted lines alternating, ${kb}`, () => fill(size, () => '> a\nb\n'));
    addBody(`nested quotes, ${kb}`, () => nested(size));
    addBody(
      `quoted lines above one unquoted line, ${kb}`,
      () => `${fill(size - 20, () => '> quoted\n')}\nthe last word`,
    );
    addBody(
      `a dated line of unclosed addresses, ${kb}`,
      () => `пн, 4 мар. 2024 г. в 10:00, ${fill(size - 40, () => '<a@b ')}`,
    );
    addBody(
      `attribution verbs without their colon, ${kb}`,
      () => `On 4 Mar 2024 ${fill(size - 40, () => 'wrote: schrieb ')}\nx`,
    );
    addBody(`"On … wrote:" runs, ${kb}`, (random) =>
      fill(size, () => `On Mon, 4 Mar 2024 at 10:${pad(random())}, Ann <ann@example.com> wrote:\n`),
    );
    addBody(
      `an attribution that never ends, ${kb}`,
      () => `On ${'Mon, 4 Mar 2024 '.repeat(size / 17)}`,
    );
    addBody(`wrapped attribution starts, ${kb}`, (random) =>
      fill(size, () =>
        pick(random, [
          'On 4 Mar 2024, Ann <\n',
          'Am 4.3.24 um 10:00\n',
          '2024-03-04 10:00 Ann <\n',
        ]),
      ),
    );
    addBody(`header-like lines, ${kb}`, (random) =>
      fill(size, () => pick(random, ['From: Ann\n', '*From:* a\n', 'Sent: x\n', 'De : b\n'])),
    );
    addBody(`one long line of words, ${kb}`, (random) =>
      fill(size, () => pick(random, ['wrote ', 'On ', '@ ', ': ', '<a ', 'b> '])),
    );
    addBody(`addresses without an end, ${kb}`, () => fill(size, () => 'a@b<c@d '));
    addBody(`separator runs, ${kb}`, (random) =>
      fill(size, () => pick(random, ['-----\n', '_'.repeat(30) + '\n', '-- \n'])),
    );
    addBody(`HTML nesting, ${kb}`, () => fill(size, () => '<div><blockquote>'), {
      'Content-Type': 'text/html; charset=utf-8',
    });
  }
  const longHeader = ADVERSARIAL_MAX_BYTES / 4;
  addBody('a From header with spaces inside angle brackets', () => 'Hi', {
    From: `Ann <${' a'.repeat(longHeader / 2)}@example.com`,
  });
  addBody('a To header of one token without an @', () => 'Hi', {
    To: `(${'x'.repeat(longHeader)}`,
  });
  addBody('a Cc header of many half addresses', () => 'Hi', { Cc: 'a@'.repeat(longHeader / 2) });
  addBody('a Subject header of encoded-word starts', () => 'Hi', {
    Subject: '=?utf-8?b?'.repeat(longHeader / 10),
  });
  addBody(
    'an attached mail that is all header',
    () =>
      [
        '--b',
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the attached mail.',
        '--b',
        'Content-Type: message/rfc822',
        '',
        fill(ADVERSARIAL_MAX_BYTES - 4096, () => 'X-Note: From: a <b@c> On wrote:\r\n'),
        '--b--',
      ].join('\r\n'),
    { 'Content-Type': 'multipart/mixed; boundary="b"' },
  );

  seeds.forEach((original, index) => {
    add(`mutated mail ${index + 1}`, (random) => mutate(original, pick(random, sizes), random));
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
