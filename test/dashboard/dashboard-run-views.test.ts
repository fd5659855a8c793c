import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { markerCentres } from '../support/chart-raster.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { REPOSITORY_ROOT, runCli } from '../support/run-cli.js';
import { trainerCommand } from '../servers/training/training-test-helpers.js';
import { httpRequest, startServe, waitFor, type ServeProcess } from '../support/dashboard-client.js';

/** Screenshots a person can look at (gitignored). */
const SHOTS = join(REPOSITORY_ROOT, 'test-output', 'dashboard');
const EXPERIMENT = join(import.meta.dirname, '..', 'fixtures', 'experiment');
/** $36 an hour: a cent a second, so a job of a few seconds costs a visible amount. */
const HOURLY_USD = 36;

const call = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
const complete = (summary: string) => call('complete', { status: 'success', summary, artifacts: [] });

interface GpuJson {
  jobs: Array<{ job_id: string; name: string; state: string; hourly_usd: number; seconds: number; cost_usd: number }>;
  seconds: number;
  cost_usd: number;
  model_usd: number;
  total_usd: number;
}
interface DelegationJson {
  id: string;
  parent_id: string | null;
  agent: string;
  depth: number;
  status: string | null;
}

/**
 * One run that trains on a priced GPU and delegates two levels deep (orchestrator → planner → writer, and
 * orchestrator → reviewer in parallel with the planner), and one experiment-loop run, each served by `serve`.
 */
