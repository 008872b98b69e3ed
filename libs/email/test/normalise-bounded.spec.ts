import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { adversarialMails } from '@firstline/testing';
import { normalise } from '../src';

/**
 * Mails built to be slow (quote-marker runs, attribution-like lines, long header lines, nested
 * quotes, real mails mutated), up to 1 MB each: none throws, and each is normalised within the
 * issue's 250 ms. The bound is a hang guard, generous for linear work; the benchmark measures.
 */
const fixtures = join(__dirname, 'fixtures');
const shared = [
  resolve(__dirname, '../../../../shared'),
  resolve(__dirname, '../../../../../shared'),
]
  .map((root) => join(root, 'corpus/replies'))
  .find(existsSync);
const emlIn = (folder: string) =>
  readdirSync(folder)
    .filter((name) => name.endsWith('.eml'))
    .sort()
    .map((name) => readFileSync(join(folder, name)));
// Every fourth corpus mail is enough variety and keeps the run short on a shared machine.
const seeds = [...emlIn(fixtures), ...(shared ? emlIn(shared).filter((_, i) => i % 4 === 0) : [])];
const mails = adversarialMails(20261203, seeds);
const receivedAt = new Date('2026-01-01T00:00:00Z');

describe('normalise on adversarial mail', () => {
  const times: [string, number][] = [];

  afterAll(() => {
    const [name, worst] = times.reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
    console.log(`adversarial mail: ${times.length} mails, worst ${worst.toFixed(1)} ms (${name})`);
  });

  it.each(mails.map((mail) => [mail.name, mail.raw.length, mail.raw] as const))(
    '%s (%d bytes) is normalised within 250 ms',
    async (name, _bytes, raw) => {
      const started = performance.now();
      const { message } = await normalise(raw, { receivedAt });
      const elapsed = performance.now() - started;
      times.push([name, elapsed]);
      expect(message.messageId).toMatch(/^email:/);
      expect(elapsed).toBeLessThan(250);
    },
  );
});
