import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlp-receiver.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

/**
 * Traces from a real `mux-swarm run` through the built CLI, received by a local OTLP/HTTP receiver: an orchestrator
 * delegates to a specialist that runs a shell command (which prints a secret of the environment) and reads a file
 * that is not there (a failed tool call).
 */
const SECRET = 'sk-live-Tq8Wn3Xv6Zb1Lm4Pk7Rs2Jd5Hf9Gc0Yt';
const TASK = 'Run the token command and read notes-missing.txt.';
const REPLY_TEXT = 'Running the token command now.';

describe('mux-swarm run with traces', () => {
  let server: FakeOpenAIServer;
  let receiver: OtlpReceiver;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    receiver = await startOtlpReceiver();
    project = createProjectFixture();
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { canDelegateTo: ['runner'] }),
      agents: [fakeAgent('runner', { mcpServers: ['shell', 'fs'] })],
    });
    project.write('goal.md', '---\nname: traced\n---\n# Traced\n\nRun a command.\n');
  });
  after(async () => {
    await server.close();
    await receiver.close();
    project.remove();
  });
  beforeEach(() => {
    server.reset();
    receiver.bodies.length = 0;
    receiver.headers.length = 0;
    script(server);
  });

  /** config.json with `telemetry` (none when undefined); the shell passes the secret on to the commands it runs. */
  function writeConfig(telemetry: Record<string, unknown> | undefined): void {
    const config = fakeConfig(server.baseURL, telemetry ? { telemetry } : {});
    const servers = config.mcpServers as Record<string, { options?: Record<string, unknown> }>;
    servers.shell!.options = { ...servers.shell!.options, passEnv: ['MY_SERVICE_TOKEN'] };
    project.write('config.json', config);
  }
  const run = (env: Record<string, string> = {}, format = 'stream-json') =>
    runCli(['run', 'goal.md', '--output-format', format], {
      cwd: project.directory,
      env: { MY_SERVICE_TOKEN: SECRET, ...env },
    });

  it('exports the span tree of the run with the GenAI attributes, without content or secrets', async () => {
    writeConfig({ otlp: { endpoint: receiver.endpoint } });
    const result = await run();
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes('token=[REDACTED]'), 'the tool printed the secret (scrubbed in the events)');

    const spans = receiver.spans();
    const runSpan = one(spans, 'mux-swarm run');
    assert.equal(runSpan.parentSpanId, '');
    assert.ok(
      spans.every((span) => span.traceId === runSpan.traceId),
      'one trace',
    );
    assert.equal(runSpan.attributes['mux_swarm.run.id'], JSON.parse(result.stdout.split('\n')[0]!).run_id);
    assert.equal(runSpan.attributes['mux_swarm.exit_code'], 0);
    assert.equal(runSpan.attributes['mux_swarm.result.subtype'], 'success');
    assert.equal(runSpan.status.code, 0);
    assert.equal(runSpan.resource['service.name'], 'mux-swarm');

    const orchestrator = one(spans, 'invoke_agent orchestrator');
    const runner = one(spans, 'invoke_agent runner');
    assert.equal(orchestrator.parentSpanId, runSpan.spanId);
    assert.equal(runner.parentSpanId, orchestrator.spanId);
    assert.equal(runner.attributes['gen_ai.operation.name'], 'invoke_agent');
    assert.equal(runner.attributes['gen_ai.agent.name'], 'runner');

    const runnerChats = spans.filter((span) => span.name === 'chat runner-model');
    assert.equal(runnerChats.length, 2);
    assert.ok(runnerChats.every((span) => span.parentSpanId === runner.spanId));
    const first = runnerChats.find((span) => span.attributes['mux_swarm.turn'] === 1)!;
    assert.deepEqual(
      pick(first.attributes, ['gen_ai.operation.name', 'gen_ai.provider.name', 'gen_ai.request.model']),
      {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'fake',
        'gen_ai.request.model': 'runner-model',
      },
    );
    assert.equal(first.attributes['gen_ai.response.model'], 'runner-model');
    assert.equal(first.attributes['gen_ai.usage.input_tokens'], 123);
    assert.equal(first.attributes['gen_ai.usage.output_tokens'], 45);
    assert.equal(first.attributes['mux_swarm.cost_usd'], 0.0125);
    assert.equal(runner.attributes['mux_swarm.cost_usd'], 0.0125);
    assert.equal(runSpan.attributes['mux_swarm.cost_usd'], 0.0125);

    const shell = one(spans, 'execute_tool shell__run_command');
    assert.equal(shell.parentSpanId, runner.spanId);
    assert.equal(shell.attributes['gen_ai.operation.name'], 'execute_tool');
    assert.equal(shell.attributes['gen_ai.tool.name'], 'shell__run_command');
    assert.equal(shell.attributes['gen_ai.tool.call.id'], 'call_token');
    assert.equal(shell.status.code, 0);
    assert.ok(shell.startMs >= first.endMs - 1, 'the tool call follows the model call that asked for it');
    const read = one(spans, 'execute_tool fs__read_file');
    assert.equal(read.status.code, 2, 'a failed tool call has the error status');
    assert.equal(one(spans, 'execute_tool delegate').parentSpanId, orchestrator.spanId);

    const payload = receiver.bodies.join('\n');
    for (const text of [TASK, REPLY_TEXT, 'echo token', 'token=', 'notes-missing.txt'])
      assert.ok(!payload.includes(text), `"${text}" was exported without includeContent`);
    assert.ok(!payload.includes(SECRET), 'the secret was exported');
  });

  it('puts prompts, replies, tool arguments and results on spans with includeContent, still without secrets', async () => {
    writeConfig({ otlp: { endpoint: receiver.endpoint }, includeContent: true });
    const result = await run();
    assert.equal(result.code, 0, result.stderr);
    const spans = receiver.spans();
    assert.equal(one(spans, 'invoke_agent runner').attributes['mux_swarm.delegation.task'], TASK);
    const shell = one(spans, 'execute_tool shell__run_command');
    assert.match(String(shell.attributes['gen_ai.tool.call.arguments']), /echo token=/);
    assert.match(String(shell.attributes['gen_ai.tool.call.result']), /token=\[REDACTED\]/);
    const payload = receiver.bodies.join('\n');
    assert.ok(payload.includes(REPLY_TEXT), 'the model reply is on its chat span');
    assert.ok(!payload.includes(SECRET), 'the secret was exported');
  });

  it('is turned on by OTEL_EXPORTER_OTLP_ENDPOINT alone, and sends OTEL_EXPORTER_OTLP_HEADERS', async () => {
    writeConfig(undefined);
    const result = await run({
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-collector-team=swarm%20ops',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.ok(receiver.spans().some((span) => span.name === 'mux-swarm run'));
    assert.equal(receiver.headers[0]!['x-collector-team'], 'swarm ops');
  });

  it('marks the run span as an error when the goal fails, with its exit code', async () => {
    writeConfig({ otlp: { endpoint: receiver.endpoint } });
    server.reset();
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'complete', arguments: { status: 'failure', summary: 'could not do it' } }] },
    );
    const result = await run();
    assert.equal(result.code, 1, result.stderr);
    const runSpan = one(receiver.spans(), 'mux-swarm run');
    assert.equal(runSpan.status.code, 2);
    assert.equal(runSpan.attributes['mux_swarm.exit_code'], 1);
    assert.equal(runSpan.attributes['mux_swarm.result.subtype'], 'error_goal_failed');
  });

  it('a collector that is down or never answers changes nothing but a warning, and the run ends promptly', async () => {
    const silent = await silentServer();
    try {
      for (const endpoint of [await closedPort(), `http://127.0.0.1:${(silent.address() as AddressInfo).port}`]) {
        server.reset();
        script(server);
        writeConfig({ otlp: { endpoint } });
        const started = Date.now();
        const result = await run({}, 'text');
        assert.equal(result.code, 0, result.stderr);
        assert.ok(Date.now() - started < 20_000, `the run took ${Date.now() - started} ms`);
        const warnings = result.stderr.split('\n').filter((line) => line.includes(`${endpoint}/v1/traces`));
        assert.equal(warnings.length, 1, `one warning about the traces:\n${result.stderr}`);
        assert.match(warnings[0]!, /warn/, warnings[0]);
      }
    } finally {
      silent.close();
    }
  });

  it('stops with exit 2 and the JSON path when the endpoint is not a URL', async () => {
    writeConfig({ otlp: { endpoint: 'collector:4318' } });
    const result = await run();
    assert.equal(result.code, 2);
    assert.match(result.stderr, /telemetry\.otlp\.endpoint/);
  });
});

function script(server: FakeOpenAIServer): void {
  server.route(
    { model: 'orchestrator-model' },
    { toolCalls: [{ name: 'delegate', arguments: { agent: 'runner', task: TASK } }] },
    { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'the runner ran it' } }] },
  );
  server.route(
    { model: 'runner-model' },
    {
      content: REPLY_TEXT,
      usage: { prompt_tokens: 123, completion_tokens: 45 },
      cost: 0.0125,
      toolCalls: [
        { id: 'call_token', name: 'shell__run_command', arguments: { command: 'echo token=$MY_SERVICE_TOKEN' } },
        { name: 'fs__read_file', arguments: { path: 'notes-missing.txt' } },
      ],
    },
    { toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: 'ran it' } }] },
  );
}

function one(spans: ReceivedSpan[], name: string): ReceivedSpan {
  const found = spans.filter((span) => span.name === name);
  assert.equal(found.length, 1, `one span named "${name}" among ${spans.map((span) => span.name).join(', ')}`);
  return found[0]!;
}

function pick(attributes: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((key) => [key, attributes[key]]));
}

/** A URL where nothing listens: a port taken and given back. */
async function closedPort(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A collector that takes connections and never answers. */
async function silentServer(): Promise<Server> {
  const silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  return silent;
}
