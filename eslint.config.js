// @ts-check
/**
 * ESLint flat config: typescript-eslint's recommended rules for .ts/.js, eslint-plugin-astro's
 * recommended rules for .astro (frontmatter and <script> blocks), and a few core rules that
 * catch mistakes TypeScript does not. Formatting is prettier's job: no stylistic rules here.
 * Run with `npx eslint .` (part of `npm run check`).
 */
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
      // Core rules from eslint:recommended that TypeScript does not cover.
      'no-debugger': 'error',
      'no-duplicate-case': 'error',
      'no-empty-pattern': 'error',
      'no-self-assign': 'error',
      'no-self-compare': 'error',
      'no-unsafe-finally': 'error',
      'no-useless-catch': 'error',
      'no-cond-assign': ['error', 'except-parens'],
      'no-sparse-arrays': 'error',
      'no-async-promise-executor': 'error',
      'no-loss-of-precision': 'error',
      'no-irregular-whitespace': 'error',
      'no-prototype-builtins': 'error',
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
