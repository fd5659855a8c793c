import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  FORBIDDEN_IN_PACKAGE,
  installGlobally,
  pack,
  REQUIRED_IN_PACKAGE,
  type PackedTarball,
} from '../support/packed-package.js';
import { runInstalled } from '../support/run-installed.js';
import { REPOSITORY_ROOT } from '../support/run-cli.js';

/**
 * The package as npm packs it, installed into an empty prefix and run from there, like a user's `npm install -g`.
 * Packed from the dist/ `npm test` has just built (`--ignore-scripts`: no prepack rebuild under the other tests) and
 * installed without dependencies' install scripts (no SQLite compile; these commands open no database). The full
 * path — prepack build in a clean copy, install scripts, the SQLite addon — is `npm run test:package`
 * (test/package/package-install.slow-test.ts), run by .ci/run.
 */
describe('the packed package, installed with npm install -g --prefix', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-pack-'));
  let tarball: PackedTarball;
  let command: string;
  before(() => {
    tarball = pack(REPOSITORY_ROOT, directory, { ignoreScripts: true });
    command = installGlobally(tarball.path, join(directory, 'prefix'), { ignoreScripts: true, timeoutMs: 300_000 });
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('ships what the CLI reads at run time, and no tests, fixtures, sources or source maps', () => {
    for (const path of REQUIRED_IN_PACKAGE)
      assert.ok(tarball.files.includes(path), `${path} is missing from the package`);
    assert.deepEqual(
      tarball.files.filter((path) => FORBIDDEN_IN_PACKAGE.test(path)),
      [],
    );
  });

  it('runs --version, init and validate from the prefix', async () => {
    assert.ok(existsSync(command), `${command} was not installed`);
    const { version } = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as { version: string };
    const versionRun = await runInstalled(command, ['--version'], directory);
    assert.equal(versionRun.code, 0, versionRun.stderr);
    assert.equal(versionRun.stdout.trim(), version);

    const project = join(directory, 'project');
    mkdirSync(project);
    const init = await runInstalled(command, ['init'], project);
    assert.equal(init.code, 0, init.stderr);
    // The starter files come from the installed package, and name its schema.
    const schema = (JSON.parse(readFileSync(join(project, 'config.json'), 'utf8')) as { $schema: string }).$schema;
    assert.ok(schema.startsWith('file://') && schema.includes('/prefix/lib/node_modules/mux-swarm/schemas/'), schema);
    assert.ok(existsSync(fileURLToPath(schema)), schema);

    const validate = await runInstalled(command, ['validate', 'goals/example.md'], project);
    assert.equal(validate.code, 0, validate.stderr);
    assert.match(validate.stdout, /config\.json: ok/);
    assert.match(validate.stdout, /swarm\.json: ok/);
  });
});
