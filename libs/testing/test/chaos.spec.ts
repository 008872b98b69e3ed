import { chaosLine, chaosProblems, runPipeline } from '../src/harness';

const MESSAGES = 400;

/**
 * The short variant of `npm run chaos` (docs/reliability.md): every service in its own process,
 * customers writing through every channel and agents answering, while each service is killed
 * with SIGKILL once and the broker and Postgres restart. Needs the build (`npm test` builds).
 */
describe('the pipeline while its services are killed', () => {
  it('stores every accepted customer message once and delivers every reply', async () => {
    const result = await runPipeline({
      messages: MESSAGES,
      rate: 40,
      chaos: { killsPerService: 1 },
      drainTimeoutMs: 60_000,
    });
    process.stderr.write(`${chaosLine(result.reconciliation)}\n`);

    expect(result.reconciliation.accepted).toBe(MESSAGES);
    expect(chaosProblems(result)).toEqual([]);
  }, 300_000);
});
