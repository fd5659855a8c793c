import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/** Every command that takes a run, as it is called with `run` naming it. */
const COMMANDS_WITH_A_RUN: Array<(run: string) => string[]> = [
  (run) => ['show', run],
  (run) => ['show', run, '--json'],
  (run) => ['report', run],
  (run) => ['results', run],
  (run) => ['resume', run],
  (run) => ['export', run, '-o', 'out.tar.gz'],
  (run) => ['export', run, '--cassette', '-o', 'out.jsonl'],
  (run) => ['replay', run],
];

describe('a run that cannot be found: exit 2 ("usage: no such run") in every command that takes one', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let runId: string;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-run-lookup-');
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, free: true } },
      }),
    );
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
    project.write('goal.md', '# Say done\nSay done.\n');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('before any run: every command says no runs are recorded, exit 2', async () => {
    for (const command of COMMANDS_WITH_A_RUN) {
      const args = command('last');
      const result = await runCli(args, { cwd: project.directory });
      assert.equal(result.code, 2, `${args.join(' ')}\n${result.stderr}`);
      assert.match(result.stderr, /no runs recorded/, args.join(' '));
    }
  });

  it('after a run: an unknown id exits 2 with "no run" in every command; show without a run shows the newest', async () => {
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done' } }] },
    );
    const run = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(run.code, 0, run.stderr);
    runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;

    for (const command of COMMANDS_WITH_A_RUN) {
      const args = command('nosuchrun');
      const result = await runCli(args, { cwd: project.directory });
      assert.equal(result.code, 2, `${args.join(' ')}\n${result.stderr}`);
      assert.match(result.stderr, /no run "nosuchrun"/, args.join(' '));
    }

    const shown = await runCli(['show'], { cwd: project.directory });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^run ${runId}: `));
  });
});
