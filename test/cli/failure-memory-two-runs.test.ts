import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { messageText } from '../support/fake-openai-routing.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const LEAKED_KEY = 'sk-or-v1-4f9a2c7d1e8b3a6f5c0d9e2b7a4f1c8d3e6b9a2f5c8d1e4b';

/** A training script that fails like the seed story: SFTTrainer no longer takes max_seq_length. */
function failingScript(padding: number): string {
  return [
    ...Array.from({ length: padding }, (_, index) => `# line ${index + 1} of a longer file`),
    'import sys',
    '',
    'class SFTTrainer:',
    '    def __init__(self, model, max_length=1024):',
    '        self.model = model',
    '',
    'def main():',
    `    print("OPENROUTER_API_KEY=${LEAKED_KEY}", file=sys.stderr)`,
    '    trainer = SFTTrainer("qwen", max_seq_length=2048)',
    '    print("trained", trainer.model)',
    '',
    'main()',
    '',
  ].join('\n');
}

const FIXED_LINE = '    trainer = SFTTrainer("qwen", max_length=2048)';
const EXPLANATION = 'SFTTrainer no longer accepts max_seq_length; the argument is called max_length now.';

describe('failure memory across two runs in two workdirs sharing one user store', () => {
  let server: FakeOpenAIServer;
  const projects: ProjectFixture[] = [];
  const userStore = mkdtempSync(join(tmpdir(), 'mux-swarm-user-store-'));

  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    await server.close();
    for (const project of projects) project.remove();
    rmSync(userStore, { recursive: true, force: true });
  });

  function project(scriptPath: string, padding: number): ProjectFixture {
    const fixture = createProjectFixture('mux-swarm-memory-');
    projects.push(fixture);
    fixture.write(
      'config.json',
      fakeConfig(server.baseURL, { filesystem: { workdir: 'work' }, memory: { userStore } }),
    );
    fixture.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs', 'shell'], canDelegateTo: ['helper'] }),
      agents: [fakeAgent('helper')],
    });
    fixture.write('goal.md', '# Train\n\nMake the training script run.\n');
    fixture.write(`work/${scriptPath}`, failingScript(padding));
    return fixture;
  }

  it('run 1 records the fix when the failed step succeeds; run 2 gets it with the same error at another path and line', async () => {
    const first = project('app.py', 0);
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'python3 app.py' } }] },
      {
        content: EXPLANATION,
        toolCalls: [
          {
            name: 'fs__edit_file',
            arguments: {
              path: 'app.py',
              edits: [{ oldText: '    trainer = SFTTrainer("qwen", max_seq_length=2048)', newText: FIXED_LINE }],
            },
          },
        ],
      },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'python3 app.py' } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'the script runs' } }] },
    );
    const run1 = await runCli(['run', 'goal.md'], { cwd: first.directory });
    assert.equal(run1.code, 0, run1.stderr);
    const run1Requests = server.chatRequests();
    const firstFailure = messageText(run1Requests[1]!.body.messages.at(-1)!);
    assert.match(
      firstFailure,
      /TypeError: SFTTrainer\.__init__\(\) got an unexpected keyword argument 'max_seq_length'/,
    );
    assert.doesNotMatch(firstFailure, /known fixes/, 'nothing was known yet');

    server.reset();
    const second = project('src/train/app.py', 7);
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'python3 src/train/app.py' } }] },
      { toolCalls: [{ name: 'complete', arguments: { status: 'failure', summary: 'stopping here' } }] },
    );
    const run2 = await runCli(['run', 'goal.md'], { cwd: second.directory });
    assert.equal(run2.code, 1, run2.stderr);
    const result = messageText(server.chatRequests()[1]!.body.messages.at(-1)!);
    assert.match(result, /line 16, in main/, 'the error is at another line this time');
    assert.match(result, /\[mux-swarm memory\] This error has known fixes/);
    assert.match(result, /Changed app\.py — worked 1 time/);
    assert.ok(result.includes(`+${FIXED_LINE}`), `the diff of the fix is in the result:\n${result}`);
    assert.ok(result.includes(EXPLANATION), "with the agent's own explanation");

    // The key the script printed reached neither store: not the user store's files, not the workdir's failure tables.
    for (const file of ['memory.db', 'memory.db-wal']) {
      const path = join(userStore, file);
      if (existsSync(path)) assert.equal(readFileSync(path).includes(LEAKED_KEY), false, `${file} holds the key`);
    }
    const search = await runCli(['memory', 'search', 'max_seq_length', '--json', '--no-user-store'], {
      cwd: first.directory,
    });
    assert.equal(search.code, 0, search.stderr);
    assert.equal(search.stdout.includes(LEAKED_KEY), false);
    assert.match(search.stdout, /max_length=2048/);
  });
});
