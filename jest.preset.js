// Shared by every project's jest.config.js: TypeScript through SWC (with the decorator metadata
// Nest's dependency injection needs) and the workspace's @firstline/* aliases from tsconfig.base.json.
const path = require('node:path');
const { readFileSync } = require('node:fs');

const swcrc = JSON.parse(readFileSync(path.join(__dirname, '.swcrc'), 'utf8'));
delete swcrc.exclude;
swcrc.jsc.baseUrl = __dirname;

const { paths } = JSON.parse(
  readFileSync(path.join(__dirname, 'tsconfig.base.json'), 'utf8'),
).compilerOptions;
const moduleNameMapper = Object.fromEntries(
  Object.entries(paths).map(([alias, [target]]) => [`^${alias}$`, path.join(__dirname, target)]),
);

module.exports = {
  testEnvironment: 'node',
  // Integration tests talk to a real broker and database on a 2-core machine shared with other
  // suites: a slow moment must not fail a test that would pass, so the default wait is generous.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swcrc, swcrc: false }],
    // PGlite's CommonJS build loads Node built-ins with import(), which jest's module runtime only
    // allows under --experimental-vm-modules; compiled to require() it runs as it does in production.
    '/@electric-sql/pglite/dist/.+\\.cjs$': [
      '@swc/jest',
      {
        swcrc: false,
        jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' },
        module: { type: 'commonjs' },
      },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@electric-sql/pglite/)'],
  moduleNameMapper,
  testMatch: ['<rootDir>/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};
