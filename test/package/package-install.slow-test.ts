import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  copyPackageSources,
  FORBIDDEN_IN_PACKAGE,
  installGlobally,
  pack,
  REQUIRED_IN_PACKAGE,
  type PackedTarball,
} from '../support/packed-package.js';
import { runInstalled } from '../support/run-installed.js';

/**
 * `npm run test:package` (run by .ci/run after `npm test`; not part of it, because installing compiles better-sqlite3
 * from source: about 65 s of the 2.5–3 min this takes on a 2-core machine). The whole path a release takes: a clean copy
 * of the sources with no dist/, `npm pack` running `prepack` (the build, schemas included), then
 * `npm install -g --prefix` with every install script, and the installed CLI run from the prefix.
 */
describe('npm pack with its prepack build, then npm install -g --prefix with install scripts', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-package-'));
  const sources = join(directory, 'sources');
  let tarball: PackedTarball;
  let command: string;
  before(() => {
    mkdirSync(sources);
    copyPackageSources(sources);
    tarball = pack(sources, directory, { ignoreScripts: false });
    command = installGlobally(tarball.path, join(directory, 'prefix'), { ignoreScripts: false, timeoutMs: 600_000 });
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('prepack built dist/ and the schemas into the package, and nothing that is not shipped', () => {
    assert.ok(existsSync(join(sources, 'dist', 'cli', 'main.js')), 'prepack did not build');
    for (const path of REQUIRED_IN_PACKAGE)
      assert.ok(tarball.files.includes(path), `${path} is missing from the package`);
    assert.deepEqual(
      tarball.files.filter((path) => FORBIDDEN_IN_PACKAGE.test(path)),
      [],
    );
  });

  it('the installed CLI runs --version, init and validate, and its SQLite addon is built', async () => {
    const project = join(directory, 'project');
    mkdirSync(project);
    const version = await runInstalled(command, ['--version'], project);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(
      version.stdout.trim(),
      (JSON.parse(readFileSync(join(sources, 'package.json'), 'utf8')) as { version: string }).version,
    );
    const init = await runInstalled(command, ['init'], project);
    assert.equal(init.code, 0, init.stderr);
    const validate = await runInstalled(command, ['validate', 'goals/example.md'], project);
    assert.equal(validate.code, 0, validate.stderr);
    // The run state lives in SQLite: the dependency's install script compiled its addon in the prefix.
    const installed = join(directory, 'prefix', 'lib', 'node_modules', 'mux-swarm');
    const sqlite = await runInstalled(
      process.execPath,
      [
        '-e',
        "const D = require('better-sqlite3'); console.log(new D(':memory:').prepare('select 41 + 1 as n').get().n)",
      ],
      installed,
    );
    assert.equal(sqlite.code, 0, sqlite.stderr);
    assert.equal(sqlite.stdout.trim(), '42');
  });
});