describe('the run page: GPU cost, the delegation tree, the loop', () => {
  let server: FakeOpenAIServer;
  let project: ProjectFixture;
  let loopProject: ProjectFixture;
  let serve: ServeProcess;
  let loopServe: ServeProcess;
  let browser: Browser;
  let runId: string;
  let loopRunId: string;
  /** The run's GPU section as the dashboard answered it while the job ran, and after it ended. */
  let gpuWhileRunning: GpuJson | undefined;
  let gpuAfterEnd: GpuJson | undefined;
  const runJson = async (base: string, id: string) => JSON.parse((await httpRequest(`${base}/api/runs/${id}`)).body);

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    server = await startFakeOpenAIServer();
    project = createProjectFixture('mux-swarm-dashboard-views-');
    loopProject = createProjectFixture('mux-swarm-dashboard-loop-');
    let reviewerDone: () => void = () => undefined;
    const reviewed = new Promise<void>((resolve) => (reviewerDone = resolve));
    const gpuOfNewestRun = async (): Promise<GpuJson | undefined> => {
      const { runs } = JSON.parse((await httpRequest(`${serve.base}/api/runs`)).body);
      return runs[0] ? ((await runJson(serve.base, runs[0].id)).gpu as GpuJson) : undefined;
    };
    server.route(
      { model: 'orchestrator-model' },
      call('training__start', { command: trainerCommand('--steps', '30', '--step-seconds', '0.1'), name: 'gpu-job' }),
      // Held while the job trains: the dashboard's GPU section is read as the job runs and after it ends.
      async () => {
        gpuWhileRunning = await waitFor('the job to run on the dashboard', async () => {
          const gpu = await gpuOfNewestRun();
          return gpu?.jobs[0]?.state === 'running' && gpu.seconds > 0 ? gpu : undefined;
        });
        gpuAfterEnd = await waitFor('the job to end on the dashboard', async () => {
          const gpu = await gpuOfNewestRun();
          return gpu?.jobs[0] && gpu.jobs[0].state !== 'running' ? gpu : undefined;
        });
        return {
          toolCalls: [
            { name: 'delegate', arguments: { agent: 'planner', task: 'Plan the notes.' } },
            { name: 'delegate', arguments: { agent: 'reviewer', task: 'Review the plan.' } },
          ],
        };
      },
      complete('planned, written and reviewed'),
    );
    // The planner delegates only after the reviewer answered: its child starts after its sibling, so tree order
    // (orchestrator, planner, writer, reviewer) differs from start order.
    server.route(
      { model: 'planner-model' },
      async () => {
        await reviewed;
        return call('delegate', { agent: 'writer', task: 'Write the notes.' });
      },
      complete('planned'),
    );
    server.route({ model: 'writer-model' }, complete('wrote'));
    server.route({ model: 'reviewer-model' }, () => {
      reviewerDone();
      return complete('reviewed');
    });
    project.write(
      'config.json',
      fakeConfig(server.baseURL, {
        filesystem: { workdir: 'work' },
        mcpServers: {
          training: { builtin: 'training', options: { progressEventIntervalMs: 0, gpuHourlyUsd: HOURLY_USD } },
        },
      }),
    );
    project.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { mcpServers: ['training'], canDelegateTo: ['planner', 'reviewer'] }),
      agents: [fakeAgent('planner', { canDelegateTo: ['writer'] }), fakeAgent('writer'), fakeAgent('reviewer')],
    });
    project.write('goal.md', '# Train and write\n\nTrain, then have the notes planned, written and reviewed.\n');
    serve = await startServe([], { cwd: project.directory });
    const ran = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: project.directory,
      timeoutMs: 120_000,
    });
    assert.equal(ran.code, 0, ran.stderr);
    runId = JSON.parse(ran.stdout.trim().split('\n').at(-1)!).run_id;

    // The loop: lr 0.1 measures 0.04 (twice, the baseline), lr 0.2 0.01 (kept), lr 0.5 0.04 (discarded).
    server.route(
      { model: 'loop-orchestrator-model' },
      call('fs__write_file', { path: 'params.json', content: '{"lr": 0.2}\n' }),
      complete('Hypothesis: lr 0.2'),
      call('fs__write_file', { path: 'params.json', content: '{"lr": 0.5}\n' }),
      complete('Hypothesis: lr 0.5'),
    );
    loopProject.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
    loopProject.write('swarm.json', {
      orchestrator: fakeAgent('orchestrator', { model: 'loop-orchestrator-model', mcpServers: ['fs'] }),
      agents: [],
    });
    loopProject.write(
      'goal.md',
      [
        '---',
        'loop:',
        '  maxIterations: 2',
        '  metric: { name: loss, direction: lower, from: { json: metric.json, field: loss } }',
        '  command: python3 experiment.py',
        '  baselineRepeats: 2',
        '  paths: [params.json]',
        '---',
        '# Tune lr',
        '',
        "Tune the learning rate in params.json so that experiment.py's loss goes down.",
        '',
      ].join('\n'),
    );
    const work = join(loopProject.directory, 'work');
    mkdirSync(work, { recursive: true });
    for (const file of ['experiment.py', 'params.json']) copyFileSync(join(EXPERIMENT, file), join(work, file));
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-C', work, ...args], { encoding: 'utf8' });
      assert.equal(result.status, 0, `git ${args.join(' ')}: ${result.stderr}`);
    };
    git('init', '--quiet', '--initial-branch=main');
    git('config', 'user.name', 'tester');
    git('config', 'user.email', 'tester@localhost');
    git('add', '-A');
    git('commit', '--quiet', '-m', 'the experiment');
    const looped = await runCli(['run', 'goal.md', '--output-format', 'json'], {
      cwd: loopProject.directory,
      timeoutMs: 120_000,
    });
    assert.equal(looped.code, 0, looped.stderr);
    loopRunId = JSON.parse(looped.stdout.trim().split('\n').at(-1)!).run_id;
    loopServe = await startServe([], { cwd: loopProject.directory });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  });

  after(async () => {
    await browser?.close();
    await serve?.stop();
    await loopServe?.stop();
    await server.close();
    project.remove();
    loopProject.remove();
  });

  it("GPU time and cost: per job at its hourly price and the run's total, growing while the job runs, as the report computes them", async () => {
    assert.ok(gpuWhileRunning && gpuAfterEnd);
    const [running] = gpuWhileRunning.jobs;
    assert.equal(running!.hourly_usd, HOURLY_USD);
    assert.equal(running!.name, 'gpu-job');
    const run = await runJson(serve.base, runId);
    const gpu = run.gpu as GpuJson;
    assert.deepEqual(gpu, gpuAfterEnd, 'an ended job costs the same on every read');
    const [job] = gpu.jobs;
    assert.ok(job!.seconds >= 3, `30 steps of 0.1 s took at least 3 s (${job!.seconds})`);
    assert.ok(job!.seconds > running!.seconds && gpu.cost_usd > gpuWhileRunning.cost_usd, 'the cost grew meanwhile');
    assert.ok(Math.abs(job!.cost_usd - (job!.seconds * HOURLY_USD) / 3600) < 1e-9);
    assert.ok(Math.abs(gpu.cost_usd - job!.cost_usd) < 1e-9, 'one job: the total is the job');
    const modelUsd = run.usage_by_agent.reduce((sum: number, row: { cost_usd: number }) => sum + row.cost_usd, 0);
    assert.ok(Math.abs(gpu.model_usd - modelUsd) < 1e-9);
    assert.ok(Math.abs(gpu.total_usd - (modelUsd + gpu.cost_usd)) < 1e-9);

    const report = await runCli(['report', runId, '--json'], { cwd: project.directory });
    assert.equal(report.code, 0, report.stderr);
    const costs = JSON.parse(report.stdout).costs;
    assert.ok(Math.abs(costs.gpu.costUsd - gpu.cost_usd) < 1e-9, 'the same GPU cost as mux-swarm report');
    assert.ok(Math.abs(costs.gpu.seconds - gpu.seconds) < 1e-9);
  });

  it('the delegation tree: parent links and depth, each child right under its parent', async () => {
    const delegations = (await runJson(serve.base, runId)).delegations as DelegationJson[];
    assert.deepEqual(
      delegations.map((row) => [row.agent, row.depth, row.status]),
      [
        ['orchestrator', 0, 'success'],
        ['planner', 1, 'success'],
        ['writer', 2, 'success'],
        ['reviewer', 1, 'success'],
      ],
    );
    const byAgent = new Map(delegations.map((row) => [row.agent, row]));
    assert.equal(byAgent.get('orchestrator')!.parent_id, null);
    assert.equal(byAgent.get('planner')!.parent_id, byAgent.get('orchestrator')!.id);
    assert.equal(byAgent.get('writer')!.parent_id, byAgent.get('planner')!.id);
    assert.equal(byAgent.get('reviewer')!.parent_id, byAgent.get('orchestrator')!.id);
  });

  it("the loop: the API's results and standing, and the metric chart as `mux-swarm results` draws it", async () => {
    const { loop } = await runJson(loopServe.base, loopRunId);
    assert.equal(loop.start.metric.name, 'loss');
    assert.deepEqual(
      loop.baselines.map((line: { metric: number }) => line.metric),
      [0.04, 0.04],
    );
    assert.deepEqual(
      loop.experiments.map((line: { iteration: number; metric: number; decision: string; hypothesis: string }) => [
        line.iteration,
        line.metric,
        line.decision,
        line.hypothesis,
      ]),
      [
        [1, 0.01, 'kept', 'lr 0.2'],
        [2, 0.04, 'discarded', 'lr 0.5'],
      ],
    );
    assert.equal(loop.standing.experiments, 2);
    assert.equal(loop.standing.kept, 1);
    assert.equal(loop.standing.best.iteration, 1);

    const chart = await httpRequest(`${loopServe.base}/api/runs/${loopRunId}/metric.svg`);
    assert.equal(chart.status, 200);
    assert.match(String(chart.headers['content-type']), /^image\/svg\+xml/);
    assert.match(chart.body, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.equal(markerCentres(chart.body, 'kept').length, 1);
    assert.equal(markerCentres(chart.body, 'discarded').length, 1);
    const results = await runCli(['results', loopRunId], { cwd: loopProject.directory });
    assert.equal(results.code, 0, results.stderr);
    const written = readFileSync(
      join(loopProject.directory, 'work', '.mux-swarm', 'runs', loopRunId, 'report', 'metric.svg'),
      'utf8',
    );
    assert.equal(chart.body, written, 'the same chart as mux-swarm results writes');
    const plain = await httpRequest(`${serve.base}/api/runs/${runId}/metric.svg`);
    assert.equal(plain.status, 404, 'a run without a loop has no metric chart');
  });

  it('in the browser: the GPU table, the tree indented under its parents, the loop table and chart', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    await page.goto(`${serve.base}/runs/${runId}`);
    await page.locator('#usage-gpu tr[data-total="gpu"]').waitFor({ timeout: 30_000 });
    assert.match((await page.locator('#usage-gpu tr[data-job]').textContent()) ?? '', /gpu-job.*\$36\.00\/h/);
    assert.match((await page.locator('#run-cost').textContent()) ?? '', /\+ GPU \$/);
    // Evaluated in the page (a string: this file is compiled without the DOM's types).
    const tree = await page.evaluate(
      `[...document.querySelectorAll('#delegations tbody tr')].map((row) => [row.cells[0].textContent, row.dataset.depth, row.cells[0].getBoundingClientRect().left + parseFloat(getComputedStyle(row.cells[0]).paddingLeft)])`,
    );
    const nesting = tree as Array<[string, string, number]>;
    assert.deepEqual(
      nesting.map(([agent, depth]) => [agent, depth]),
      [
        ['orchestrator', '0'],
        ['└ planner', '1'],
        ['└ writer', '2'],
        ['└ reviewer', '1'],
      ],
    );
    const indent = nesting.map(([, , left]) => left);
    assert.ok(indent[0]! < indent[1]! && indent[1]! < indent[2]! && indent[3] === indent[1], `indented: ${indent}`);
    await page.screenshot({ path: join(SHOTS, 'run-tree-gpu.png'), fullPage: true });

    await page.goto(`${loopServe.base}/runs/${loopRunId}`);
    const loop = page.locator('#loop');
    await loop.locator('#metric-chart').waitFor({ timeout: 30_000 });
    await page.waitForFunction(`document.querySelector('#metric-chart').naturalWidth > 0`);
    assert.equal(await loop.locator('tr[data-kind="baseline"]').count(), 2);
    assert.match((await loop.locator('tr[data-decision="kept"]').textContent()) ?? '', /^1.*0\.01.*-0\.03.*kept/);
    assert.match((await loop.locator('#loop-standing').textContent()) ?? '', /2 experiments: 1 kept, 1 discarded/);
    await loop.screenshot({ path: join(SHOTS, 'loop.png') });
    assert.deepEqual(problems, [], 'no script or policy error');
    await page.close();
  });
});
