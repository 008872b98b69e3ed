// Builds the agent console's browser files: each TypeScript module in web/ becomes a minified ES
// module the browser loads as it is (no bundler), next to index.html and the stylesheet, in
// dist/services/agent-console/public. `npm run build` runs it after the services' build.
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { transformFileSync } = require('@swc/core');

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'web');
export const publicDir = join(here, '../../dist/services/agent-console/public');

const options = {
  swcrc: false,
  jsc: {
    parser: { syntax: 'typescript' },
    target: 'es2022',
    minify: { compress: true, mangle: true },
  },
  module: { type: 'es6' },
  minify: true,
};

rmSync(publicDir, { recursive: true, force: true });
mkdirSync(publicDir, { recursive: true });
for (const file of readdirSync(source)) {
  if (file.endsWith('.ts') && !file.endsWith('.d.ts')) {
    const { code } = transformFileSync(join(source, file), options);
    // A module of types only (context.ts) is empty once compiled, and nothing loads it.
    if (/^\s*(export\s*\{\s*\};?)?\s*$/.test(code)) continue;
    writeFileSync(join(publicDir, file.replace(/\.ts$/, '.js')), code);
  } else if (/\.(html|css|svg)$/.test(file)) {
    copyFileSync(join(source, file), join(publicDir, file));
  }
}
