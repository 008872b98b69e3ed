// How browser code is compiled, for the agent console's modules and the web-form widget alike:
// swc, already pinned for the services, strips the types and minifies; no bundler.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { transformFileSync } = require('@swc/core');

/**
 * One TypeScript file as minified JavaScript. `module: true` gives an ES module (the console's,
 * loaded by `<script type="module">` and `import()`); `module: false` a classic script, which may
 * hold no `import` or `export` (swc refuses one) — what a `<script src>` on another site needs.
 */
export function compileForBrowser(file, { module, target }) {
  const { code } = transformFileSync(file, {
    swcrc: false,
    isModule: module,
    jsc: {
      parser: { syntax: 'typescript' },
      target,
      minify: { compress: true, mangle: true },
    },
    ...(module ? { module: { type: 'es6' } } : {}),
    minify: true,
  });
  return code;
}
