import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { startFakeOpenAIServer, type FakeOpenAIServer, type ScriptedResponse } from '../support/fake-openai-server.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const usage = { prompt_tokens: 1_000, completion_tokens: 100 };
const complete = (summary: string): ScriptedResponse => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts: [] } }],
  usage,
});

interface StreamEvent {
  type: string;
  agent?: string;
  from?: string;
  to?: string | null;
  kind?: string;
  subtype?: string;
  total_cost_usd?: number;
  usage_by_model?: Record<string, { calls: number; cost_usd: number }>;
}

/**
 * The orchestrator's model is a chain: "primary/big" on an endpoint that is down (503 to everything), then
 * "backup/small". Through the built CLI: the call moves to the backup, stream-json says so, cost counts under the
 * model that answered, and a run killed mid-chain resumes with the chain's state (the primary still cooling is not
 * asked first).
 */
describe('failover chains through the built CLI', { concurrency: 1 }, () => {
  let down: FakeOpenAIServer;
  let up: FakeOpenAIServer;
  const projects: ProjectFixture[] = [];

  before(async () => {
    down = await startFakeOpenAIServer({
      models: ['big'],
      fallback: () => ({ error: { status: 503, message: 'primary overloaded' } }),
    });
    up = await startFakeOpenAIServer({ models: ['small'] });
  });
  after(async () => {
    for (const project of projects) project.remove();
    await down.close();
    await up.close();
  });

  function project(): ProjectFixture {
    const fixture = createProjectFixture('mux-swarm-failover-');
    projects.push(fixture);
    fixture.write('config.json', {
      providers: {
        primary: { baseURL: down.baseURL, maxRetries: 0, timeoutMs: 10_000 },
        backup: { baseURL: up.baseURL, maxRetries: 0, timeoutMs: 10_000 },
      },
      prices: {
        big: { inputPerMillion: 10, outputPerMillion: 30 },
        small: { inputPerMillion: 1, outputPerMillion: 2 },
      },
      mcpServers: { shell: { builtin: 'shell' } },
      filesystem: { workdir: 'work' },
      failover: { cooldown: '1h' },
    });
    fixture.write('swarm.json', {
      orchestrator: {
        name: 'orchestrator',
        description: 'plans',
        systemPrompt: 'You are the orchestrator.',
        model: ['primary/big', 'backup/small'],
        mcpServers: ['shell'],
      },
      agents: [],
    });
    fixture.write('goal.md', '# Count\n\nAppend to count.log, then finish.\n');
    return fixture;
  }

  it('a provider that is down moves every call to the next entry; stream-json says so; cost counts under the model that answered', async () => {
    down.reset();
    up.reset();
    const fixture = project();
    up.route(
      { model: 'small' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }], usage },
      complete('counted on the backup'),
    );
    const result = await runCli(['run', 'goal.md', '--output-format', 'stream-json'], { cwd: fixture.directory });
    assert.equal(result.code, 0, result.stderr);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StreamEvent);
    const init = events[0] as StreamEvent & { agents?: Array<{ name: string; failover_chain?: string[] }> };
    assert.deepEqual(
      init.agents?.map((agent) => [agent.name, agent.failover_chain]),
      [['orchestrator', ['primary/big', 'backup/small']]],
      'the init event names the chain',
    );
    const failovers = events.filter((event) => event.type === 'model-failover');
    assert.deepEqual(
      failovers.map((event) => [event.agent, event.from, event.to, event.kind]),
      [['orchestrator', 'primary/big', 'backup/small', 'outage']],
      'one failover: the second call skipped the cooling primary',
    );
    assert.equal(down.chatRequests().length, 1);
    const end = events.at(-1)!;
    assert.equal(end.subtype, 'success');
    assert.deepEqual(Object.keys(end.usage_by_model!), ['backup/small']);
    // Two calls of 1,000 input and 100 output tokens at $1 and $2 per million.
    const expected = 2 * ((1_000 * 1 + 100 * 2) / 1_000_000);
    assert.equal(end.usage_by_model!['backup/small']!.cost_usd, expected);
    assert.equal(end.total_cost_usd, expected);
    const database = new Database(join(fixture.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
    try {
      assert.deepEqual(
        database
          .prepare('SELECT provider, model, requested_provider, requested_model FROM model_calls ORDER BY id')
          .all(),
        [
          { provider: 'backup', model: 'small', requested_provider: 'primary', requested_model: 'big' },
          { provider: 'backup', model: 'small', requested_provider: 'primary', requested_model: 'big' },
        ],
      );
    } finally {
      database.close();
    }
    const report = await runCli(['report', '-o', 'report.md'], { cwd: fixture.directory });
    assert.equal(report.code, 0, report.stderr);
    const text = readFileSync(join(fixture.directory, 'report.md'), 'utf8');
    assert.match(text, /### By failover chain entry/);
    assert.match(text, /\| orchestrator \| primary\/big \| 0 \| .* \| 1 \|/);
    assert.match(text, /\| orchestrator \| backup\/small \| 2 \| .* \| 0 \|/);
  });

  it('every entry must be priced under a USD budget; an entry whose key is not set is left out with a warning', async () => {
    up.reset();
    const fixture = project();
    up.route({ model: 'small' }, complete('both entries priced'));
    const priced = await runCli(['run', 'goal.md', '--max-budget-usd', '5', '--output-format', 'json'], {
      cwd: fixture.directory,
    });
    assert.equal(priced.code, 0, `both entries are priced in config.json: ${priced.stderr}`);
    const config = JSON.parse(readFileSync(join(fixture.directory, 'config.json'), 'utf8')) as {
      prices: Record<string, unknown>;
      providers: Record<string, Record<string, unknown>>;
    };
    delete config.prices.small;
    fixture.write('config.json', config);
    const refused = await runCli(['run', 'goal.md', '--fresh', '--max-budget-usd', '5'], { cwd: fixture.directory });
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /backup\/small/, 'the unpriced backup is named: it may answer');
    config.prices.small = { inputPerMillion: 1, outputPerMillion: 2 };
    config.providers.primary!.apiKeyEnv = 'MUX_SWARM_TEST_UNSET_KEY';
    fixture.write('config.json', config);
    up.reset();
    up.route({ model: 'small' }, complete('answered by the only entry with a key'));
    const keyless = await runCli(['run', 'goal.md', '--fresh', '--output-format', 'stream-json'], {
      cwd: fixture.directory,
    });
    assert.equal(keyless.code, 0, keyless.stderr);
    const warnings = keyless.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; subtype?: string; message?: string })
      .filter((event) => event.type === 'system' && event.subtype === 'warning');
    assert.ok(
      warnings.some((event) =>
        /orchestrator: failover entry primary\/big left out: .*MUX_SWARM_TEST_UNSET_KEY/.test(event.message ?? ''),
      ),
      JSON.stringify(warnings),
    );
    config.providers.backup!.apiKeyEnv = 'MUX_SWARM_TEST_UNSET_KEY';
    fixture.write('config.json', config);
    const none = await runCli(['run', 'goal.md', '--fresh'], { cwd: fixture.directory });
    assert.equal(none.code, 2, 'no entry of the chain has its key');
    assert.match(
      none.stderr,
      /MUX_SWARM_TEST_UNSET_KEY is not set \(nor that of any other entry of its failover chain\)/,
    );
  });

  it('status checks every entry of every chain; agents shows the chain', async () => {
    const fixture = project();
    const status = await runCli(['status', '--json'], { cwd: fixture.directory });
    assert.equal(status.code, 0, status.stderr + status.stdout);
    const report = JSON.parse(status.stdout) as {
      models: Array<{ agent: string; provider: string; model: string; entry: number; listed: boolean | null }>;
    };
    assert.deepEqual(
      report.models.map((model) => [model.agent, `${model.provider}/${model.model}`, model.entry, model.listed]),
      [
        ['orchestrator', 'primary/big', 1, true],
        ['orchestrator', 'backup/small', 2, true],
      ],
    );
    const text = await runCli(['agents', '--no-connect'], { cwd: fixture.directory });
    assert.match(text.stdout, /primary\/big \(\+1 failover\)/);
  });

  it("a run killed mid-chain resumes with the chain's state: the primary, still cooling, is not asked first", async () => {
    down.reset();
    up.reset();
    const fixture = project();
    up.route(
      { model: 'small' },
      { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo once >> count.log' } }], usage },
      complete('counted across a kill'),
    );
    const killed = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: fixture.directory,
      env: { MUX_SWARM_FAIL_AT: 'turn-recorded:1' },
    });
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.equal(down.chatRequests().length, 1);
    const resumed = await runCli(['resume', '--output-format', 'json'], { cwd: fixture.directory });
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(
      (JSON.parse(resumed.stdout.trim().split('\n').at(-1)!) as { result: string }).result,
      'counted across a kill',
    );
    assert.equal(down.chatRequests().length, 1, 'the resumed run did not ask the cooling primary again');
    assert.equal(readFileSync(join(fixture.directory, 'work', 'count.log'), 'utf8'), 'once\n');
  });
});
