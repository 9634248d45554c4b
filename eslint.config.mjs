import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      'coverage/',
      'data/',
      'test/bench/peer/',
      // Written by graphql-codegen (its TypedDocumentString class uses `any`); npm run lint checks it is current instead.
      'apps/auditor-console/src/gql/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  // Layout is Prettier's alone (npm run lint checks it); no ESLint rule argues with it.
  prettier,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-console': 'error',
      // Deep imports bypass a lib's public surface; go through @ledger/<lib>.
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@ledger/*/*'], message: 'Import a lib through its index: @ledger/<lib>.' }] },
      ],
    },
  },
  {
    files: [
      '**/*.spec.ts',
      'test/**/*.ts',
      'apps/govledger-cli/**/*.ts',
      '*.js',
      'bin/**/*.js',
      'scripts/**',
    ],
    // Tests read JSON bodies whose shape they assert; `any` there is the honest type.
    rules: {
      'no-console': 'off',
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
