// The linter's rules: JavaScript's and typescript-eslint's recommended sets, with the few choices below.
// `npm run lint` runs it with the formatter's check and the type checker.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/dist/', '**/node_modules/', 'packages/sdk/src/schema.ts', 'test-results/', 'bench/results/', 'data/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // A closure may read a variable that is assigned once, later (the server's app, bound before it exists).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // Usher finds, rejects and escapes control characters on purpose; this rule flags exactly those checks.
      'no-control-regex': 'off',
      // A leading underscore says "deliberately unused" (a callback's fixed parameter, a field taken out of a rest).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true, caughtErrors: 'none' },
      ],
    },
  },
  {
    // Tests read JSON answers whose shape the assertions check; typing each body would only restate them.
    files: ['test/**', '**/*.test.ts', 'bench/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Migrations are frozen against no schema (Kysely's documented Kysely<any>), and the store copy, keyset pages
    // and statement helpers work over any table.
    files: ['src/db/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The browser scripts of the example and the pages run in a browser.
    files: ['examples/host-app/public/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
);
