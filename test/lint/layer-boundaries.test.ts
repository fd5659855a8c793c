import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';
import { parseLayerTable, readLayerTable } from '../../lint/layer-table.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

const TABLE = `## Layers
| folder | owns | must not import |
|---|---|---|
| \`src/cli/\` | argv | — |
| \`src/runtime/\` | the loop | cli |
| \`src/servers/<name>/\` | built-in servers | runtime, \`cli\` |
| \`src/errors/\` | errors, with a \\| bar | everything above it |
| \`src/build/\` | build steps | everything but \`config/package-root\` |
| \`src/config/\` | schemas | runtime |
Prose after the table.
`;

/** The layer-boundaries messages ESLint, with the repository's eslint.config.js, gives `code` as the file `path`. */
async function boundaryMessages(path: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: REPOSITORY_ROOT }).lintText(code, { filePath: join(REPOSITORY_ROOT, path) });
  return result!.messages
    .filter((message) => message.ruleId === 'mux-swarm/layer-boundaries')
    .map((message) => message.message);
}

describe('the layer table of docs/architecture.md, as lint rules', () => {
  it('reads each row: none, a list, everything above it, everything but a module', () => {
    assert.deepEqual(parseLayerTable(TABLE), [
      { folder: 'cli', cell: '—', forbidden: [], allowed: [] },
      { folder: 'runtime', cell: 'cli', forbidden: ['cli'], allowed: [] },
      { folder: 'servers', cell: 'runtime, `cli`', forbidden: ['runtime', 'cli'], allowed: [] },
      { folder: 'errors', cell: 'everything above it', forbidden: ['cli', 'runtime', 'servers'], allowed: [] },
      {
        folder: 'build',
        cell: 'everything but `config/package-root`',
        forbidden: ['cli', 'runtime', 'servers', 'errors', 'config'],
        allowed: ['config/package-root'],
      },
      { folder: 'config', cell: 'runtime', forbidden: ['runtime'], allowed: [] },
    ]);
  });

  it('refuses a cell it cannot read, naming the row, rather than enforcing less than the table says', () => {
    assert.throws(
      () => parseLayerTable(TABLE.replace('| runtime |', '| runtime, metrics |')),
      /row src\/config\/: "runtime, metrics" names metrics, which has no row/,
    );
    assert.throws(
      () => parseLayerTable(TABLE.replace('everything above it', 'most things')),
      /row src\/errors\/: "most things" names most things/,
    );
  });

  it('has a layer for every folder of src/', () => {
    const layers = readLayerTable().map((layer) => layer.folder);
    const folders = readdirSync(join(REPOSITORY_ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    for (const folder of folders) assert.ok(layers.includes(folder), `src/${folder}/ has no layer`);
  });

  it('fails an import against the table with a message that names the folders and the table', async () => {
    assert.deepEqual(
      await boundaryMessages('src/runtime/lint-probe.ts', "import { main } from '../cli/main.js';\nexport { main };\n"),
      [
        `src/runtime must not import src/cli (docs/architecture.md layer table: "${readLayerTable().find((layer) => layer.folder === 'runtime')!.cell}")`,
      ],
    );
  });

  it('checks dynamic imports, re-exports and import types as well as import declarations', async () => {
    const code =
      "export * from '../../runtime/a.js';\nexport const b = () => import('../../runtime/b.js');\nexport type C = typeof import('../../runtime/c.js');\n";
    assert.equal((await boundaryMessages('src/servers/lint-probe/probe.ts', code)).length, 3);
  });

  it('resolves each import: a subfolder named like a layer is not that layer', async () => {
    assert.deepEqual(
      await boundaryMessages('src/servers/lint-probe/probe.ts', "export * from './runtime/a.js';\n"),
      [],
    );
  });

  it('lets src/build/ import the one module its row allows', async () => {
    assert.deepEqual(
      await boundaryMessages('src/build/lint-probe.ts', "export * from '../config/package-root.js';\n"),
      [],
    );
    assert.equal(
      (await boundaryMessages('src/build/lint-probe.ts', "export * from '../config/load-config.js';\n")).length,
      1,
    );
  });
});
