import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const complete = (status: string, summary: string, artifacts: string[] = []) => ({
  toolCalls: [{ name: 'complete', arguments: { status, summary, artifacts } }],
});

describe('mux-swarm run: goal sources, output formats, limits and exit codes', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;

  before(async () => {
    server = await startFakeOpenAIServer();
    project = createProjectFixture();
    project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }),
      agents: [fakeAgent('code', { mcpServers: ['fs', 'shell'] })],
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

  it('--task with --output-format json prints one result object, and --output writes a markdown report', async () => {
    server.enqueue(
      { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'a.txt', content: 'A' } }] },
      complete('success', 'wrote a.txt', ['a.txt']),
    );
    const result = await runCli(['run', '--task', 'Write a.txt', '--output-format', 'json', '--output', 'report.md'], {
      cwd: project.directory,
    });
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout) as {
      type: string;
      subtype: string;
      result: string;
      artifacts: string[];
      num_turns: number;
    };
    assert.equal(parsed.type, 'result');
    assert.equal(parsed.subtype, 'success');
    assert.equal(parsed.result, 'wrote a.txt');
    assert.equal(result.stdout.trim().split('\n').length, 1);
    const report = readFileSync(join(project.directory, 'report.md'), 'utf8');
    assert.match(report, /^# Write a\.txt\n/);
    assert.match(report, /- Outcome: \*\*success\*\* \(exit 0\)/);
    assert.match(report, /## Result\n\nwrote a\.txt\n/);
    assert.match(report, /## Artifacts\n\n- a\.txt\n/);
    assert.match(report, /\| orchestrator \| 2 \| \d+ \| \$0\.0000 \|/);
    assert.equal(server.chatRequests()[0]!.body.messages[1]!.content, '# Goal: Write a.txt\n\nWrite a.txt');
  });

  it('reads the goal from stdin with -, shows progress on stderr and prints the result on stdout in text mode', async () => {
    server.enqueue(
      { content: 'Listing first.', toolCalls: [{ name: 'fs__list_directory', arguments: { path: '.' } }] },
      complete('success', 'all listed'),
    );
    const result = await runCli(['run', '-'], {
      cwd: project.directory,
      stdin: '---\nname: from stdin\n---\nList the working directory.\n',
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'all listed\n');
    assert.match(result.stderr, /mux-swarm run \S+ · from stdin · hierarchical · 2 agents/);
    assert.match(result.stderr, /orchestrator\s+⚙ fs__list_directory path="\."/);
    assert.match(result.stderr, /orchestrator\s+✔ success \(2 turns, .*\) all listed/);
    assert.match(
      result.stderr,
      /■ success in .* · 2 turns · \d+ tokens · cost unknown for fake\/orchestrator-model · exit 0/,
    );
    assert.match(String(server.chatRequests()[0]!.body.messages[1]!.content), /List the working directory\./);
  });

  it('exits 1 when the orchestrator reports the goal failed', async () => {
    server.enqueue(complete('failure', 'the goal cannot be met'));
    const result = await runCli(['run', '--task', 'impossible', '--output-format', 'json'], { cwd: project.directory });
    assert.equal(result.code, 1);
    assert.equal((JSON.parse(result.stdout) as { subtype: string }).subtype, 'error_goal_failed');
  });

  it('exits 3 with error_max_turns when --max-turns is reached, and the goal front matter limits apply too', async () => {
    const list = { toolCalls: [{ name: 'fs__list_directory', arguments: { path: '.' } }] };
    server.enqueue(list, list, complete('success', 'too late'));
    const result = await runCli(['run', '--task', 'busy', '--max-turns', '2', '--output-format', 'json'], {
      cwd: project.directory,
    });
    assert.equal(result.code, 3);
    const parsed = JSON.parse(result.stdout) as { subtype: string; num_turns: number };
    assert.equal(parsed.subtype, 'error_max_turns');
    assert.equal(parsed.num_turns, 2);
    server.reset();

    // A USD budget needs a known price to start; the cost the provider reports still comes first.
    project.write(
      'config-priced.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        prices: {
          'orchestrator-model': { inputPerMillion: 0.01, outputPerMillion: 0.01 },
          'code-model': { inputPerMillion: 0.01, outputPerMillion: 0.01 },
        },
      }),
    );
    server.enqueue({ ...list, cost: 0.3 }, { ...list, cost: 0.3 }, complete('success', 'never'));
    project.write('budget-goal.md', '---\nbudget:\n  usd: 0.5\n---\nSpend money.\n');
    const budget = await runCli(
      ['run', 'budget-goal.md', '--config', 'config-priced.json', '--output-format', 'json'],
      { cwd: project.directory },
    );
    assert.equal(budget.code, 3);
    assert.equal((JSON.parse(budget.stdout) as { subtype: string }).subtype, 'error_max_budget_usd');
    assert.equal(server.pendingResponses(), 1, 'no model call after the budget ran out');
  });

  it('stops on SIGINT with error_interrupted and exit 130, recording the run as interrupted', async () => {
    server.enqueue({ delayMs: 20_000, ...complete('success', 'too slow') });
    const result = await runCli(['run', '--task', 'wait for me', '--output-format', 'stream-json'], {
      cwd: project.directory,
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (server.chatRequests().length > 0) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
      },
    });
    assert.equal(result.code, 130, result.stderr);
    const last = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      type: string;
      subtype: string;
      exit_code: number;
    };
    assert.deepEqual([last.type, last.subtype, last.exit_code], ['result', 'error_interrupted', 130]);
    const runs = await runCli(['runs', '--json'], { cwd: project.directory });
    assert.equal((JSON.parse(runs.stdout) as Array<{ status: string }>)[0]!.status, 'interrupted');
  });

  it('works through a streaming provider, retries a 429 (reporting it), and accepts tool calls written as JSON text', async () => {
    project.write(
      'config-stream.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        providers: { fake: { baseURL: server.baseURL, stream: true, maxRetries: 2 } },
      }),
    );
    server.enqueue(
      { error: { status: 429, message: 'slow down', headers: { 'retry-after': '0' } } },
      { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'streamed.txt', content: 'via stream' } }] },
      {
        content:
          'Done. {"name": "complete", "arguments": {"status": "success", "summary": "finished in text", "artifacts": ["streamed.txt"]}}',
      },
    );
    const result = await runCli(
      ['run', '--task', 'Write streamed.txt', '--config', 'config-stream.json', '--output-format', 'stream-json'],
      { cwd: project.directory },
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(project.directory, 'work', 'streamed.txt'), 'utf8'), 'via stream');
    const events = result.stdout
      .trim()
      .split('\n')
      .map(
        (line) =>
          JSON.parse(line) as { type: string; attempt?: number; reason?: string; subtype?: string; result?: string },
      );
    const retry = events.find((event) => event.type === 'model-retry');
    assert.equal(retry?.attempt, 2);
    assert.match(retry?.reason ?? '', /429/);
    assert.deepEqual([events.at(-1)!.subtype, events.at(-1)!.result], ['success', 'finished in text']);
    assert.ok(server.chatRequests().every((request) => request.body.stream === true));
  });

  it('show prints a recorded run: outcome, delegations, tool calls, usage, and the transcript on request', async () => {
    server.enqueue(
      { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'shown.txt', content: 'x' } }] },
      complete('success', 'shown', ['shown.txt']),
    );
    const run = await runCli(['run', '--task', 'Write shown.txt', '--output-format', 'json'], {
      cwd: project.directory,
    });
    const runId = (JSON.parse(run.stdout) as { run_id: string }).run_id;
    const shown = await runCli(['show', runId.slice(0, 19), '--transcript'], { cwd: project.directory });
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`^run ${runId}: succeeded \\(success, exit 0\\)`));
    assert.match(shown.stdout, /d1 mux-swarm → orchestrator: success \(2 turns, \$0\.0000\) shown/);
    assert.match(
      shown.stdout,
      /Tool calls: 2 \(0 failed\)\n  d1 orchestrator turn 1: fs__write_file\n  d1 orchestrator turn 2: complete/,
    );
    assert.match(
      shown.stdout,
      /Usage by model\nmodel\s+calls\s+tokens\s+cost\n-+\s+-+\s+-+\s+-+\nfake\/orchestrator-model\s+2/,
    );
    assert.match(shown.stdout, /--- d1 #2 user\n# Goal: Write shown\.txt/);
    const missing = await runCli(['show', 'nope'], { cwd: project.directory });
    assert.equal(missing.code, 2, 'no such run: a usage error, as in every command that takes a run');
    assert.equal(missing.stderr, 'mux-swarm: no run "nope"; see `mux-swarm runs`\n');
  });
});
