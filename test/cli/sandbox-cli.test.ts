import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const PLANTED = 'planted-in-home-51c2';

describe('the sandbox through the built CLI', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let home: string;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-sandbox-cli-');
    home = join(project.directory, 'home');
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'secret.txt'), PLANTED);
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['shell'] }), agents: [] });
    project.write('goal.md', '# Look around\n\nSay what is in the home directory.\n');
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  function script(): void {
    server.reset();
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: `cat ${home}/secret.txt` } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'looked' } }] },
    );
  }

  it('on by default: a shell command of the agent cannot read $HOME, and status says the sandbox confines', async () => {
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    script();
    const run = await runCli(['run', 'goal.md'], { cwd: project.directory, env: { HOME: home } });
    assert.equal(run.code, 0, run.stderr);
    const result = messageText(server.chatRequests()[1]!.body.messages.at(-1)!);
    assert.doesNotMatch(result, new RegExp(PLANTED));
    assert.match(result, /No such file or directory/);
    const status = await runCli(['status', '--json'], { cwd: project.directory, env: { HOME: home } });
    const sandbox = (
      JSON.parse(status.stdout) as {
        sandbox: { backend: string; usable: boolean; confined: boolean; limits: { enforced: boolean } };
      }
    ).sandbox;
    assert.deepEqual(
      [sandbox.backend, sandbox.usable, sandbox.confined, sandbox.limits.enforced],
      ['auto', true, true, true],
    );
  });

  it('"auto" where bubblewrap does not work: a loud warning at start and in status, and the run goes on unconfined', async () => {
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    script();
    const env = { HOME: home, MUX_SWARM_BWRAP: join(project.directory, 'no-bwrap-here') };
    const run = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], { cwd: project.directory, env });
    assert.equal(run.code, 0, run.stderr);
    const warnings = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; message?: string })
      .filter((event) => event.type === 'system' && event.subtype === 'warning');
    assert.ok(
      warnings.some((event) => /the sandbox is off \(bubblewrap .* is not installed/.test(event.message ?? '')),
      JSON.stringify(warnings),
    );
    assert.match(
      messageText(server.chatRequests()[1]!.body.messages.at(-1)!),
      new RegExp(PLANTED),
      'unconfined: the home directory is in reach',
    );
    const status = await runCli(['status'], { cwd: project.directory, env });
    assert.match(status.stdout, /Sandbox\n {2}backend auto: WARNING the sandbox is off/);
  });

  it('"bwrap" asked for where it does not work: exit 2 before anything runs, naming where it was asked for and why', async () => {
    project.write(
      'config.json',
      fakeConfig(server.baseURL, { filesystem: { workdir: 'work' }, sandbox: { backend: 'bwrap' } }),
    );
    script();
    const run = await runCli(['run', 'goal.md'], {
      cwd: project.directory,
      env: { HOME: home, MUX_SWARM_BWRAP: join(project.directory, 'no-bwrap-here') },
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(
      run.stderr,
      /config\.json: sandbox\.backend: "bwrap" is asked for, but the sandbox cannot be used here: bubblewrap .* is not installed/,
    );
    assert.equal(server.chatRequests().length, 0, 'no model was asked');
  });
});
