import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { catalogueModel } from '../providers/catalogue-data.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const complete = (summary: string) => ({
  toolCalls: [{ name: 'complete', arguments: { status: 'success', summary, artifacts: [] } }],
});
const listing = { toolCalls: [{ name: 'fs__list_directory', arguments: { path: '.' } }] };

interface ResultLine {
  type: string;
  subtype: string;
  exit_code: number;
  run_id: string;
  result: string;
  total_cost_usd: number;
  cost_unknown_models?: string[];
}

describe('mux-swarm run: USD budgets bind for every provider', () => {
  let server: FakeOpenAIServer;
  const projects: ProjectFixture[] = [];

  /** A project on the fake server: an orchestrator alone unless `swarm` says otherwise. */
  const project = (
    config: Record<string, unknown>,
    swarm: Record<string, unknown> = { orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }), agents: [] },
  ): ProjectFixture => {
    const fixture = createProjectFixture();
    projects.push(fixture);
    fixture.write('config.json', { ...fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }), ...config });
    fixture.write('swarm.json', swarm);
    return fixture;
  };
  const fakeProvider = (fields: Record<string, unknown> = {}) => ({
    providers: { fake: { baseURL: server.baseURL, maxRetries: 1, timeoutMs: 20_000, ...fields } },
  });
  const modelCalls = (fixture: ProjectFixture): Array<{ model: string; cost_usd: number; cost_source: string }> => {
    const database = new Database(join(fixture.directory, 'work', '.mux-swarm', 'state.db'), { readonly: true });
    try {
      return database.prepare(`SELECT model, cost_usd, cost_source FROM model_calls ORDER BY id`).all() as Array<{
        model: string;
        cost_usd: number;
        cost_source: string;
      }>;
    } finally {
      database.close();
    }
  };

  before(async () => {
    server = await startFakeOpenAIServer();
  });
  afterEach(() => {
    assert.deepEqual(server.unmatched, []);
    server.reset();
  });
  after(async () => {
    await server.close();
    for (const fixture of projects) fixture.remove();
  });

  it('refuses to start (exit 2) under a USD budget when a model has no known price, naming agent, model and fixes, writing nothing', async () => {
    const fixture = project(
      {},
      {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }),
        agents: [fakeAgent('code', { mcpServers: ['fs'] })],
      },
    );
    const result = await runCli(['run', '--task', 'Spend nothing', '--max-budget-usd', '0.0000001'], {
      cwd: fixture.directory,
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(
      result.stderr,
      /^mux-swarm: The run has a USD budget \(\$0\.0000001, from --max-budget-usd\), but the prices of these models are unknown, so the budget could not be enforced:\n/,
    );
    assert.match(result.stderr, /agent "orchestrator" uses fake\/orchestrator-model/);
    assert.match(result.stderr, /agent "code" uses fake\/code-model/);
    assert.match(
      result.stderr,
      /"prices": \{"orchestrator-model": \{"inputPerMillion": 0\.5, "outputPerMillion": 1\.5\}, "code-model": \{/,
    );
    assert.match(result.stderr, /"free": true on providers\.fake in config\.json/);
    assert.match(result.stderr, /"catalogue": "openai"/);
    assert.match(result.stderr, /or run without a USD budget/);
    assert.equal(server.requests.length, 0, 'no model request');
    assert.equal(
      existsSync(join(fixture.directory, 'work', '.mux-swarm', 'state.db')),
      false,
      'no state written: no run row',
    );

    fixture.write('budget.md', '---\nbudget:\n  usd: 2\n---\nSpend a little.\n');
    const streamed = await runCli(['run', 'budget.md', '--output-format', 'stream-json'], { cwd: fixture.directory });
    assert.equal(streamed.code, 2);
    const last = JSON.parse(streamed.stdout.trim().split('\n').at(-1)!) as ResultLine;
    assert.deepEqual([last.type, last.subtype, last.exit_code], ['result', 'error_config', 2]);
    assert.match(last.result, /\(\$2, from budget\.usd in budget\.md\)/);
    assert.match(last.result, /agent "orchestrator" uses fake\/orchestrator-model/);
    assert.equal(server.requests.length, 0);
  });

  it('refuses a "catalogue" provider id the catalogue lacks, in run and in validate, naming file and JSON path', async () => {
    const fixture = project(fakeProvider({ catalogue: 'opnai' }));
    const run = await runCli(['run', '--task', 'x'], { cwd: fixture.directory });
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /config\.json: providers\.fake\.catalogue: "opnai" is not a provider of the price catalogue \(did you mean "openai"\?\)/,
    );
    const validate = await runCli(['validate'], { cwd: fixture.directory });
    assert.equal(validate.code, 2);
    assert.match(validate.stderr, /providers\.fake\.catalogue: "opnai" is not a provider/);
    assert.equal(server.requests.length, 0);
  });

  it('uses the cost the provider reports (as OpenRouter does) before the prices table', async () => {
    const fixture = project({ prices: { 'orchestrator-model': { inputPerMillion: 1000, outputPerMillion: 1000 } } });
    server.enqueue({ ...listing, cost: 0.0012 }, { ...complete('listed'), cost: 0.0034 });
    const result = await runCli(['run', '--task', 'List', '--max-budget-usd', '1', '--output-format', 'json'], {
      cwd: fixture.directory,
    });
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as ResultLine;
    assert.ok(Math.abs(parsed.total_cost_usd - 0.0046) < 1e-12, `${parsed.total_cost_usd}`);
    assert.equal(parsed.cost_unknown_models, undefined);
    assert.deepEqual(
      modelCalls(fixture).map((call) => [call.cost_usd, call.cost_source]),
      [
        [0.0012, 'provider'],
        [0.0034, 'provider'],
      ],
    );
  });

  it('prices from the catalogue when config has no price, which lets a USD budget start', async () => {
    const fixture = project(fakeProvider({ catalogue: 'openai' }), {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'], model: 'gpt-4o-mini' }),
      agents: [],
    });
    const price = await catalogueModel('openai', 'gpt-4o-mini');
    const usage = { prompt_tokens: 100_000, completion_tokens: 2_000 };
    server.enqueue({ ...listing, usage }, { ...complete('listed'), usage });
    const result = await runCli(['run', '--task', 'List', '--max-budget-usd', '1', '--output-format', 'json'], {
      cwd: fixture.directory,
    });
    assert.equal(result.code, 0, result.stderr);
    const expected = 2 * (0.1 * price.inputPerMillion + 0.002 * price.outputPerMillion);
    const parsed = JSON.parse(result.stdout) as ResultLine;
    assert.ok(Math.abs(parsed.total_cost_usd - expected) < 1e-9, `${parsed.total_cost_usd} vs ${expected}`);
    assert.deepEqual(
      modelCalls(fixture).map((call) => call.cost_source),
      ['catalogue', 'catalogue'],
    );
  });

  it('stops the run (exit 3, error_max_budget_usd) when the catalogue price passes the budget, with no model call after', async () => {
    const fixture = project(fakeProvider({ catalogue: 'openai' }), {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'], model: 'gpt-4o-mini' }),
      agents: [],
    });
    const price = await catalogueModel('openai', 'gpt-4o-mini');
    const oneCall = 1 * price.inputPerMillion + 0.01 * price.outputPerMillion; // 1M input, 10k output tokens
    server.enqueue({ ...listing, usage: { prompt_tokens: 1_000_000, completion_tokens: 10_000 } }, complete('never'));
    const result = await runCli(
      ['run', '--task', 'List', '--max-budget-usd', String(oneCall / 2), '--output-format', 'json'],
      { cwd: fixture.directory },
    );
    assert.equal(result.code, 3, result.stderr);
    const parsed = JSON.parse(result.stdout) as ResultLine;
    assert.equal(parsed.subtype, 'error_max_budget_usd');
    assert.ok(Math.abs(parsed.total_cost_usd - oneCall) < 1e-9);
    assert.equal(server.chatRequests().length, 1);
    assert.equal(server.pendingResponses(), 1, 'no model call after the budget ran out');
  });

  it('never lets a free local endpoint block a budget: it starts, finishes, costs $0 and is not "unknown"', async () => {
    const fixture = project(fakeProvider({ free: true }));
    server.enqueue(
      { ...listing, usage: { prompt_tokens: 500_000, completion_tokens: 5_000 } },
      complete('listed for free'),
    );
    const result = await runCli(['run', '--task', 'List', '--max-budget-usd', '0.0000001'], { cwd: fixture.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /■ success in .* · 2 turns · [\d,]+ tokens · \$0\.0000 · exit 0/);
    assert.doesNotMatch(result.stderr, /unknown/);
    assert.deepEqual(
      modelCalls(fixture).map((call) => [call.cost_usd, call.cost_source]),
      [
        [0, 'free'],
        [0, 'free'],
      ],
    );
  });

  it('without a budget, reports the models of unknown cost in the result, runs, show and report instead of $0.0000', async () => {
    const fixture = project(
      { prices: { 'code-model': { inputPerMillion: 10, outputPerMillion: 10 } } },
      {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }),
        agents: [fakeAgent('code', { mcpServers: ['fs'] })],
      },
    );
    server.route(
      { model: 'code-model' },
      { ...listing, usage: { prompt_tokens: 1000, completion_tokens: 100 } },
      { ...complete('code done'), usage: { prompt_tokens: 1000, completion_tokens: 100 } },
    );
    server.route(
      { model: 'orchestrator-model' },
      { toolCalls: [{ name: 'delegate', arguments: { agent: 'code', task: 'list it' } }] },
      complete('all done'),
    );
    const result = await runCli(['run', '--task', 'Delegate'], { cwd: fixture.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stderr,
      /■ success in .* · 4 turns · [\d,]+ tokens · \$0\.0220 \+ cost unknown for fake\/orchestrator-model · exit 0/,
    );

    const runs = await runCli(['runs'], { cwd: fixture.directory });
    assert.match(runs.stdout, /\$0\.0220 \+ cost unknown for fake\/orchestrator-model/);
    const listed = JSON.parse((await runCli(['runs', '--json'], { cwd: fixture.directory })).stdout) as Array<{
      cost_usd: number;
      cost_unknown_models: string[];
    }>;
    assert.deepEqual(
      listed.map((run) => run.cost_unknown_models),
      [['fake/orchestrator-model']],
    );

    const shown = await runCli(['show', 'last'], { cwd: fixture.directory });
    assert.match(shown.stdout, /· \$0\.0220 \+ cost unknown for fake\/orchestrator-model\n/);
    assert.match(shown.stdout, /fake\/code-model\s+2\s+\d+\s+\$0\.0220\n/);
    assert.match(shown.stdout, /fake\/orchestrator-model\s+2\s+\d+\s+unknown\n/);

    const report = await runCli(['report'], { cwd: fixture.directory });
    assert.match(report.stdout, /\| fake\/orchestrator-model \| 2 \| \d+ \| \d+ \| unknown \|/);
    // The report shows money in cents.
    assert.match(report.stdout, /\| fake\/code-model \| 2 \| \d+ \| \d+ \| \$0\.02 \|/);
    assert.match(report.stdout, /\*\*Total: \$0\.02 \+ cost unknown for fake\/orchestrator-model\*\*/);
    const reportJson = JSON.parse((await runCli(['report', '--json'], { cwd: fixture.directory })).stdout) as {
      costs: { costUnknownModels: string[] };
    };
    assert.deepEqual(reportJson.costs.costUnknownModels, ['fake/orchestrator-model']);

    server.route({ model: 'orchestrator-model' }, complete('nothing to do'));
    const json = JSON.parse(
      (await runCli(['run', '--task', 'Nothing', '--output-format', 'json'], { cwd: fixture.directory })).stdout,
    ) as ResultLine;
    assert.deepEqual(json.cost_unknown_models, ['fake/orchestrator-model']);
    assert.equal(json.total_cost_usd, 0);
  });
});
