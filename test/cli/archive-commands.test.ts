import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

describe('mux-swarm export and import', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let elsewhere: ProjectFixture;
  let runId: string;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-export-');
    elsewhere = createProjectFixture('mux-swarm-import-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }), agents: [] });
    project.write('goal.md', '# Notes\n\nWrite notes/plan.md.\n');
    const big = 'line of a long tool result\n'.repeat(4_000);
    project.write('work/data/big.txt', big);
    project.write('work/checkpoints/step-100/weights.bin', 'pretend weights');
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'notes/plan.md', content: '# Plan\n' } }] },
      { toolCalls: [{ name: 'fs__read_text_file', arguments: { path: 'data/big.txt' } }] },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'planned', artifacts: ['notes/plan.md'] } },
        ],
      },
    );
    const result = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    runId = (JSON.parse(result.stdout) as { session_id: string }).session_id;
  });

  after(async () => {
    await server.close();
    project.remove();
    elsewhere.remove();
  });

  it('exports a run and imports it into another directory, where show finds the same run, files and spilled results', async () => {
    const archive = join(elsewhere.directory, 'run.tar.gz');
    const exported = await runCli(['export', 'last', '-o', archive, '--exclude', 'checkpoints'], {
      cwd: project.directory,
    });
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(
      exported.stdout,
      new RegExp(`^Exported run ${runId} \\(succeeded\\) with \\d+ workdir entries to .*run\\.tar\\.gz \\(\\d`),
    );

    const target = join(elsewhere.directory, 'moved', 'work');
    const imported = await runCli(['import', archive, '--workdir', target], { cwd: elsewhere.directory });
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, new RegExp(`Imported run ${runId} \\(succeeded, goal "Notes"`));
    assert.match(imported.stdout, /passed SQLite's integrity and foreign-key checks/);

    assert.equal(readFileSync(join(target, 'notes', 'plan.md'), 'utf8'), '# Plan\n');
    assert.equal(existsSync(join(target, 'checkpoints')), false, '--exclude left the checkpoints out');
    assert.equal(existsSync(join(target, '.mux-swarm', 'state.db-wal')), false);
    const shown = await runCli(['show', runId, '--json', '--workdir', target], { cwd: elsewhere.directory });
    assert.equal(shown.code, 0, shown.stderr);
    const details = JSON.parse(shown.stdout) as {
      run: { id: string; status: string };
      toolCalls: Array<{ name: string; spilled_to: string | null }>;
    };
    assert.equal(details.run.id, runId);
    assert.equal(details.run.status, 'succeeded');
    const spilled = details.toolCalls.find((call) => call.name === 'fs__read_text_file')?.spilled_to;
    assert.ok(spilled, 'the long result was spilled to a file');
    assert.equal(
      readFileSync(join(target, spilled), 'utf8'),
      readFileSync(join(project.directory, 'work', 'data', 'big.txt'), 'utf8'),
      'the spilled file came along, at the same relative path',
    );
  });

  it('refuses to import into a directory that is not empty, and writes nothing there', async () => {
    const archive = join(elsewhere.directory, 'again.tar.gz');
    assert.equal((await runCli(['export', runId.slice(0, 12), '-o', archive], { cwd: project.directory })).code, 0);
    const occupied = join(elsewhere.directory, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep.txt'), 'mine');
    const result = await runCli(['import', archive, '--workdir', occupied], { cwd: elsewhere.directory });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /occupied is not empty; import into a new or empty directory \(nothing was written\)/);
    assert.deepEqual(readdirSync(occupied), ['keep.txt']);
  });

  it('refuses an archive that mux-swarm did not write, leaving no half-imported directory', async () => {
    const bogus = join(elsewhere.directory, 'bogus.tar.gz');
    writeFileSync(bogus, gzipSync(Buffer.from('not a tar archive at all')));
    const target = join(elsewhere.directory, 'never');
    const result = await runCli(['import', bogus, '--workdir', target], { cwd: elsewhere.directory });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /bogus\.tar\.gz (could not be unpacked|holds no readable manifest\.json)/);
    assert.equal(existsSync(target), false);
    assert.deepEqual(
      readdirSync(elsewhere.directory).filter((name) => name.includes('importing')),
      [],
    );
  });

  it('names an unknown run', async () => {
    const result = await runCli(['export', 'no-such-run', '-o', join(elsewhere.directory, 'x.tar.gz')], {
      cwd: project.directory,
    });
    assert.equal(result.code, 2, 'no such run: a usage error, as in every command that takes a run');
    assert.match(result.stderr, /no run "no-such-run"; see `mux-swarm runs`/);
  });

  it('moves a run killed mid-way to another directory, where resume finishes it without redoing the finished steps', async () => {
    const moving = createProjectFixture('mux-swarm-export-moving-');
    try {
      moving.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      moving.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
      moving.write('goal.md', '# Two steps\n\nRecord step one, then step two.\n');
      server.reset();
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo one >> steps.log' } }] },
        { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo two >> steps.log' } }] },
        {
          toolCalls: [
            { name: 'complete', arguments: { status: 'success', summary: 'both steps', artifacts: ['steps.log'] } },
          ],
        },
      );
      const killed = await runCli(['run', 'goal.md'], {
        cwd: moving.directory,
        env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1' },
      });
      assert.equal(killed.signal, 'SIGKILL');
      const archive = join(elsewhere.directory, 'moving.tar.gz');
      assert.equal((await runCli(['export', 'last', '-o', archive], { cwd: moving.directory })).code, 0);

      const target = join(elsewhere.directory, 'moved-run');
      assert.equal((await runCli(['import', archive, '--workdir', target], { cwd: elsewhere.directory })).code, 0);
      const resumed = await runCli(['resume', '--workdir', target, '--output-format', 'json'], {
        cwd: moving.directory,
      });
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.equal((JSON.parse(resumed.stdout) as { result: string }).result, 'both steps');
      assert.equal(
        readFileSync(join(target, 'steps.log'), 'utf8'),
        'one\ntwo\n',
        'step one ran once (before the move), step two after it',
      );
      assert.equal(
        readFileSync(join(moving.directory, 'work', 'steps.log'), 'utf8'),
        'one\n',
        'the original workdir was left alone',
      );
      assert.equal(server.chatRequests().length, 3, 'no model call was made twice');
    } finally {
      moving.remove();
    }
  });
});
