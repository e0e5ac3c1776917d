// Lint for what the compiler does not catch: hooks called conditionally or with
// stale dependencies, unused code, and the usual JS traps. `npm test` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/', 'dist-cli/', '.cache/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Trace text is matched for control characters on purpose (invisible text, ANSI, fuzzers).
      'no-control-regex': 'off',
    },
  },
  // src/trace has no React: a method named `use` is not a hook.
  { files: ['src/trace/**'], rules: { 'react-hooks/rules-of-hooks': 'off', 'react-hooks/exhaustive-deps': 'off' } },
  // Declaring globals needs `var`.
  { files: ['**/*.d.ts'], rules: { 'no-var': 'off' } },
  // Tests and scripts read raw JSON of any shape.
  { files: ['test/**', 'scripts/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
);
