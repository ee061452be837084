import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import prettier from 'eslint-config-prettier/flat';
import tseslint from 'typescript-eslint';

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
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'amqplib',
              message: 'Talk to RabbitMQ through hub/broker/ (the broker layer).',
            },
          ],
        },
      ],
    },
  },
  { files: ['hub/broker/**', 'test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
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
