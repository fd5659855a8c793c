import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedResponse } from '../support/fake-openai-server.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/** Recorded answers to the probe, one per dialect, as local servers send them. */
const RECORDED: Record<string, ScriptedResponse> = {
  'native-model': { toolCalls: [{ name: 'probe_echo', arguments: { word: 'ping' } }] },
  'hermes-model': { content: '<tool_call>\n{"name": "probe_echo", "arguments": {"word": "ping"}}\n</tool_call>' },
  'mistral-model': { content: '[TOOL_CALLS][{"name": "probe_echo", "arguments": {"word": "ping"}}]' },
  'llama-model': { content: '<|python_tag|>{"name": "probe_echo", "parameters": {"word": "ping"}}' },
  'fenced-model': { content: 'Calling it:\n```json\n{"name": "probe_echo", "arguments": {"word": "ping"}}\n```' },
  'prose-model': { content: 'Ping! I would echo "ping" for you, but I cannot call tools.' },
  'broken-model': { error: { status: 500, message: 'llama runner process has terminated' } },
};

interface ProbeJson {
  provider: string;
  model: string;
  outcome: string;
  dialect?: string;
  detail: string;
  fix?: string;
}

const agent = (name: string, provider: string, model: string) => ({
  name,
  description: `the ${name} agent`,
  provider,
  model,
  systemPrompt: `You are ${name}.`,
});

describe('mux-swarm status --probe', () => {
  let server: FakeOpenAIServer;
  let deadURL: string;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer({ models: Object.keys(RECORDED) });
    const gone = await startFakeOpenAIServer();
    deadURL = gone.baseURL;
    await gone.close();
    project = createProjectFixture();
    project.write('config.json', {
      providers: {
        local: { baseURL: server.baseURL, maxRetries: 3, timeoutMs: 20_000 },
        ollama: { baseURL: deadURL, maxRetries: 3, timeoutMs: 20_000 },
      },
    });
    const names = Object.keys(RECORDED).map((model) => model.replace('-model', ''));
    project.write('swarm.json', {
      orchestrator: agent('orchestrator', 'local', 'native-model'),
      agents: [
        ...names.map((name) => agent(name, 'local', `${name}-model`)),
        agent('twin', 'local', 'hermes-model'), // the same model twice is probed once
        agent('offline', 'ollama', 'qwen2.5-coder:3b'),
      ],
    });
  });
  afterEach(() => {
    assert.deepEqual(server.unmatched, []);
    server.reset();
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  const scriptAll = (): void => {
    for (const [model, reply] of Object.entries(RECORDED)) server.route({ model }, reply);
  };

  it('sends nothing to the models without --probe', async () => {
    scriptAll();
    const result = await runCli(['status', '--json'], { cwd: project.directory });
    assert.equal(server.chatRequests().length, 0);
    const parsed = JSON.parse(result.stdout) as { probes?: unknown };
    assert.equal(parsed.probes, undefined);
  });

  it('classifies each dialect, reports each failure for its model alone, one short request per model', async () => {
    scriptAll();
    const result = await runCli(['status', '--probe', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(result.code, 1, 'a model with nothing usable (and one with no answer) is not ready');
    const parsed = JSON.parse(result.stdout) as { healthy: boolean; probes: ProbeJson[] };
    assert.equal(parsed.healthy, false);
    const byModel = new Map(parsed.probes.map((probe) => [probe.model, probe]));
    assert.deepEqual(
      parsed.probes.map((probe) => [probe.model, probe.outcome, probe.dialect]),
      [
        ['native-model', 'native', undefined],
        ['hermes-model', 'text', 'hermes'],
        ['mistral-model', 'text', 'mistral'],
        ['llama-model', 'text', 'llama'],
        ['fenced-model', 'text', 'fenced'],
        ['prose-model', 'none', undefined],
        ['broken-model', 'error', undefined],
        ['qwen2.5-coder:3b', 'error', undefined],
      ],
    );
    assert.match(byModel.get('prose-model')!.detail, /no tool call, answered in prose: "Ping! I would echo/);
    assert.match(byModel.get('broken-model')!.detail, /answered 500 .*llama runner process has terminated/);
    assert.match(byModel.get('qwen2.5-coder:3b')!.detail, /Cannot reach provider "ollama"/);
    assert.match(byModel.get('qwen2.5-coder:3b')!.fix ?? '', /ollama serve/);
    assert.equal(byModel.get('native-model')!.fix, undefined);

    const requests = server.chatRequests();
    assert.deepEqual(
      requests.map((request) => request.body.model).sort(),
      Object.keys(RECORDED).sort(),
      'exactly one request per distinct model',
    );
    for (const request of requests) {
      const body = request.body as {
        max_tokens?: number;
        tools?: Array<{ function: { name: string } }>;
        stream?: boolean;
      };
      assert.equal(body.max_tokens, 200);
      assert.deepEqual(
        body.tools?.map((tool) => tool.function.name),
        ['probe_echo'],
      );
    }
  });

  it('prints a table with the dialect and the fix in text mode', async () => {
    scriptAll();
    const result = await runCli(['status', '--probe'], { cwd: project.directory });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /Tool calling \(probe\)/);
    assert.match(result.stdout, /local\/native-model\s+native tool_calls/);
    assert.match(result.stdout, /local\/hermes-model\s+text, recovered: <tool_call> tags \(Hermes\/Qwen\)/);
    assert.match(result.stdout, /local\/mistral-model\s+text, recovered: \[TOOL_CALLS\] \(Mistral\)/);
    assert.match(result.stdout, /local\/prose-model\s+NOTHING USABLE/);
    assert.match(result.stdout, /local\/broken-model\s+NO ANSWER/);
    assert.match(result.stdout, /local\/prose-model: no tool call, answered in prose/);
    assert.match(result.stdout, /fix: start the server at .*\(`ollama serve`\)/);
    assert.equal(server.chatRequests().length, Object.keys(RECORDED).length);
  });

  it('refuses a probe timeout that is not a duration, with exit 2', async () => {
    const result = await runCli(['status', '--probe', '--probe-timeout', 'soon'], { cwd: project.directory });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--probe-timeout "soon" is not a duration; use e\.g\. 90s or 5m/);
    assert.equal(server.chatRequests().length, 0);
  });
});

describe('mux-swarm status --probe on a team whose models all call tools', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer({ models: ['native-model', 'hermes-model'] });
    project = createProjectFixture();
    project.write('config.json', { providers: { local: { baseURL: server.baseURL } } });
    project.write('swarm.json', {
      orchestrator: agent('orchestrator', 'local', 'native-model'),
      agents: [agent('code', 'local', 'hermes-model')],
    });
  });
  after(async () => {
    await server.close();
    project.remove();
  });

  it('is ready when every model answers natively or in a recovered text form', async () => {
    server.route({ model: 'native-model' }, RECORDED['native-model']!);
    server.route({ model: 'hermes-model' }, RECORDED['hermes-model']!);
    const result = await runCli(['status', '--probe', '--json'], { cwd: project.directory });
    const parsed = JSON.parse(result.stdout) as { healthy: boolean; probes: ProbeJson[] };
    assert.deepEqual(
      parsed.probes.map((probe) => probe.outcome),
      ['native', 'text'],
    );
    assert.match(parsed.probes[1]!.fix ?? '', /^usable as is; for native tool_calls: /);
    assert.equal(parsed.healthy, true, result.stdout);
    assert.equal(result.code, 0);
  });
});
