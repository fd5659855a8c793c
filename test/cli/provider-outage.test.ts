import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedResponse } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const complete = (summary: string): ScriptedResponse => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts: [] } }],
});

/** How the provider fails once it is down: each outage the issue measured. */
const OUTAGES: Record<string, ScriptedResponse> = {
  'HTTP 500s': { error: { status: 500, message: 'upstream overloaded' } },
  'a stream cut mid-reply': { content: 'I will now call the tool and then', hangUpAfterChunks: 1 },
  'a hang': { delayMs: 60_000, content: 'too late' },
  'a garbage body': { error: { status: 200, body: '<html><body>Bad gateway</body></html>' } },
};

/**
 * The orchestrator delegates to the coder; the coder appends a line to count.log with the shell (so running it twice
 * shows), and from then on the provider is down. The run must stop resumably (exit 75), and a `resume` once the
 * provider answers again must finish it, asking the failed call again and never running the shell command twice.
 */
describe('a provider outage that outlasts the retries', { concurrency: 1 }, () => {
  let server: FakeOpenAIServer;
  let down: ScriptedResponse | undefined;
  const projects: ProjectFixture[] = [];

  before(async () => {
    server = await startFakeOpenAIServer({ fallback: () => down });
  });
  after(async () => {
    for (const project of projects) project.remove();
    await server.close();
  });

  for (const [name, outage] of Object.entries(OUTAGES)) {
    it(`${name} after a shell command ran: the run stops with exit 75, and resume finishes it without running the command again`, async () => {
      server.reset();
      down = undefined;
      const project = createProjectFixture('mux-swarm-outage-');
      projects.push(project);
      project.write(
        'config.json',
        fakeConfig(server.baseURL, {
          providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 1_500 } },
          filesystem: { workdir: 'work' },
        }),
      );
      project.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator'),
        agents: [fakeAgent('coder', { mcpServers: ['shell'] })],
      });
      project.write('goal.md', '# Count\n\nHave the coder append a line to count.log.\n');
      server.route(
        { model: 'orchestrator-model' },
        { toolCalls: [{ name: 'delegate', arguments: { agent: 'coder', task: 'Append "once" to count.log.' } }] },
      );
      server.route({ model: 'coder-model' }, () => {
        down = outage; // every request after this reply fails the same way
        return { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }] };
      });

      const failed = await runCli(['run', 'goal.md', '--output-format', 'json'], {
        cwd: project.directory,
        timeoutMs: 60_000,
      });
      assert.equal(failed.code, 75, failed.stderr + failed.stdout);
      const result = JSON.parse(failed.stdout.trim().split('\n').at(-1)!) as {
        subtype: string;
        result: string;
        run_id: string;
      };
      assert.equal(result.subtype, 'error_provider_outage');
      assert.match(result.result, /provider failed after its retries/);
      assert.match(result.result, /mux-swarm resume/, 'the result says how to go on');
      const workdir = join(project.directory, 'work');
      assert.equal(readFileSync(join(workdir, 'count.log'), 'utf8'), 'once\n');
      const database = new Database(join(workdir, '.mux-swarm', 'state.db'), { readonly: true });
      try {
        assert.deepEqual(database.prepare('SELECT status, subtype, exit_code FROM runs').all(), [
          { status: 'interrupted', subtype: 'error_provider_outage', exit_code: 75 },
        ]);
        assert.deepEqual(
          database.prepare('SELECT id, status FROM delegations ORDER BY id').all(),
          [
            { id: 'd1', status: null },
            { id: expectDelegationId(database), status: null },
          ],
          'no delegation recorded an outcome a resume would replay',
        );
      } finally {
        database.close();
      }

      // The provider is back.
      down = undefined;
      const before = server.chatRequests().length;
      server.route({ model: 'coder-model' }, complete('appended once'));
      server.route({ model: 'orchestrator-model' }, complete('the coder appended once'));
      const resumed = await runCli(['resume', '--output-format', 'json'], {
        cwd: project.directory,
        timeoutMs: 60_000,
      });
      assert.equal(resumed.code, 0, resumed.stderr);
      const end = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as {
        subtype: string;
        result: string;
        run_id: string;
      };
      assert.equal(end.subtype, 'success');
      assert.equal(end.run_id, result.run_id, 'the same run went on');
      assert.equal(end.result, 'the coder appended once');
      const asked = server
        .chatRequests()
        .slice(before)
        .map((request) => request.body.model);
      assert.deepEqual(
        asked,
        ['coder-model', 'orchestrator-model'],
        'the failed call was asked again, nothing finished before it was',
      );
      assert.equal(readFileSync(join(workdir, 'count.log'), 'utf8'), 'once\n', 'the shell command did not run again');
    });
  }

  it('an auth error is not an outage: the run fails with exit 1 and its message', async () => {
    server.reset();
    down = { error: { status: 401, message: 'Incorrect API key provided' } };
    const project = createProjectFixture('mux-swarm-outage-');
    projects.push(project);
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
    project.write('goal.md', '# Nothing\n\nNothing.\n');
    const failed = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: project.directory,
      timeoutMs: 60_000,
    });
    assert.equal(failed.code, 1, failed.stderr);
    const result = JSON.parse(failed.stdout.trim().split('\n').at(-1)!) as { subtype: string; result: string };
    assert.equal(result.subtype, 'error_during_execution');
    assert.match(result.result, /rejected the API key \(401\)/);
  });
});

function expectDelegationId(database: Database.Database): string {
  return (database.prepare("SELECT id FROM delegations WHERE agent = 'coder'").get() as { id: string }).id;
}
