import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { httpRequest, startServe } from '../support/dashboard-client.js';

/**
 * `serve` started before the first run: the run creates the database and migrates it one migration at a time
 * while the dashboard is asked for the runs. Before the dashboard waited for the last migration, about one answer
 * in ten during that window was a 500 ("no such table: runs", "no such column: phases_json").
 */
describe('the dashboard while the first run creates the state database', () => {
  let server: FakeOpenAIServer;
  before(async () => (server = await startFakeOpenAIServer()));
  after(async () => await server.close());

  it('answers every read with the runs so far (none, then the run), never an error', async () => {
    const answers: string[] = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      server.reset();
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done', artifacts: [] } }] },
      );
      const project = createProjectFixture('mux-swarm-dashboard-first-');
      project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
      project.write('goal.md', '# First\n\nFinish.\n');
      const serve = await startServe([], { cwd: project.directory });
      try {
        let finished = false;
        const running = runCli(['run', 'goal.md'], { cwd: project.directory }).finally(() => (finished = true));
        while (!finished) {
          const answer = await httpRequest(`${serve.base}/api/runs`);
          answers.push(answer.status === 200 ? `runs: ${JSON.parse(answer.body).runs.length}` : answer.body);
        }
        assert.equal((await running).code, 0);
        const last = JSON.parse((await httpRequest(`${serve.base}/api/runs`)).body);
        assert.equal(last.runs.length, 1);
      } finally {
        await serve.stop();
        project.remove();
      }
    }
    assert.deepEqual(
      answers.filter((answer) => !/^runs: [01]$/.test(answer)),
      [],
      `${answers.length} reads`,
    );
  });
});
