import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository's root, from the sources (tests) or from dist/ (tools). */
export const repositoryRoot = (() => {
  let dir = __dirname;
  while (!existsSync(join(dir, 'deploy/local/kafka.sh'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no deploy/local/kafka.sh above ${__dirname}`);
    dir = parent;
  }
  return dir;
})();
