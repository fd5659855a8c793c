import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runEventSchema, type RunEvent } from '../../src/events/event-schema.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

describe('mux-swarm run, end to end through the built CLI', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { canDelegateTo: ['writer', 'runner'] }),
      agents: [fakeAgent('writer', { mcpServers: ['fs'] }), fakeAgent('runner', { mcpServers: ['shell'] })],
    });
    project.write(
      'goal.md',
      '---\nname: two helpers\n---\n# Two helpers\n\nWrite hello.txt and run a command that writes ran.txt.\n',
    );
  });

  after(async () => {
    await server.close();
    project.remove();
  });

  it('delegates to two agents in parallel, one writes through the filesystem server, the other runs a shell command', async () => {
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          { name: 'delegate', arguments: { agent: 'writer', task: 'Write hello.txt containing "hello from writer".' } },
          { name: 'delegate', arguments: { agent: 'runner', task: 'Run a command that writes ran.txt.' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'complete',
            arguments: { status: 'success', summary: 'both helpers finished', artifacts: ['hello.txt', 'ran.txt'] },
          },
        ],
      },
    );
    // Each specialist's first reply is slow, so the two delegations overlap only if they really run in parallel.
    server.route(
      { model: 'writer-model' },
      {
        delayMs: 400,
        toolCalls: [{ name: 'fs__write_file', arguments: { path: 'hello.txt', content: 'hello from writer\n' } }],
      },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'wrote hello.txt', artifacts: ['hello.txt'] } },
        ],
      },
    );
    server.route(
      { model: 'runner-model' },
      {
        delayMs: 400,
        toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo ran > ran.txt && cat ran.txt' } }],
      },
      {
        toolCalls: [
          { name: 'complete', arguments: { status: 'success', summary: 'ran the command', artifacts: ['ran.txt'] } },
        ],
      },
    );

    const result = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], { cwd: project.directory });

    assert.equal(result.code, 0, result.stderr);
    const workdir = join(project.directory, 'work');
    assert.equal(readFileSync(join(workdir, 'hello.txt'), 'utf8'), 'hello from writer\n');
    assert.equal(readFileSync(join(workdir, 'ran.txt'), 'utf8'), 'ran\n');

    const lines = result.stdout.trim().split('\n');
    const events: RunEvent[] = lines.map((line, index) => {
      const parsed = runEventSchema.safeParse(JSON.parse(line));
      assert.ok(
        parsed.success,
        `line ${index + 1} does not match the event schema: ${line}\n${parsed.success ? '' : parsed.error.message}`,
      );
      return parsed.data;
    });
    assert.equal(events[0]!.type, 'system');
    assert.equal(events.at(-1)!.type, 'result');
    assert.equal(events.filter((event) => event.type === 'result').length, 1);
    assert.deepEqual(
      events.map((event) => event.seq),
      events.map((_, index) => index),
      'seq is monotonic from 0',
    );
    assert.ok(events.every((event) => event.run_id === events[0]!.run_id));

    const init = events[0]!;
    assert.ok(init.type === 'system' && init.subtype === 'init');
    assert.deepEqual(
      init.agents.map((agent) => agent.name),
      ['orchestrator', 'writer', 'runner'],
    );
    assert.ok(init.agents.find((agent) => agent.name === 'writer')!.tools.includes('fs__write_file'));
    assert.ok(!init.agents.find((agent) => agent.name === 'writer')!.tools.includes('shell__run_command'));
    assert.ok(init.agents.find((agent) => agent.name === 'orchestrator')!.tools.includes('delegate'));
    assert.ok(
      !init.agents.find((agent) => agent.name === 'writer')!.tools.includes('delegate'),
      'writer may delegate to nobody',
    );

    const starts = events.filter((event) => event.type === 'delegation-start' && event.depth === 1);
    const firstEnd = events.findIndex((event) => event.type === 'delegation-end' && event.agent !== 'orchestrator');
    assert.deepEqual(starts.map((event) => event.agent).sort(), ['runner', 'writer']);
    assert.ok(
      starts.every((event) => events.indexOf(event) < firstEnd),
      'both delegations started before either ended',
    );

    const final = events.at(-1)!;
    assert.ok(final.type === 'result');
    assert.equal(final.subtype, 'success');
    assert.equal(final.is_error, false);
    assert.equal(final.exit_code, 0);
    assert.equal(final.num_turns, 6);
    assert.equal(final.result, 'both helpers finished');
    assert.deepEqual(final.artifacts, ['hello.txt', 'ran.txt']);
    assert.deepEqual(Object.keys(final.usage_by_agent).sort(), ['orchestrator', 'runner', 'writer']);

    // The specialists only ever saw their own tools; the orchestrator saw delegate and complete.
    const requests = server.chatRequests();
    const toolNames = (model: string) =>
      new Set(
        requests
          .filter((request) => request.body.model === model)
          .flatMap((request) => (request.body.tools ?? []).map((tool) => tool.function.name)),
      );
    assert.ok(toolNames('writer-model').has('fs__write_file'));
    assert.ok(!toolNames('writer-model').has('shell__run_command'));
    assert.ok(toolNames('orchestrator-model').has('delegate'));
    assert.deepEqual(server.unmatched, []);
    assert.equal(server.pendingResponses(), 0);

    // The run is recorded: `runs` lists it and `show` prints its delegations.
    const runs = await runCli(['runs', '--json'], { cwd: project.directory });
    assert.equal(runs.code, 0, runs.stderr);
    const listed = JSON.parse(runs.stdout) as Array<{ id: string; status: string; subtype: string }>;
    assert.equal(listed[0]!.id, final.run_id);
    assert.equal(listed[0]!.status, 'succeeded');
    assert.ok(existsSync(join(workdir, '.mux-swarm', 'state.db')));
  });
});
