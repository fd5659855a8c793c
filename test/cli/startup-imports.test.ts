import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
const resolveHook =
  'export async function resolve(specifier, context, next) { const resolved = await next(specifier, context); process.stderr.write(`resolved ${resolved.url}\\n`); return resolved; }';
writeFileSync(
  hook,
  `import { register } from 'node:module';\nregister(${JSON.stringify(`data:text/javascript,${encodeURIComponent(resolveHook)}`)});\n`,
);

/** The packages (node_modules) and the project modules that `mux-swarm <args>` loads. */
function loaded(
  args: string[],
  options: { bundle: boolean } = { bundle: false },
): { packages: Set<string>; modules: Set<string> } {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: directory,
    ...(options.bundle ? {} : { MUX_SWARM_NO_BUNDLE: '1' }),
  };
  const result = spawnSync(process.execPath, ['--import', hook, CLI, ...args], {
    cwd: directory,
    encoding: 'utf8',
    env,
  });
  assert.equal(result.status, 0, result.stderr);
  const urls = result.stderr
    .split('\n')
    .flatMap((line) => (line.startsWith('resolved ') ? [line.slice('resolved '.length)] : []));
  const packages = new Set(urls.flatMap((url) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1] ?? []));
  const modules = new Set(
    urls
      .filter((url) => url.startsWith('file:') && !url.includes('/node_modules/'))
      .map((url) => url.replace(`file://${REPOSITORY_ROOT}/`, '')),
  );
  return { packages, modules };
}

for (const args of [['--version'], ['--help'], ['run', '--help']]) {
  test(`mux-swarm ${args.join(' ')} loads commander and the command tree, nothing heavier`, () => {
    const { packages, modules } = loaded(args);
    assert.deepEqual([...packages], ['commander']);
    for (const heavy of [
      'dist/cli/project.js',
      'dist/cli/run-session.js',
      'dist/config/load-config.js',
      'dist/state/database.js',
      'dist/tools/tool-hub.js',
    ]) {
      assert.ok(!modules.has(heavy), `${heavy} is loaded by mux-swarm ${args.join(' ')}`);
    }
  });
}

/** Bytes of the bundle's files (dist/bundle/) among `modules`. */
function bundleBytes(modules: Iterable<string>): number {
  return [...modules]
    .filter((module) => module.startsWith('dist/bundle/'))
    .reduce((sum, module) => sum + statSync(join(REPOSITORY_ROOT, module)).size, 0);
}

test('the bundle keeps the lazy loading: --version and run --help read a small part of it, a command more', () => {
  const bundle = join(REPOSITORY_ROOT, 'dist', 'bundle');
  assert.ok(existsSync(join(bundle, 'main.js')), 'npm run build writes the bundle');
  assert.ok(
    statSync(join(bundle, 'main.js')).mtimeMs >= statSync(join(REPOSITORY_ROOT, 'dist', 'cli', 'main.js')).mtimeMs,
    'the bundle is older than the compiled modules: run `npm run build` (npm test does)',
  );
  const total = bundleBytes(readdirSync(bundle).map((name) => `dist/bundle/${name}`));
  for (const args of [['--version'], ['run', '--help']]) {
    const { packages, modules } = loaded(args, { bundle: true });
    assert.deepEqual([...packages], [], 'everything it needs is in the bundle');
    assert.ok(
      bundleBytes(modules) < total / 10,
      `mux-swarm ${args.join(' ')} read ${bundleBytes(modules)} of the bundle's ${total} bytes`,
    );
  }
  assert.ok(
    bundleBytes(loaded(['completion', '--list-runs'], { bundle: true }).modules) >
      bundleBytes(loaded(['--version'], { bundle: true }).modules),
    'a command loads its machinery when it runs',
  );
});
