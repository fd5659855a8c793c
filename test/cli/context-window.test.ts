import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { estimateTokens } from '../../src/runtime/context-window.js';
import type { ChatMessage } from '../../src/providers/chat-types.js';
import { catalogueModel } from '../providers/catalogue-data.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const READS = 10;
const CHUNK = 'x'.repeat(4000);

describe('mux-swarm run: the model catalogue supplies the context window swarm.json leaves out', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    for (let index = 0; index < READS; index += 1) project.write(`work/f${index}.txt`, CHUNK);
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'], model: 'moonshot-v1-8k', maxTurns: 30 }),
      agents: [],
    });
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  /** Reads every file, one a turn, then completes; returns the last request the model was sent. */
  async function runReads(provider: Record<string, unknown>): Promise<ChatMessage[]> {
    server.reset();
    project.write('config.json', {
      providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, ...provider } },
      mcpServers: { fs: { builtin: 'filesystem' } },
      filesystem: { workdir: 'work' },
    });
    for (let index = 0; index < READS; index += 1)
      server.enqueue({ toolCalls: [{ name: 'fs__read_text_file', arguments: { path: `f${index}.txt` } }] });
    server.enqueue({
      toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'read them all', artifacts: [] } }],
    });
    const result = await runCli(['run', '--task', 'Read every file', '--fresh'], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(server.unmatched, []);
    return server.chatRequests().at(-1)!.body.messages as ChatMessage[];
  }
  const stubs = (messages: ChatMessage[]) =>
    messages.filter(
      (message) =>
        message.role === 'tool' &&
        String(message.content).startsWith('[earlier tool result of 4000 characters removed'),
    );

  it("trims old tool results to fit the catalogue's window of a model the catalogue knows", async () => {
    const { contextWindow } = await catalogueModel('moonshotai', 'moonshot-v1-8k');
    assert.ok(contextWindow !== undefined && contextWindow < READS * 1000, 'a model whose window the reads overflow');
    const messages = await runReads({ catalogue: 'moonshotai' });
    assert.ok(stubs(messages).length > 0, 'old results were trimmed');
    assert.ok(
      estimateTokens(messages) <= contextWindow * 0.8,
      `${estimateTokens(messages)} tokens sent for a window of ${contextWindow}`,
    );
    assert.equal(String(messages.at(-1)!.content), CHUNK, 'the newest result is whole');
  });

  it("sends the whole transcript when the catalogue does not know the model's endpoint", async () => {
    const messages = await runReads({});
    assert.equal(stubs(messages).length, 0);
  });
});
