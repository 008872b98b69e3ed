// Builds the agent console's browser files: each TypeScript module in web/ becomes a minified ES
// module the browser loads as it is (no bundler), next to index.html and the stylesheet, in
// dist/services/agent-console/public. `npm run build` runs it after the services' build.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileForBrowser } from '../../tools/compile-browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'web');
export const publicDir = join(here, '../../dist/services/agent-console/public');

rmSync(publicDir, { recursive: true, force: true });
mkdirSync(publicDir, { recursive: true });
for (const file of readdirSync(source)) {
  if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
    const code = compileForBrowser(join(source, file), { module: true, target: 'es2022' });
    // A module of types only (context.ts) is empty once compiled, and nothing loads it.
    if (/^\s*(export\s*\{\s*\};?)?\s*$/.test(code)) continue;
    writeFileSync(join(publicDir, file.replace(/\.ts$/, '.js')), code);
  } else if (/\.(html|css|svg)$/.test(file)) {
    copyFileSync(join(source, file), join(publicDir, file));
  }
}
