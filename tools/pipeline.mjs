// `npm run pipeline` and `npm run chaos`: every service in its own process on a broker and a
// Postgres cluster of the run's own, customers writing through every channel's entry point and
// agents answering (libs/testing/src/harness). `chaos` also kills every service twice with
// SIGKILL and restarts the broker and Postgres once meanwhile, and fails unless nothing was lost
// or doubled, and writes its results into docs/reliability.md.
//   PIPELINE_MESSAGES       customer messages (default 2,000; chaos 100,000)
//   PIPELINE_RATE           messages per second offered (default 200; chaos 50)
//   PIPELINE_AGENTS         agents answering (default 4; chaos 12)
//   PIPELINE_KILLS          chaos: kills per service (default 2)
//   PIPELINE_DRAIN_SECONDS  how long to wait for the last messages and replies (default 180; chaos 900)
// Chaos's defaults are what this 2-core machine keeps up with while services die: about 50
// messages a second, a quarter of them new tickets, answered by twelve agents.
//   PIPELINE_NODE_ARGS      node options of every service process (e.g. --cpu-prof --cpu-prof-dir=DIR)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { machine } from './bench-report.mjs';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runPipeline, summaryLines, chaosProblems } = require(
  join(root, 'dist/libs/testing/src/harness/index.js'),
);

// Ended from outside, the harness still takes its service processes with it (on 'exit').
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const chaos = process.argv[2] === 'chaos';
const result = await runPipeline({
  messages: Number(process.env.PIPELINE_MESSAGES ?? (chaos ? 100_000 : 2_000)),
  rate: Number(process.env.PIPELINE_RATE ?? (chaos ? 50 : 200)),
  agents: Number(process.env.PIPELINE_AGENTS ?? (chaos ? 12 : 4)),
  chaos: chaos ? { killsPerService: Number(process.env.PIPELINE_KILLS ?? 2) } : undefined,
  drainTimeoutMs: Number(process.env.PIPELINE_DRAIN_SECONDS ?? (chaos ? 900 : 180)) * 1000,
});
const lines = summaryLines(result);
for (const line of lines) console.log(line);
if (!chaos) process.exit(0);
const problems = chaosProblems(result);
for (const problem of problems) console.error(`not met: ${problem}`);
await recordChaosRun(lines, problems);
process.exit(problems.length ? 1 : 0);

/** The run's lines become the results section of docs/reliability.md. */
async function recordChaosRun(lines, problems) {
  const file = join(root, 'docs/reliability.md');
  const section = [
    '<!-- chaos:results -->',
    '',
    `Measured on ${machine()}, ${new Date().toISOString().slice(0, 10)}; every service, broker, Postgres, GreenMail and the load generator on this machine. ${problems.length ? `Targets missed: ${problems.join('; ')}.` : 'Every target met.'}`,
    '',
    '```',
    ...lines,
    '```',
    '',
    '<!-- /chaos:results -->',
  ].join('\n');
  const current = readFileSync(file, 'utf8');
  const updated = current.replace(
    /<!-- chaos:results -->[\s\S]*?<!-- \/chaos:results -->/,
    () => section,
  );
  const options = { ...(await prettier.resolveConfig(file)), filepath: file };
  writeFileSync(file, await prettier.format(updated, options));
  console.log(`chaos: wrote the results into ${file}`);
}
