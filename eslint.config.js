// ESLint for mux-swarm: the recommended rules of ESLint and typescript-eslint (syntax only, no type information, so
// it stays fast on a busy CI box) and the layer table of docs/architecture.md, read from the page itself.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { layerBoundaries } from './lint/layer-boundaries.js';
import { readLayerTable } from './lint/layer-table.js';

export default defineConfig([
  // What a build, a test or a run writes (as .gitignore lists it).
  { ignores: ['dist/', 'schemas/', 'test-output/', 'tmp/', '**/workspace/', '**/.mux-swarm/'] },
  { files: ['**/*.{js,mjs,ts}'], extends: [js.configs.recommended] },
  { files: ['**/*.ts'], extends: [tseslint.configs.recommended] },
  { files: ['**/*.{js,mjs}'], languageOptions: { globals: globals.node } },
  {
    rules: {
      // tsc reports unused locals and parameters already (noUnusedLocals, noUnusedParameters), and accepts what
      // this rule would add: `_`-named rest siblings that drop a field, and zod schemas used only by `z.infer`.
      '@typescript-eslint/no-unused-vars': 'off',
      // Terminal escapes (\x1b) are what the output scrubbers and the terminal tests match, on purpose.
      'no-control-regex': 'off',
      // Tests match rendered columns: `/a  b/` reads as the output does, `/a {2}b/` does not.
      'no-regex-spaces': 'off',
      // A variable a closure reads before its one assignment (a server's handler naming the server) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'mux-swarm': { rules: { 'layer-boundaries': layerBoundaries } } },
    rules: {
      'mux-swarm/layer-boundaries': ['error', { root: import.meta.dirname, layers: readLayerTable() }],
      // Output goes through the logger and the event stream; the CLI alone writes to the terminal.
      'no-console': 'error',
    },
  },
  { files: ['src/cli/**/*.ts'], rules: { 'no-console': 'off' } },
  // The dashboard's client: browser scripts (no modules, no build step) sharing the helpers of common.js.
  {
    files: ['web/dashboard/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: {
        ...globals.browser,
        ...Object.fromEntries(
          ['el', 'getJson', 'postAction', 'costText', 'durationText', 'tokensText', 'phaseText', 'statusBadge']
            .concat(['mainElement', 'showError'])
            .map((name) => [name, 'readonly']),
        ),
      },
    },
  },
  { files: ['web/dashboard/common.js'], rules: { 'no-unused-vars': 'off', 'no-redeclare': 'off' } },
]);
