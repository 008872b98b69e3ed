import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';
import { normalise, type NormalisedMail } from '../src';

/**
 * The peer corpus in ../shared/corpus/mail (mail other help desks test with, and what they expect
 * of it): every message must normalise without an exception, and the fields those projects assert
 * must agree. It lives outside the repository; a clone without it runs the project's own fixtures.
 */
// Beside the repository's root, or beside the folder of worktrees a root may sit in.
const corpus =
  [resolve(__dirname, '../../../../shared'), resolve(__dirname, '../../../../../shared')]
    .map((root) => join(root, 'corpus/mail'))
    .find(existsSync) ?? resolve(__dirname, '../../../../shared/corpus/mail');
const receivedAt = new Date('2026-01-01T00:00:00Z');

type Expectation = Record<string, unknown>;
interface Comparison {
  file: string;
  field: string;
  expected: unknown;
  actual: unknown;
  agrees: boolean;
}

// The Zammad expectations were dumped by Ruby; these tags only need to read as plain data.
const rubyHash: CollectionTag = {
  tag: '!ruby/hash:ActiveSupport::HashWithIndifferentAccess',
  collection: 'map',
};
const binary: ScalarTag = {
  tag: '!binary',
  resolve: (value) => Buffer.from(value.replace(/\s+/g, ''), 'base64').toString('utf8'),
};
const readYaml = (path: string) =>
  parse(indentQuotedScalars(readFileSync(path, 'utf8')), {
    customTags: [rubyHash, binary],
    strict: false,
  }) as unknown;

/** Ruby continues multi-line quoted scalars at column 0, which YAML 1.2 parsers refuse. */
function indentQuotedScalars(text: string): string {
  let indent: string | undefined;
  return text
    .split('\n')
    .map((line) => {
      if (indent === undefined) {
        const opening = /^(\s*)(- )?[\w-]+: '((?:[^']|'')*)$/.exec(line);
        if (opening) indent = `${opening[1]}${opening[2] ? '  ' : ''}  `;
        return line;
      }
      const continued = line.trim() === '' || line.startsWith(indent) ? line : `${indent}${line}`;
      if (/(^|[^'])('')*'$/.test(line.replace(/''/g, ''))) indent = undefined;
      return continued;
    })
    .join('\n');
}

const emails = (value: unknown) =>
  [...String(value ?? '').matchAll(/[^\s<>",;:()]+@[^\s<>",;:()]+/g)]
    .map((match) => match[0].toLowerCase().replace(/\.$/, ''))
    .filter((email, index, all) => all.indexOf(email) === index)
    .sort();
const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

function expectationsFor(file: string, mail: NormalisedMail): [string, unknown, unknown][] {
  const { message, deliveryStatus } = mail;
  const checks: [string, unknown, unknown][] = [];
  const expectations = allExpectations.get(file) ?? {};
  const has = (key: string) => key in expectations && expectations[key] !== undefined;
  if (has('subject')) checks.push(['subject', String(expectations.subject ?? ''), message.subject]);
  if (has('from_email')) {
    checks.push([
      'from_email',
      String(expectations.from_email).toLowerCase(),
      message.sender?.value,
    ]);
  }
  if (has('from_display_name')) {
    checks.push([
      'from_display_name',
      String(expectations.from_display_name ?? ''),
      message.sender?.displayName,
    ]);
  }
  for (const [key, metadata] of [
    ['to', 'to'],
    ['cc', 'cc'],
  ] as const) {
    if (has(key) && emails(expectations[key]).length) {
      checks.push([key, emails(expectations[key]), emails(message.channelMetadata[metadata])]);
    }
  }
  if (Array.isArray(expectations.attachments)) {
    for (const attachment of expectations.attachments as Expectation[]) {
      if (attachment.filename === 'message.html') continue;
      const fileName = String(attachment.filename);
      const mime = (attachment.preferences as Expectation | undefined)?.['Mime-Type'];
      const found = message.attachments.find((candidate) => candidate.fileName === fileName);
      checks.push([
        `attachment ${fileName}`,
        [fileName, mime ? String(mime).toLowerCase() : undefined],
        [found?.fileName, mime ? found?.contentType : undefined],
      ]);
    }
  }
  if (has('bounce')) checks.push(['bounce', expectations.bounce, Boolean(deliveryStatus)]);
  if (has('bounced_message_id')) {
    checks.push(['bounced_message_id', expectations.bounced_message_id, message.bouncedMessageId]);
  }
  for (const key of ['auto_response', 'auto_reply']) {
    if (has(key)) checks.push([key, expectations[key], message.autoResponse]);
  }
  if (has('in_reply_to')) {
    checks.push([
      'in_reply_to',
      expectations.in_reply_to ?? '',
      message.channelMetadata.in_reply_to?.split(' ')[0] ?? '',
    ]);
  }
  if (has('references')) {
    checks.push([
      'references',
      (expectations.references as string[]).join(' '),
      message.channelMetadata.references ?? '',
    ]);
  }
  if (has('text_reply_prefix')) {
    const prefix = collapse(String(expectations.text_reply_prefix));
    checks.push(['reply_text', prefix, collapse(message.replyText).slice(0, prefix.length)]);
  }
  return checks;
}

