// Type-aware linting for every TypeScript and JavaScript file in the project, and the direction of
// its dependencies (docs/design.md#dependency-rules).
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/** An import of one of the repository's top-level folders, from anywhere below another one. @param {string[]} names */
const folders = (...names) => `^(\\.\\./)+(${names.join('|')})/`;

const PRODUCT = [
  'activities',
  'apps',
  'client',
  'config',
  'contracts',
  'domain',
  'lib',
  'workflows',
];
const NOT_PRODUCT = {
  regex: folders('simulator', 'chaos', 'bench', 'test', 'demo'),
  message: 'Product code never depends on the simulator, chaos, bench, the demo or tests.',
};
const NODE_BUILTINS = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];
const SIDE_EFFECT_PACKAGES = [
  'zod',
  'undici',
  'yaml',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/envconfig',
];

/** What deterministic code (workflows and the pure parts below them) may not import. @param {string} message */
const deterministic = (message) => [
  // Exact names: a pattern 'domain' (a Node built-in) would also match ../domain/.
  { regex: `^(${NODE_BUILTINS.join('|')})(/.*)?$`, message: `${message}: no Node built-ins.` },
  { group: SIDE_EFFECT_PACKAGES, message: `${message}: no I/O, client or validation libraries.` },
];

/**
 * @param {string[]} files
 * @param {object[]} patterns
 * @returns {import('eslint').Linter.Config}
 */
const restrict = (files, patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

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
  restrict(['apps/**', 'client/**', 'config/**'], [NOT_PRODUCT]),
  restrict(
    ['activities/**'],
    [
      NOT_PRODUCT,
      {
        regex: folders('workflows', 'apps', 'client'),
        message:
          'Activities never import workflows or processes: what both need lives in domain/ or contracts/.',
      },
    ],
  ),
  // Workflow code runs in Temporal's deterministic sandbox (which replaces Date and Math.random).
  restrict(
    ['workflows/**'],
    [
      NOT_PRODUCT,
      ...deterministic('Workflow code'),
      {
        regex: folders('apps', 'client', 'config'),
        message:
          'Workflow code imports only @temporalio/workflow, domain/, contracts/, lib/ and its own helpers.',
      },
      {
        regex: folders('activities'),
        allowTypeImports: true,
        message: 'Import activities into workflows as types only.',
      },
      {
        regex: 'lib/poll-until',
        message:
          'A workflow waits with sleep or condition from @temporalio/workflow; polling on timers is for activities, processes and tests.',
      },
    ],
  ),
  // The contracts are shared by workflows and their clients, so they are as deterministic as workflows.
  restrict(
    ['contracts/**'],
    [
      NOT_PRODUCT,
      ...deterministic('Contracts'),
      {
        regex: folders('workflows', 'apps', 'client', 'config'),
        message: 'Contracts import only @temporalio/workflow, domain/ and lib/.',
      },
      {
        regex: folders('activities'),
        allowTypeImports: true,
        message: "Contracts name activities' results as types only.",
      },
    ],
  ),
  restrict(
    ['domain/**'],
    [
      NOT_PRODUCT,
      ...deterministic('Domain decisions are pure'),
      { group: ['@temporalio/*'], message: 'Domain decisions are pure: no Temporal.' },
      {
        regex: folders('workflows', 'activities', 'apps', 'client', 'config'),
        message: 'Domain decisions import only contracts/ (as types), lib/ and each other.',
      },
    ],
  ),
  restrict(
    ['lib/**'],
    [
      {
        regex: '^\\.\\./',
        message: 'lib/ is plumbing below everything: it imports nothing outside lib/.',
      },
      {
        regex: '^[^.]',
        message: 'lib/ is imported by workflow code: no packages, no Node built-ins.',
      },
    ],
  ),
  // The simulator is the test peer: sharing code with Lazarus would let it agree with Lazarus's mistakes.
  restrict(
    ['simulator/**'],
    [
      {
        regex: folders(...PRODUCT, 'chaos', 'bench', 'test', 'demo'),
        message:
          'The simulator shares no code with Lazarus (docs/design.md#simulator-shares-no-code).',
      },
    ],
  ),
);
