import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli } from '../support/run-cli.js';

describe('init leaves no dead end: the directories its config names exist', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-init-dirs-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('init in an empty directory creates workspace/, so mcp list and agents work straight after it; agents fits 100 columns', async () => {
    const init = await runCli(['init'], { cwd: directory });
    assert.equal(init.code, 0, init.stderr);
    assert.ok(statSync(join(directory, 'workspace')).isDirectory(), 'init creates the workdir its config.json names');

    const mcp = await runCli(['mcp', 'list'], { cwd: directory });
    assert.equal(mcp.code, 0, mcp.stderr);
    assert.doesNotMatch(mcp.stderr, /does not exist/);

    const agents = await runCli(['agents'], { cwd: directory });
    assert.equal(agents.code, 0, agents.stderr);
    assert.equal(agents.stderr, '', 'agents prints no warning straight after init');
    const widest = Math.max(...agents.stdout.split('\n').map((line) => line.length));
    assert.ok(widest <= 100, `the agents table fits 100 columns (its widest line: ${widest})`);
    assert.match(agents.stdout, /^orchestrator .*fs \(6 of 14\),/m, 'a server granted in part is counted, not listed');
    const wide = await runCli(['agents', '--wide'], { cwd: directory });
    assert.match(
      wide.stdout,
      /^orchestrator .*fs__read_text_file, fs__read_multiple_files, .*training__list/m,
      '--wide lists every tool on one line',
    );
  });

  it('init --preset creates the workdir of the preset as well', async () => {
    const presetDirectory = join(directory, 'team');
    const init = await runCli(['init', '--preset', 'local-dev-team', presetDirectory], { cwd: directory });
    assert.equal(init.code, 0, init.stderr);
    assert.ok(statSync(join(presetDirectory, 'workspace')).isDirectory());
  });
});
