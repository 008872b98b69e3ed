import { execFileSync } from 'node:child_process';
import { repositoryRoot } from './repository-root';

/**
 * Compiles the services into dist/ for a test that starts them as processes, unless the test
 * command already did (tools/test.sh sets FIRSTLINE_DIST_BUILT after its build): suites build in
 * parallel jest workers, and one rebuilding dist/ while another's process loads it hands that
 * process half-written modules.
 */
export function buildDist(): void {
  if (process.env.FIRSTLINE_DIST_BUILT === '1') return;
  execFileSync('npm', ['run', 'build', '--silent'], { cwd: repositoryRoot, stdio: 'inherit' });
}
