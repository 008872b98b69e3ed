import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'data/**',
      'node_modules/**',
      '.nx/**',
      'libs/contracts/src/gen/**',
      'deploy/local/.kafka/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // The contract, the error kinds and the domain are plain TypeScript: they run in a unit test
    // with no broker, no database and no framework (docs/adr/0017-channel-adapter-contract.md).
    files: [
      'libs/channel/**/*.ts',
      'libs/chat/**/*.ts',
      'libs/errors/**/*.ts',
      'libs/email/**/*.ts',
      'libs/telegram/**/*.ts',
      'libs/vk/**/*.ts',
      'libs/webform/**/*.ts',
      'libs/planning/**/*.ts',
      'libs/routing/**/*.ts',
      'libs/ticketing/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kafkajs', 'typeorm', '@firstline/bus', '@firstline/persistence'].map((name) => ({
            name,
            message: 'Domain code stays free of the bus and the database.',
          })),
          patterns: [
            { group: ['@nestjs/*'], message: 'Domain code stays free of the framework.' },
            {
              group: ['kafkajs/*', 'typeorm/*'],
              message: 'Domain code stays free of the bus and the database.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
        structuredClone: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
