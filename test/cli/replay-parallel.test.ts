import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/**
 * Two delegations to the same specialist in one turn run in parallel, so two of its model calls are in flight at
 * once: each request's hash must land on its own call, or the replay would answer one delegation with the other's
 * reply and diverge.
 */
describe('replaying parallel delegations to one specialist', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    server.route(
      { model: 'orchestrator-model' },
      {
        toolCalls: [
          { name: 'delegate', arguments: { agent: 'writer', task: 'Write a.txt saying alpha.' } },
          { name: 'delegate', arguments: { agent: 'writer', task: 'Write b.txt saying beta.' } },
        ],
      },
      {
        toolCalls: [
          {
            name: 'complete',
            arguments: { status: 'success', summary: 'both written', artifacts: ['a.txt', 'b.txt'] },
          },
        ],
      },
    );
    for (const [file, word] of [
      ['a.txt', 'alpha'],
      ['b.txt', 'beta'],
    ] as const) {
      server.route(
        { model: 'writer-model', lastUserIncludes: file },
        { toolCalls: [{ name: 'fs__write_file', arguments: { path: file, content: `${word}\n` } }] },
        {
          toolCalls: [
            { name: 'complete', arguments: { status: 'success', summary: `wrote ${file}`, artifacts: [file] } },
          ],
        },
      );
    }
    project = createProjectFixture('mux-swarm-replay-parallel-');
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { canDelegateTo: ['writer'] }),
      agents: [fakeAgent('writer', { mcpServers: ['fs'] })],
    });
    project.write('goal.md', '# Two files\n\nHave a.txt and b.txt written.\n');
    const recorded = await runCli(['run', 'goal.md'], { cwd: project.directory });
    assert.equal(recorded.code, 0, recorded.stderr);
    assert.equal(server.pendingResponses(), 0);
    project.write('config.json', fakeConfig('http://127.0.0.1:9/v1', { filesystem: { workdir: 'work' } }));
  });
  after(async () => {
    project.remove();
    await server.close();
  });

  it('answers each delegation with its own replies', async () => {
    const replayed = await runCli(['replay', 'last', '--tools', 'recorded'], { cwd: project.directory });
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.match(
      replayed.stderr,
      /replay reached the recorded outcome: succeeded \(success\); 6 model calls and 5 tool calls answered from the recording/,
    );
    assert.ok(existsSync(join(project.directory, 'work', 'a.txt')), 'the recorded run wrote its files');
  });
});
