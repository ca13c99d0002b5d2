// @ts-check
/**
 * ESLint flat config: eslint's and typescript-eslint's recommended rules for .ts/.js,
 * eslint-plugin-astro's recommended rules for .astro (frontmatter and <script> blocks), and a
 * few core rules beyond the recommended set. Formatting is prettier's job: no stylistic rules here.
 * Run with `npx eslint .` (part of `npm run check`).
 */
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import astro from 'eslint-plugin-astro';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    'dist/',
    '.astro/',
    'node_modules/',
    '.tools/',
    'public/ort/',
    'public/models/',
    'test-results/',
    'bench-results/',
    '.cache/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  astro.configs.recommended,
  {
    name: 'r2p/rules',
    rules: {
      // Unused code: allow an intentional _name, and rest siblings used to drop keys.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // TypeScript resolves names; plain JS here (the service worker, configs) runs in several global scopes.
      'no-undef': 'off',
      // Beyond the recommended set.
      'no-self-compare': 'error',
      'no-cond-assign': ['error', 'except-parens'],
      'no-template-curly-in-string': 'warn',
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Tests and scripts may assert non-null after checking with expect().
    name: 'r2p/tests',
    files: ['tests/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
