// Type-aware linting for every TypeScript and JavaScript file in the project.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/**', 'bench/results/**'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
      // TypeScript checks names (checkJs covers the plain JavaScript files), and knows Node's globals.
      'no-undef': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox (which replaces Date and Math.random):
    // no Node built-ins, no I/O, no validation libraries, activities as types only.
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['node:*', 'fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'crypto'], message: 'Workflow code must not use Node built-ins.' },
          { group: ['zod', 'undici', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'], message: 'Workflow code imports only @temporalio/workflow, its own pure helpers and types.' },
          { group: ['../activities/*', '../activities/**'], allowTypeImports: true, message: 'Import activities into workflows as types only.' },
          {
            group: ['**/lib/poll-until*'],
            message: 'A workflow waits with sleep or condition from @temporalio/workflow; polling on timers is for activities, processes and tests.',
          },
        ],
      }],
    },
  },
  {
    // lib/ is imported by workflow code and by everything else, so it depends on nothing but itself.
    files: ['lib/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!\\./)', message: 'lib/ imports only lib/.' }] }],
    },
  },
);
