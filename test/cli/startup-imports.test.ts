import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, REPOSITORY_ROOT } from '../support/run-cli.js';

/**
 * The start-up rule (docs/cli.md, "Start-up"): building the command tree loads commander and the command modules,
 * nothing else; each command loads its machinery (zod schemas, SQLite, the MCP SDK, the model client, pg) when it
 * runs. Checked by what the module loader resolves, not by a clock: a heavy static import in any command module
 * fails here on any machine.
 */
const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-startup-imports-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const hook = join(directory, 'log-resolved.mjs');
const resolveHook = 'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); process.stderr.write(`resolved ${resolved.url}\\n`); return resolved; }';
writeFileSync(hook, `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolveHook)}`)});\n`);

/** The packages (node_modules) and the project modules that `mux-swarm <args>` loads. */
function loaded(args: string[]): { packages: Set<string>; modules: Set<string> } {
  const result = spawnSync(process.execPath, ['--import', hook, CLI, ...args], { cwd: directory, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: directory } });
  assert.equal(result.status, 0, result.stderr);
  const urls = result.stderr.split('\n').flatMap((line) => (line.startsWith('resolved ') ? [line.slice('resolved '.length)] : []));
  const packages = new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
  const modules = new Set(urls.filter((url) => url.startsWith('file:') && !url.includes('/node_modules/')).map((url) => url.replace(`file://${REPOSITORY_ROOT}/`, '')));
  return { packages, modules };
}

for (const args of [['--version'], ['--help'], ['run', '--help']]) {
  test(`mux-swarm ${args.join(' ')} loads commander and the command tree, nothing heavier`, () => {
    const { packages, modules } = loaded(args);
    assert.deepEqual([...packages], ['commander']);
    for (const heavy of ['dist/cli/project.js', 'dist/cli/run-session.js', 'dist/config/load-config.js', 'dist/state/database.js', 'dist/tools/tool-hub.js']) {
      assert.ok(!modules.has(heavy), `${heavy} is loaded by mux-swarm ${args.join(' ')}`);
    }
  });
}
