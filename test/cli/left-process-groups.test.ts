import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { CLI, runCli, TEST_HOME } from '../support/run-cli.js';

/** Processes whose command line is `marker` (the sleeps, not the shell or the sandbox that started them), by pid. */
function processesWith(marker: string): number[] {
  return readdirSync('/proc').flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      return command.trim() === marker && state !== 'Z' ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

describe('no process left behind', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-left-groups-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', '# Wait\n\nRun the long command.\n');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('a resumed run ends the command group a kill -9 left running, and says so', async () => {
    // Unique to this test process: other tests run sleeps of their own (`sleep 300`) at the same time.
    const marker = `sleep 300.${process.pid}`;
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [{ name: 'shell__run_command', arguments: { command: `${marker} & ${marker} & ${marker}; wait` } }],
      },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'resumed after the crash' } }] },
    );
    const worker = spawn(process.execPath, [CLI, 'run', 'goal.md'], {
      cwd: project.directory,
      env: { ...process.env, HOME: TEST_HOME, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    for (let waited = 0; processesWith(marker).length < 3; waited += 50) {
      assert.ok(waited < 30_000, 'the command started');
      await delay(50);
    }
    worker.kill('SIGKILL');
    await new Promise((resolve) => worker.once('exit', resolve));
    await delay(200);
    assert.equal(processesWith(marker).length, 3, "a kill -9 leaves the command's processes running");

    const resumed = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], { cwd: project.directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(processesWith(marker), [], 'the resumed run ended them');
    const warnings = resumed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; message?: string })
      .filter((event) => event.type === 'system' && event.subtype === 'warning');
    assert.ok(
      warnings.some((event) =>
        /ended 1 process group the previous session of this run left running: \d+ \(/.test(event.message ?? ''),
      ),
      JSON.stringify(warnings),
    );
  });
});
