// Builds the web-form widget (web/widget.ts) into the script the service serves at
// /webform/widget.js: dist/services/channel-webform/public/widget.js, a classic script, as a
// `<script src>` on a shop's page needs. `npm run build` runs it after the services' build.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileForBrowser } from '../../tools/compile-browser.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const publicDir = join(here, '../../dist/services/channel-webform/public');

// The shops' customers, not agents, run it: browsers older than the console asks for.
const code = compileForBrowser(join(here, 'web/widget.ts'), { module: false, target: 'es2020' });
mkdirSync(publicDir, { recursive: true });
writeFileSync(join(publicDir, 'widget.js'), code);
