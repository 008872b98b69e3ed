// `npm run pipeline`: every service in its own process on a broker and Postgres of the run's own,
// customers writing through every channel and agents answering (libs/testing/src/harness).
//   PIPELINE_MESSAGES  customer messages (default 2000)
//   PIPELINE_RATE      messages per second offered (default 200)
//   PIPELINE_AGENTS    agents answering (default 4)
//   PIPELINE_DRAIN_SECONDS  how long to wait for the last messages and replies (default 180)
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { runPipeline, summaryLines } = require(join(root, 'dist/libs/testing/src/harness/index.js'));

// Ended from outside, the harness still takes its service processes with it (on 'exit').
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const result = await runPipeline({
  messages: Number(process.env.PIPELINE_MESSAGES ?? 2_000),
  rate: Number(process.env.PIPELINE_RATE ?? 200),
  agents: Number(process.env.PIPELINE_AGENTS ?? 4),
  drainTimeoutMs: Number(process.env.PIPELINE_DRAIN_SECONDS ?? 180) * 1000,
});
for (const line of summaryLines(result)) console.log(line);
