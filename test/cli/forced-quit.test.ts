import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { waitUntilGroupGone } from '../fixtures/process-helpers.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

describe('a second Ctrl-C quits at once', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-forced-quit-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', '# Stubborn\n\nStart a job that ignores SIGTERM, then think for a long time.\n');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('and takes the background jobs with it, even one that ignores SIGTERM', async () => {
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          { name: 'shell__start_job', arguments: { command: 'trap "" TERM; sleep 300; true', name: 'stubborn' } },
        ],
      },
      { delayMs: 20_000, content: 'still thinking' },
    );
    let child: ChildProcess | undefined;
    const running = runCli(['run', 'goal.md'], { cwd: project.directory, onSpawn: (spawned) => (child = spawned) });
    for (let attempt = 0; attempt < 200 && server.chatRequests().length < 2; attempt += 1)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const started = server.chatRequests()[1]?.body.messages.find((message) => message.role === 'tool');
    const pid = Number(/pid (\d+)/.exec(String(started?.content))?.[1]);
    assert.ok(pid > 0, `the job started: ${String(started?.content)}`);

    child!.kill('SIGINT');
    child!.kill('SIGINT');
    const result = await running;
    assert.equal(result.code, 130);
    assert.match(
      result.stderr.trimEnd().split('\n').at(-1) ?? '',
      /^mux-swarm resume \S+$/,
      'the last line says how to resume',
    );
    assert.deepEqual(await waitUntilGroupGone(pid, 5_000), [], 'no process of the job is left');
  });
});
