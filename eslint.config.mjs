// ESLint: typescript-eslint's type-checked rules over every hand-written file,
// plus a few stricter ones that catch real mistakes here. `npm run lint` (npm
// test runs it before the tests). A rule is off or tuned only with its reason.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    // Build output, generated Kaitai parsers, scratch images and test temp folders.
    ignores: [
      'dist/**',
      'node_modules/**',
      'src/core/generated/**',
      '.scratch/**',
      '.vscode-test/**',
      '.diskx-bench/**',
      'test/.*/**',
      '**/*.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  {
    files: ['**/*.ts'],
    extends: [...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // The code writes `xs[i]!` as if noUncheckedIndexedAccess were on (an index can miss);
      // the rule reads the compiler options and calls every one of those unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // async methods that fulfil a Promise-returning interface (ByteSource.read, CliCommand.run)
      // without awaiting anything are fine: the interface, not the body, makes them async.
      '@typescript-eslint/require-await': 'off',
      // `_token` parameters are required by the VS Code interfaces they implement (tsc's noUnusedParameters agrees).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // AbortSignal.reason is the caller's own abort reason; it is passed on as it came.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true }],
      // Stricter than recommended, and clean here: keep it so.
      eqeqeq: ['error', 'smart'],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // node:test's test()/describe() return promises the runner awaits itself.
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite', 'before', 'after', 'beforeEach', 'afterEach'] },
          ],
        },
      ],
      // Tests read JSON.parse output and values evaluated in a browser page, which are `any` by
      // design; the assertions are what check their shape.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The CLI's column alignment is asserted space for space.
      'no-regex-spaces': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
