// What every benchmark shares: replacing its own marked section of docs/benchmarks.md
// (`<!-- bench:NAME -->` … `<!-- /bench:NAME -->`), formatted as `npm run check` expects.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs/benchmarks.md');

/** `section` starts with `<!-- bench:NAME -->` and ends with `<!-- /bench:NAME -->`. */
export async function writeBenchmarkSection(name, section) {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const marked = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->`);
  const updated = marked.test(current)
    ? current.replace(marked, () => section)
    : `${current.trimEnd()}\n\n${section}\n`;
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  writeFileSync(file, await prettier.format(updated, options));
  console.log(`bench-${name}: wrote its section of ${file}`);
}

/** The line that says where the numbers were measured. */
export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.type()} ${os.release()}, Node ${process.version}`;
}
