import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const LESSON = 'python after venv activation is a shim, call /venv/main/bin/python';
const LOCAL_NOTE = 'this project keeps its python scripts in ./tools';

describe('knowledge graph lessons across two runs in two workdirs sharing one user store', () => {
  let server: FakeOpenAIServer;
  const projects: ProjectFixture[] = [];
  const userStore = mkdtempSync(join(tmpdir(), 'mux-swarm-graph-user-store-'));

  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    await server.close();
    for (const project of projects) project.remove();
    rmSync(userStore, { recursive: true, force: true });
  });

  function project(goal: string, memory: Record<string, unknown> = {}): ProjectFixture {
    const fixture = createProjectFixture('mux-swarm-graph-');
    projects.push(fixture);
    fixture.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: { memory: { builtin: 'memory' } },
        memory: { userStore, ...memory },
      }),
    );
    fixture.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['memory'], canDelegateTo: ['helper'] }),
      agents: [fakeAgent('helper')],
    });
    fixture.write('goal.md', goal);
    return fixture;
  }

  it('run 1 records a general lesson with memory__create_entities; run 2 in another workdir finds it in its phase 0 recovery report, a run with shareGraph "none" does not', async () => {
    const first = project('# Set up the environment\n\nFind out how to call python here.\n');
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          {
            name: 'memory__create_entities',
            arguments: {
              entities: [
                { name: 'python-venv', entityType: 'machine-quirk', observations: [LESSON], general: true },
                { name: 'project-layout', entityType: 'fact', observations: [LOCAL_NOTE] },
              ],
            },
          },
        ],
      },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'noted how to call python' } }] },
    );
    const run1 = await runCli(['run', 'goal.md'], { cwd: first.directory });
    assert.equal(run1.code, 0, run1.stderr);
    const toolResult = messageText(server.chatRequests()[1]!.body.messages.at(-1)!);
    assert.match(toolResult, /"name": "python-venv"/, 'the entity was created');
    assert.doesNotMatch(toolResult, /Not written to the user store/);

    server.reset();
    const second = project('# Python training\n\nTrain the model with python.\n');
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done' } }] },
    );
    const run2 = await runCli(['run', 'goal.md'], { cwd: second.directory });
    assert.equal(run2.code, 0, run2.stderr);
    const firstRequest = server
      .chatRequests()[0]!
      .body.messages.map((message) => messageText(message))
      .join('\n');
    assert.match(firstRequest, /## Memory/);
    assert.ok(
      firstRequest.includes(`- python-venv (machine-quirk): ${LESSON}`),
      `the lesson is in run 2's recovery report:\n${firstRequest}`,
    );
    assert.equal(firstRequest.includes(LOCAL_NOTE), false, 'a lesson not marked general stays in workdir 1');

    server.reset();
    const isolated = project('# Python training\n\nTrain the model with python.\n', { shareGraph: 'none' });
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done' } }] },
    );
    const run3 = await runCli(['run', 'goal.md'], { cwd: isolated.directory });
    assert.equal(run3.code, 0, run3.stderr);
    const isolatedRequest = server
      .chatRequests()[0]!
      .body.messages.map((message) => messageText(message))
      .join('\n');
    assert.equal(
      isolatedRequest.includes(LESSON),
      false,
      `memory.shareGraph "none" reads the workdir's graph alone:\n${isolatedRequest}`,
    );
  });
});
