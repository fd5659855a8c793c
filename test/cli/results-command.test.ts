import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from '../../src/state/database.js';
import { appendExperimentResult, resultsLogPath } from '../../src/state/experiment-results.js';
import { RunStore } from '../../src/state/run-store.js';
import { markerCentres } from '../support/chart-raster.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'experiment');
const LOOP_RUN = '20250101-100000-loop';
const NEWER_PLAIN_RUN = '20250101-120000-plain';
const at = (time: string) => `2025-01-01T${time}Z`;
const sha = (digit: string) => digit.repeat(40);

/** A state database with a loop run (baseline ×3, three experiments, a torn last line) and a newer run without a loop. */
function writeLoopState(workdir: string): void {
  const store = new RunStore(openDatabase(join(workdir, '.mux-swarm')));
  for (const [id, startedAt] of [
    [LOOP_RUN, at('10:00:00')],
    [NEWER_PLAIN_RUN, at('12:00:00')],
  ] as const) {
    store.createRun({
      id,
      goalName: 'Tune lr',
      goalSource: 'goal.md',
      goalText: '# Tune lr',
      mode: 'hierarchical',
      settings: { workdir },
      hostname: 'box',
      pid: 1,
      startedAt,
    });
  }
  store.close();
  const runDirectory = join(workdir, '.mux-swarm', 'runs', LOOP_RUN);
  mkdirSync(runDirectory, { recursive: true });
  const log = resultsLogPath(runDirectory);
  const timing = { durationMs: 1000, startedAt: at('10:00:00'), endedAt: at('10:00:01') };
  appendExperimentResult(log, {
    kind: 'loop',
    metric: { name: 'loss', direction: 'lower' },
    baselineRepeats: 3,
    margin: null,
    command: 'python3 experiment.py',
    baseCommit: sha('a'),
    startedAt: at('10:00:00'),
  });
  for (const [repeat, metric] of [
    [1, 0.04],
    [2, 0.041],
    [3, 0.042],
  ] as const)
    appendExperimentResult(log, { kind: 'baseline', iteration: 0, repeat, commit: sha('a'), metric, ...timing });
  const experiment = { kind: 'experiment' as const, ...timing };
  appendExperimentResult(log, {
    ...experiment,
    iteration: 1,
    commit: sha('b'),
    metric: 0.01,
    decision: 'kept',
    reason: 'better: -0.031 vs the best 0.041, more than the margin 0.002',
    hypothesis: 'a larger lr',
    costUsd: 0.012,
  });
  appendExperimentResult(log, {
    ...experiment,
    iteration: 2,
    commit: sha('c'),
    metric: 0.09,
    decision: 'discarded',
    reason: 'worse: +0.08 vs the best 0.01',
    hypothesis: 'a much larger lr',
    costUsd: 0.02,
  });
  appendExperimentResult(log, {
    ...experiment,
    iteration: 3,
    commit: null,
    metric: null,
    decision: 'discarded',
    reason: 'no change: the orchestrator changed no file',
    hypothesis: 'nothing',
    costUsd: 0.001,
  });
  appendFileSync(log, '{"schemaVersion":1,"kind":"experi');
}

