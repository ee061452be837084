import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

const onlyBroker = {
  name: 'amqplib',
  message: 'Talk to RabbitMQ through hub/broker/ (the broker layer).',
};
// Types may be named (a repository's signature); queries are built in hub/store/ only.
const onlyStore = {
  name: 'knex',
  allowTypeImports: true,
  message:
    'Build SQL in a repository under hub/store/ and call it; no module outside the store uses knex (issue 14 item 5).',
};

export default defineConfig(
  { ignores: ['dist/', 'data/', 'node_modules/', 'schemas/types.gen.ts'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '.mocharc.cjs', 'bin/*.js', '.ci/*.js'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      'no-restricted-imports': ['error', { paths: [onlyBroker, onlyStore] }],
    },
  },
  // The broker layer talks to RabbitMQ, the store to the database (issue 14 item 5); each only that.
  {
    files: ['hub/broker/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyStore] }] },
  },
  {
    files: ['hub/store/**', 'migrations/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [onlyBroker] }] },
  },
  { files: ['test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
  {
    // Settlement is decided once and carried out in one place (DESIGN principle 7).
    files: ['hub/**', 'connectors/**', 'bin/**'],
    ignores: ['hub/broker/**', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'CallExpression[callee.property.name=/^n?ack$/]',
          message:
            'Return a Settlement and carry it out with settle() (hub/broker/settle.ts); nothing else acks or nacks.',
        },
      ],
    },
  },
  {
    files: ['**/*.test.ts', 'test/**'],
    rules: {
      '@typescript-eslint/no-unused-expressions': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  { files: ['**/*.js', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  prettier,
);
