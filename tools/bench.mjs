// `npm run bench`: runs every tools/bench-*.mjs in turn (after the build); each prints its numbers
// and rewrites its own section of docs/benchmarks.md. bench-report and bench-support are what the
// benches share, not benches.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const tools = dirname(fileURLToPath(import.meta.url));
const only = process.argv[2];
const benches = readdirSync(tools)
  .filter((file) => /^bench-.+\.mjs$/.test(file))
  .filter((file) => !['bench-report.mjs', 'bench-support.mjs'].includes(file))
  .filter((file) => !only || file.includes(only))
  .sort();

for (const bench of benches) {
  console.log(`\n== ${bench}`);
  const { status } = spawnSync(process.execPath, [join(tools, bench)], { stdio: 'inherit' });
  if (status !== 0) process.exit(status ?? 1);
}