describe('mux-swarm results', { concurrency: 1 }, () => {
  const projects: ProjectFixture[] = [];
  after(() => {
    for (const project of projects) project.remove();
  });
  function project(): ProjectFixture {
    const fixture = createProjectFixture('mux-swarm-results-');
    projects.push(fixture);
    return fixture;
  }

  it('prints the history of the newest run with a results log, and writes the metric chart', async () => {
    const fixture = project();
    writeLoopState(fixture.directory);
    const shown = await runCli(['results', '--workdir', '.'], { cwd: fixture.directory });
    assert.equal(shown.code, 0, shown.stderr);
    const lines = shown.stdout.split('\n');
    assert.equal(lines[0], `Run ${LOOP_RUN}: loss (lower is better), measured by \`python3 experiment.py\``);
    assert.equal(
      lines[1],
      'Baseline 0.041 (3 runs, noise 0.002); kept only when better by more than 0.002 (the noise).',
    );
    const row = (start: string) =>
      lines.find((line) => line.startsWith(start)) ?? assert.fail(`no row "${start}" in:\n${shown.stdout}`);
    assert.match(row('iteration'), /^iteration\s+commit\s+metric\s+Δ best\s+decision\s+cost\s+hypothesis$/);
    assert.match(row('0 (2/3)'), /^0 \(2\/3\)\s+aaaaaaa\s+0\.041\s+—\s+baseline\s+—\s+—$/);
    assert.match(
      row('1 '),
      /^1\s+bbbbbbb\s+0\.01\s+-0\.031\s+kept: better: -0\.031 vs the best 0\.041, more than the margin 0\.002\s+\$0\.0120\s+a larger lr$/,
    );
    assert.match(
      row('2 '),
      /^2\s+ccccccc\s+0\.09\s+\+0\.08\s+discarded: worse: \+0\.08 vs the best 0\.01\s+\$0\.0200\s+a much larger lr$/,
    );
    assert.match(row('3 '), /^3\s+—\s+—\s+—\s+discarded: no change/);
    assert.ok(
      shown.stdout.includes('3 experiments: 1 kept, 2 discarded; $0.0330. Best 0.01 at commit bbbbbbb (iteration 1).'),
      shown.stdout,
    );
    assert.ok(shown.stdout.includes('The last line of the log was cut off by a crash; it is not counted.'));

    const chartFile = join(fixture.directory, '.mux-swarm', 'runs', LOOP_RUN, 'report', 'metric.svg');
    assert.equal(
      shown.stderr,
      `Metric chart: ${join('.mux-swarm', 'runs', LOOP_RUN, 'report', 'metric.svg')}\n`,
      'the path relative to where the user stands',
    );
    const svg = readFileSync(chartFile, 'utf8');
    assert.match(svg, /<text class="title"[^>]*>loss by iteration<\/text>/);
    for (const entry of ['best so far', 'baseline runs', 'kept', 'discarded', 'noise margin (0.002)', 'unmeasured'])
      assert.ok(svg.includes(`<text x="28" y="10">${entry}</text>`), `legend entry ${entry}`);
    assert.match(
      svg,
      /<path d="M[\d.]+ [\d.]+ L[^"]*" stroke="#4e79a7"><title>best so far<\/title>/,
      'the best so far is a line',
    );
    const markers = (series: string) => markerCentres(svg, series).length;
    assert.deepEqual(
      ['kept', 'discarded', 'baseline runs', 'unmeasured'].map(markers),
      [1, 1, 3, 1],
      'markers: one kept, one discarded (the unmeasured one has none of its own), three baseline runs, and the unmeasured iteration on the axis',
    );
    assert.match(svg, /<title>unmeasured: 3<\/title>/);
    assert.match(
      svg,
      /<desc id="chart-desc">loss by iteration \(lower is better\)\. Baseline 0\.041 over 3 runs\. 3 experiments: 1 kept, 1 discarded, 1 unmeasured\./,
    );
  });

  it('gives the history as JSON, with the best before each experiment and the change against it', async () => {
    const fixture = project();
    writeLoopState(fixture.directory);
    const shown = await runCli(['results', LOOP_RUN.slice(0, 12), '--json', '--workdir', '.'], {
      cwd: fixture.directory,
    });
    assert.equal(shown.code, 0, shown.stderr);
    const report = JSON.parse(shown.stdout) as {
      metric: unknown;
      baseline: unknown;
      margin: number;
      best: unknown;
      experiments: Array<{ iteration: number; bestBefore: number | null; delta: number | null; decision: string }>;
      tornTail: boolean;
    };
    assert.deepEqual(report.metric, { name: 'loss', direction: 'lower' });
    assert.deepEqual(report.best, { metric: 0.01, commit: sha('b'), iteration: 1 });
    assert.equal(report.margin, 0.0020000000000000018);
    assert.deepEqual(
      report.experiments.map((line) => [line.iteration, line.bestBefore, line.decision]),
      [
        [1, 0.041, 'kept'],
        [2, 0.01, 'discarded'],
        [3, 0.01, 'discarded'],
      ],
    );
    assert.ok(Math.abs(report.experiments[1]!.delta! - 0.08) < 1e-12);
    assert.equal(report.tornTail, true);
    assert.ok(!existsSync(join(fixture.directory, '.mux-swarm', 'runs', LOOP_RUN, 'report')), '--json writes no chart');
  });

  it('says when a run has no results log, or no run has one (exit 2)', async () => {
    const fixture = project();
    writeLoopState(fixture.directory);
    const plain = await runCli(['results', NEWER_PLAIN_RUN, '--workdir', '.'], { cwd: fixture.directory });
    assert.equal(plain.code, 2);
    assert.match(
      plain.stderr,
      new RegExp(
        `^mux-swarm: run ${NEWER_PLAIN_RUN} has no results log \\(.*results\\.jsonl\\): only a goal with loop: front matter writes one\\n$`,
      ),
    );
    const empty = project();
    new RunStore(openDatabase(join(empty.directory, '.mux-swarm'))).close();
    const none = await runCli(['results', '--workdir', '.'], { cwd: empty.directory });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /no run in this workdir has a results log/);
  });

  describe('a loop run through the CLI', () => {
    let server: FakeOpenAIServer;
    before(async () => {
      server = await startFakeOpenAIServer();
    });
    after(async () => {
      await server.close();
    });

    it('killed mid-iteration and resumed: no iteration is redone, and results shows each once', async () => {
      const write = (lr: number) => ({
        toolCalls: [{ name: 'fs__write_file', arguments: { path: 'params.json', content: `{"lr": ${lr}}\n` } }],
      });
      const complete = (hypothesis: string) => ({
        toolCalls: [{ name: 'complete', arguments: { status: 'success', summary: `Hypothesis: ${hypothesis}` } }],
      });
      server.route(
        { model: 'orchestrator-model' },
        write(0.2),
        complete('a larger lr'),
        write(0.6),
        complete('a much larger lr'),
      );
      const fixture = project();
      fixture.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
      fixture.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs'] }), agents: [] });
      fixture.write(
        'goal.md',
        '---\nloop:\n  maxIterations: 2\n  metric: { name: loss, direction: lower, from: { json: metric.json, field: loss } }\n  command: python3 experiment.py\n  baselineRepeats: 2\n---\n# Tune lr\n\nTune params.json.\n',
      );
      const workdir = join(fixture.directory, 'work');
      mkdirSync(workdir);
      copyFileSync(join(FIXTURE, 'experiment.py'), join(workdir, 'experiment.py'));
      copyFileSync(join(FIXTURE, 'params.json'), join(workdir, 'params.json'));

      // Turns recorded: 1 and 2 are iteration 1's, 3 is iteration 2's params.json write.
      const killed = await runCli(['run', 'goal.md'], {
        cwd: fixture.directory,
        env: { MUX_SWARM_FAIL_AT: 'turn-recorded:3' },
      });
      assert.equal(killed.signal, 'SIGKILL', killed.stderr);
      const resumed = await runCli(['run', 'goal.md', '--output-format', 'json'], { cwd: fixture.directory });
      assert.equal(resumed.code, 0, resumed.stderr);
      const result = JSON.parse(resumed.stdout) as { subtype: string; result: string; artifacts: string[] };
      assert.match(
        result.result,
        /^Experiment loop stopped: 2 iterations done \(maxIterations\)\. 2 experiments: 1 kept, 1 discarded\. Best loss 0\.01 \(iteration 1\)/,
      );
      assert.equal(server.chatRequests().length, 4, 'every model reply asked for once');
      assert.equal(server.pendingResponses(), 0);
      assert.deepEqual(
        JSON.parse(readFileSync(join(workdir, 'params.json'), 'utf8')),
        { lr: 0.2 },
        'the regression was reverted',
      );
      assert.equal(
        (JSON.parse(readFileSync(join(workdir, 'metric.json'), 'utf8')) as { runs: number }).runs,
        4,
        'two baseline runs and one per experiment: nothing measured twice',
      );
      const runId = result.artifacts[0]!.split('/')[2]!;
      const database = new Database(join(workdir, '.mux-swarm', 'state.db'), { readonly: true });
      try {
        assert.deepEqual(database.prepare(`SELECT id, status FROM delegations ORDER BY id`).all(), [
          { id: 'i1', status: 'success' },
          { id: 'i2', status: 'success' },
        ]);
      } finally {
        database.close();
      }

      const shown = await runCli(['results', runId], { cwd: fixture.directory });
      assert.equal(shown.code, 0, shown.stderr);
      const rows = shown.stdout.split('\n').filter((line) => /^(0 \(\d\/2\)|\d+)\s+[0-9a-f]{7}\s/.test(line));
      assert.equal(rows.length, 4, shown.stdout);
      assert.match(rows[2]!, /^1\s+[0-9a-f]{7}\s+0\.01\s+-0\.03\s+kept/);
      assert.match(rows[3]!, /^2\s+[0-9a-f]{7}\s+0\.09\s+\+0\.08\s+discarded: worse/);
      assert.ok(existsSync(join(workdir, '.mux-swarm', 'runs', runId, 'report', 'metric.svg')));
    });
  });
});
