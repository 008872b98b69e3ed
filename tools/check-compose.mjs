// Validates docker-compose.yml against the Compose Specification's JSON schema (shipped by dclint),
// since no Docker engine runs here to do it. Merge keys (<<) are resolved as Compose resolves them.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { parse } from 'yaml';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const schema = JSON.parse(
  readFileSync(join(root, 'node_modules/dclint/schemas/compose.schema.json'), 'utf8'),
);
const file = process.argv[2] ?? 'docker-compose.yml';
const document = parse(readFileSync(file, 'utf8'), { merge: true });

const validate = new Ajv({
  allErrors: true,
  strict: false,
  validateSchema: false,
  validateFormats: false,
}).compile(schema);
if (!validate(document)) {
  for (const error of validate.errors)
    console.error(`${file}: ${error.instancePath || '/'} ${error.message}`);
  process.exit(1);
}
const services = Object.keys(document.services ?? {});
console.log(`${file}: valid Compose file (${services.length} services: ${services.join(', ')})`);