const allExpectations = new Map<string, Expectation>();

function loadExpectations(): string[] {
  const files: string[] = [];
  for (const folder of ['zammad', 'chatwoot']) {
    for (const name of readdirSync(join(corpus, folder)).sort()) {
      if (/\.(box|eml)$/.test(name)) files.push(`${folder}/${name}`);
      if (/^mail.*\.yml$/.test(name)) {
        allExpectations.set(
          `${folder}/${name.replace(/\.yml$/, '.box')}`,
          readYaml(join(corpus, folder, name)) as Expectation,
        );
      }
    }
  }
  const summaries: [string, string][] = [
    ['zammad', 'EXPECTED_NO_YML.yml'],
    ['chatwoot', 'EXPECTED.yml'],
  ];
  for (const [folder, summary] of summaries) {
    const entries = readYaml(join(corpus, folder, summary)) as Record<string, Expectation>;
    for (const [name, expectation] of Object.entries(entries)) {
      allExpectations.set(`${folder}/${name}`, {
        ...allExpectations.get(`${folder}/${name}`),
        ...expectation,
      });
    }
  }
  return files;
}

if (!existsSync(corpus)) {
  describe('the peer mail corpus', () => {
    it('is not present in this clone, so only the project fixtures run', () => {
      console.log(`mail corpus not found at ${corpus}; skipping the peer comparison`);
    });
  });
} else {
  describe('the peer mail corpus', () => {
    it('normalises every message without an exception and agrees with the peers on ≥ 95 % of fields', async () => {
      const files = loadExpectations();
      const failures: string[] = [];
      const comparisons: Comparison[] = [];
      for (const file of files) {
        try {
          const mail = await normalise(readFileSync(join(corpus, file)), { receivedAt });
          for (const [field, expected, actual] of expectationsFor(file, mail)) {
            comparisons.push({
              file,
              field,
              expected,
              actual,
              agrees: JSON.stringify(expected) === JSON.stringify(actual),
            });
          }
        } catch (error) {
          failures.push(`${file}: ${String(error)}`);
        }
      }
      const agreeing = comparisons.filter((comparison) => comparison.agrees);
      const disagreements = comparisons.filter((comparison) => !comparison.agrees);
      const percent = (part: number, whole: number) =>
        ((100 * part) / Math.max(whole, 1)).toFixed(1);
      console.log(
        [
          `mail corpus: ${files.length - failures.length}/${files.length} normalised without an exception (${percent(files.length - failures.length, files.length)} %)`,
          `mail corpus: ${agreeing.length}/${comparisons.length} expected fields agree (${percent(agreeing.length, comparisons.length)} %)`,
          ...failures.map((failure) => `  exception ${failure}`),
          ...disagreements.map(
            (d) =>
              `  ${d.file} ${d.field}: expected ${JSON.stringify(d.expected)}, got ${JSON.stringify(d.actual)}`,
          ),
        ].join('\n'),
      );
      expect(failures).toEqual([]);
      expect(agreeing.length / comparisons.length).toBeGreaterThanOrEqual(0.95);
    }, 60_000);
  });
}
