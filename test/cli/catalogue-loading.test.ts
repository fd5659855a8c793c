import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, type ProjectFixture } from '../support/project-fixture.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';

const RECORDER = pathToFileURL(join(REPOSITORY_ROOT, 'test', 'support', 'record-module-loads.mjs')).href;
const complete = {
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'done', artifacts: [] } }],
};

describe('the price catalogue is loaded only by the commands that need it', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  const log = (): string => join(project.directory, 'loads.log');

  /** Runs the CLI with the module recorder; true when it loaded the catalogue. */
  async function loadsCatalogue(args: string[]): Promise<boolean> {
    rmSync(log(), { force: true });
    const result = await runCli(args, {
      cwd: project.directory,
      env: { NODE_OPTIONS: `--import=${RECORDER}`, MUX_SWARM_TEST_LOAD_LOG: log() },
    });
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`);
    return existsSync(log()) && readFileSync(log(), 'utf8').includes('genai-prices');
  }
  const writeConfig = (provider: Record<string, unknown>): void => {
    project.write('config.json', {
      providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, ...provider } },
      mcpServers: {},
      filesystem: { workdir: 'work' },
    });
  };

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    project.write('swarm.json', { orchestrator: fakeAgent('orchestrator'), agents: [] });
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('--version, validate and runs do not load it; validate does when a provider names a catalogue id', async () => {
    writeConfig({});
    assert.equal(await loadsCatalogue(['--version']), false);
    assert.equal(await loadsCatalogue(['validate']), false);
    writeConfig({ catalogue: 'openai' });
    assert.equal(await loadsCatalogue(['validate']), true, 'the recorder sees the catalogue when it is loaded');
  });

  it('a run on a free local endpoint does not load it; a run on an unpriced model does', async () => {
    writeConfig({ free: true });
    server.enqueue(complete);
    assert.equal(await loadsCatalogue(['run', '--task', 'x', '--fresh']), false);
    assert.equal(await loadsCatalogue(['runs']), false);
    writeConfig({});
    server.enqueue(complete);
    assert.equal(await loadsCatalogue(['run', '--task', 'x', '--fresh']), true);
    assert.deepEqual(server.unmatched, []);
  });
});
