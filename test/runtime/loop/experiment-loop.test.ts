import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RunContext } from '../../../src/runtime/run-context.js';
import { driveRun } from '../../../src/runtime/run-driver.js';
import { readExperimentResults, resultsLogPath } from '../../../src/state/experiment-results.js';
import { completeTurn, harnessPerTest, type RuntimeHarness } from '../../support/runtime-harness.js';
import { ScriptedChatModel, type ScriptedReply, type ScriptedTurn } from '../../support/scripted-chat-model.js';

const FIXTURE = join(import.meta.dirname, '..', '..', 'fixtures', 'experiment');

/** A goal whose loop tunes params.json's lr; `loop` is the YAML under `loop:` besides the metric. */
function loopGoal(
  loop: string,
  metric = 'metric: { name: loss, direction: lower, from: { json: metric.json, field: loss } }',
): string {
  return `---\nloop:\n  ${metric}\n${loop
    .trim()
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}\n---\n# Tune lr\n\nTune params.json's lr to minimise the loss of experiment.py.\n`;
}

/** A turn that writes params.json (and makes the `extra` calls). */
function writeParams(params: object, extra: Array<{ name: string; arguments: unknown }> = []): ScriptedTurn {
  return {
    toolCalls: [
      { name: 'fs__write_file', arguments: { path: 'params.json', content: `${JSON.stringify(params)}\n` } },
      ...extra,
    ],
  };
}

/** One iteration of the orchestrator: write params.json, then complete with the hypothesis. */
function iteration(
  params: object,
  hypothesis: string,
  extra: Array<{ name: string; arguments: unknown }> = [],
): ScriptedReply[] {
  return [writeParams(params, extra), completeTurn('success', `Hypothesis: ${hypothesis}\nChanged params.json.`)];
}

function prepareWorkdir(harness: RuntimeHarness, params: object = { lr: 0.1 }): void {
  copyFileSync(join(FIXTURE, 'experiment.py'), join(harness.workdir, 'experiment.py'));
  writeFileSync(join(harness.workdir, 'params.json'), `${JSON.stringify(params)}\n`);
}

function git(workdir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: workdir, encoding: 'utf8' }).trim();
}

function params(workdir: string): { lr: number } {
  return JSON.parse(readFileSync(join(workdir, 'params.json'), 'utf8')) as { lr: number };
}

function measurements(workdir: string): number {
  return (JSON.parse(readFileSync(join(workdir, 'metric.json'), 'utf8')) as { runs: number }).runs;
}

/** The user message (task) of a model request. */
function taskOf(model: ScriptedChatModel, request: number): string {
  return String(model.requests[request]!.messages.find((message) => message.role === 'user')!.content);
}

describe('the experiment loop', () => {
  const createHarness = harnessPerTest();

  it('keeps improvements, reverts regressions, and logs the baseline repeats and every iteration', async () => {
    let paramsSeenByIteration3: unknown;
    const harness = await createHarness({
      goal: loopGoal('maxIterations: 3\ncommand: python3 experiment.py\nbaselineRepeats: 3'),
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          ...iteration({ lr: 0.2 }, 'a larger lr gets closer to the optimum'),
          ...iteration({ lr: 0.6 }, 'a much larger lr'),
          () => {
            paramsSeenByIteration3 = params(harness.workdir);
            return writeParams({ lr: 0.25 });
          },
          completeTurn('success', 'Hypothesis: between 0.2 and 0.3'),
        ],
      },
    });
    prepareWorkdir(harness);
    const result = await harness.drive();

    assert.equal(result.subtype, 'success', result.result);
    assert.match(
      result.result,
      /^Experiment loop stopped: 3 iterations done \(maxIterations\)\. 3 experiments: 2 kept, 1 discarded\. Best loss 0\.0025 \(iteration 3\) at commit [0-9a-f]{7}\./,
    );
    const results = readExperimentResults(resultsLogPath(harness.runDirectory));
    assert.deepEqual(
      results.baselines.map((line) => [line.repeat, line.metric]),
      [
        [1, 0.04],
        [2, 0.04],
        [3, 0.04],
      ],
    );
    assert.deepEqual(
      results.experiments.map((line) => [line.iteration, line.metric, line.decision]),
      [
        [1, 0.01, 'kept'],
        [2, 0.09, 'discarded'],
        [3, 0.0025, 'kept'],
      ],
    );
    assert.match(results.experiments[1]!.reason, /^worse: \+0\.08 vs the best 0\.01$/);
    assert.deepEqual(
      results.experiments.map((line) => line.hypothesis),
      ['a larger lr gets closer to the optimum', 'a much larger lr', 'between 0.2 and 0.3'],
    );

    assert.deepEqual(
      paramsSeenByIteration3,
      { lr: 0.2 },
      'the regression was reverted before the next iteration: params.json is the best version',
    );
    assert.deepEqual(params(harness.workdir), { lr: 0.25 }, 'the last improvement stays');
    assert.equal(measurements(harness.workdir), 6, 'three baseline runs and one per experiment');
    const subjects = git(harness.workdir, 'log', '--format=%s').split('\n');
    assert.deepEqual(subjects, [
      'mux-swarm experiment 3: between 0.2 and 0.3',
      'mux-swarm: discard experiment 2 (worse: +0.08 vs the best 0.01)',
      'mux-swarm experiment 2: a much larger lr',
      'mux-swarm experiment 1: a larger lr gets closer to the optimum',
      'mux-swarm: the workdir before the experiment loop',
    ]);
    assert.equal(results.experiments[2]!.commit, git(harness.workdir, 'rev-parse', 'HEAD'));
    assert.deepEqual(
      git(harness.workdir, 'ls-files').split('\n').sort(),
      ['experiment.py', 'params.json'],
      'neither the state directory nor the outputs are committed',
    );
    assert.equal(
      git(harness.workdir, 'status', '--porcelain'),
      '',
      'the metric file and the log the command wrote are left out, not left dirty',
    );

    const orchestrator = harness.models.get('orchestrator')!;
    const task3 = taskOf(orchestrator, 4);
    assert.match(task3, /## Experiment loop: iteration 3/);
    assert.match(task3, /\| 0 \(baseline\) \| 0\.04 \| baseline \|/);
    assert.match(
      task3,
      /\| 1 \| 0\.01 \| kept: better: -0\.03 vs the best 0\.04, more than the margin 0 \| a larger lr gets closer to the optimum \|/,
    );
    assert.match(task3, /\| 2 \| 0\.09 \| discarded: worse: \+0\.08 vs the best 0\.01 \| a much larger lr \|/);
    assert.match(task3, /Best: 0\.01 \(iteration 1, commit [0-9a-f]{7}\)/);
    assert.match(task3, /# Goal: Tune lr/);
    assert.equal(
      harness.events.filter((event) => event.type === 'phase-report').length,
      3,
      'phase 0 at the start of every iteration',
    );
    assert.deepEqual(
      harness.events.filter((event) => event.type === 'delegation-start').map((event) => event.delegation_id),
      ['i1', 'i2', 'i3'],
    );
    assert.ok(
      harness.events.some(
        (event) =>
          event.type === 'system' && event.subtype === 'warning' && /was not a git repository/.test(event.message),
      ),
      'creating the repository is announced',
    );
  });

  it('discards a change within the measured noise and stops early once the threshold is reached', async () => {
    const harness = await createHarness({
      goal: loopGoal('maxIterations: 10\nstop: { metric: 0.02 }\ncommand: python3 experiment.py'),
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          ...iteration({ lr: 0.101, noise: 0.001 }, 'a hair larger'),
          ...iteration({ lr: 0.2, noise: 0.001 }, 'larger'),
        ],
      },
    });
    prepareWorkdir(harness, { lr: 0.1, noise: 0.001 });
    const result = await harness.drive();

    assert.equal(result.subtype, 'success', result.result);
    assert.match(
      result.result,
      /^Experiment loop stopped: the best loss 0\.011 reached the threshold 0\.02\. 2 experiments: 1 kept, 1 discarded\./,
    );
    const results = readExperimentResults(resultsLogPath(harness.runDirectory));
    assert.deepEqual(
      results.baselines.map((line) => line.metric),
      [0.04, 0.041, 0.042],
      'the baseline spreads by the noise',
    );
    const [nearly, better] = results.experiments;
    assert.equal(nearly!.decision, 'discarded');
    assert.equal(nearly!.reason, 'within the noise margin: -0.001399 vs the best 0.041 is not more than 0.002');
    assert.equal(better!.decision, 'kept');
    assert.equal(results.experiments.length, 2, 'no iteration after the threshold');
    assert.equal(harness.models.get('orchestrator')!.remaining, 0);
  });

  it('discards a change outside loop.paths, a change-less iteration and a failed one, and stops after noImprovementFor', async () => {
    const harness = await createHarness({
      goal: loopGoal(
        'stop: { noImprovementFor: 3 }\npaths: [params.json]\ncommand: python3 experiment.py\nbaselineRepeats: 1',
      ),
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          ...iteration({ lr: 0.29 }, 'closer, with notes', [
            { name: 'fs__write_file', arguments: { path: 'notes/idea.md', content: 'try 0.29\n' } },
          ]),
          completeTurn('success', 'Hypothesis: nothing left to try'),
          writeParams({ lr: 0.31 }),
          completeTurn('failure', 'Hypothesis: just past the optimum\nThe training diverged.'),
        ],
      },
    });
    prepareWorkdir(harness);
    const result = await harness.drive();

    assert.equal(result.subtype, 'success', result.result);
    assert.match(
      result.result,
      /^Experiment loop stopped: no improvement for 3 iterations \(stop\.noImprovementFor 3\)\. 3 experiments: 0 kept, 3 discarded\. Best loss 0\.04 \(the baseline\)/,
    );
    const [outside, unchanged, failed] = readExperimentResults(resultsLogPath(harness.runDirectory)).experiments;
    assert.equal(outside!.reason, 'changed `notes/idea.md`, outside loop.paths');
    assert.equal(outside!.metric, null, 'not measured');
    assert.match(outside!.commit!, /^[0-9a-f]{40}$/);
    assert.equal(unchanged!.reason, 'no change: the orchestrator changed no file');
    assert.equal(unchanged!.commit, null);
    assert.equal(
      failed!.reason,
      'the orchestrator reported failure: Hypothesis: just past the optimum The training diverged.',
    );
    assert.equal(failed!.hypothesis, 'just past the optimum');
    assert.ok(!existsSync(join(harness.workdir, 'notes', 'idea.md')), 'the whole experiment was reverted');
    assert.deepEqual(params(harness.workdir), { lr: 0.1 }, "the failed iteration's change was reverted too");
    assert.equal(measurements(harness.workdir), 1, 'only the baseline was measured');
  });

  it('tidies what the command leaves: tracked files it changed are put back, new ones become outputs', async () => {
    const command =
      'python3 experiment.py && mkdir -p out && echo weights > out/model.bin && echo "# tampered" >> experiment.py';
    const harness = await createHarness({
      goal: loopGoal(`maxIterations: 1\ncommand: '${command}'\nbaselineRepeats: 1`),
      orchestrator: { mcpServers: ['fs'] },
      script: { orchestrator: iteration({ lr: 0.2 }, 'larger') },
    });
    prepareWorkdir(harness);
    const result = await harness.drive();

    assert.equal(result.subtype, 'success', result.result);
    assert.equal(
      readFileSync(join(harness.workdir, 'experiment.py'), 'utf8'),
      readFileSync(join(FIXTURE, 'experiment.py'), 'utf8'),
      'the tracked file the command changed is as committed',
    );
    assert.equal(
      readFileSync(join(harness.workdir, 'out', 'model.bin'), 'utf8'),
      'weights\n',
      'outputs are left in place',
    );
    assert.match(
      readFileSync(join(harness.workdir, '.git', 'info', 'exclude'), 'utf8'),
      /^\/out$/m,
      'a new output directory is excluded as a whole',
    );
    assert.equal(
      git(harness.workdir, 'show', '--name-only', '--format=', 'HEAD'),
      'params.json',
      "the experiment is the orchestrator's change alone",
    );
    assert.equal(git(harness.workdir, 'status', '--porcelain'), '');
  });

  it('reads the metric from a log (the last match wins) and needs no command when the agents run the experiment', async () => {
    const harness = await createHarness({
      goal: loopGoal(
        'maxIterations: 1',
        'metric: { name: loss, direction: lower, from: { log: train.log, regex: "loss=([0-9.]+)" } }',
      ),
      orchestrator: { mcpServers: ['fs', 'shell'] },
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'fs__write_file', arguments: { path: 'params.json', content: '{"lr": 0.3}\n' } }] },
          { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'python3 experiment.py' } }] },
          completeTurn('success', 'Hypothesis: lr at the optimum'),
        ],
      },
    });
    prepareWorkdir(harness);
    writeFileSync(join(harness.workdir, 'train.log'), 'run 0: loss=0.5\n');
    const result = await harness.drive();

    assert.equal(result.subtype, 'success', result.result);
    const results = readExperimentResults(resultsLogPath(harness.runDirectory));
    assert.deepEqual(
      results.baselines.map((line) => line.metric),
      [0.5],
      'without a command the baseline is read once, as the workdir has it',
    );
    assert.deepEqual(
      results.experiments.map((line) => [line.metric, line.decision]),
      [[0, 'kept']],
    );
    assert.deepEqual(
      git(harness.workdir, 'show', '--name-only', '--format=', 'HEAD').split('\n').sort(),
      ['metric.json', 'params.json'],
      'what the agents ran is part of their experiment, the metric log is not',
    );
  });

  it('resumes a loop stopped mid-iteration: finished iterations are not redone, the iteration goes on from its transcript', async () => {
    const harness = await createHarness({
      goal: loopGoal('maxIterations: 2\ncommand: python3 experiment.py'),
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          ...iteration({ lr: 0.2 }, 'larger'),
          writeParams({ lr: 0.25 }),
          () => {
            harness.run.stop('interrupted', 'SIGINT');
            return completeTurn('success', 'never seen');
          },
        ],
      },
    });
    prepareWorkdir(harness);
    const first = await harness.drive();
    assert.equal(first.subtype, 'error_interrupted');
    assert.match(
      first.result,
      /^Stopped: the run was interrupted \(SIGINT\)\. 1 experiment: 1 kept, 0 discarded\. Best loss 0\.01 \(iteration 1\)/,
    );

    const resumed = resumeHarness(harness, [completeTurn('success', 'Hypothesis: larger still')]);
    const result = await driveRun(resumed.run, { resumedSession: 2 });

    assert.equal(result.subtype, 'success', result.result);
    const results = readExperimentResults(resultsLogPath(harness.runDirectory));
    assert.deepEqual(
      results.baselines.map((line) => line.repeat),
      [1, 2, 3],
      'the baseline is not measured again',
    );
    assert.deepEqual(
      results.experiments.map((line) => [line.iteration, line.metric, line.decision]),
      [
        [1, 0.01, 'kept'],
        [2, 0.0025, 'kept'],
      ],
    );
    assert.equal(
      resumed.model.requests.length,
      1,
      'one model call: the one the stop cut off; iteration 1 was not asked again',
    );
    assert.match(
      String(resumed.model.requests[0]!.messages.at(-1)!.content),
      /^mux-swarm stopped and was started again \(session 2 of this run\)/,
    );
    assert.equal(measurements(harness.workdir), 5, 'three baseline runs and one per experiment, none twice');
    assert.equal(
      git(harness.workdir, 'log', '--format=%s')
        .split('\n')
        .filter((subject) => subject.startsWith('mux-swarm experiment')).length,
      2,
    );
  });

  it('resumes a loop stopped while its command measured a commit: the commit is measured again, not made twice', async () => {
    const harness = await createHarness({
      goal: loopGoal(
        'maxIterations: 1\ncommand: python3 experiment.py\nbaselineRepeats: 1\npassEnv: [EXPERIMENT_SLEEP]',
      ),
      orchestrator: { mcpServers: ['fs'] },
      script: {
        orchestrator: [
          writeParams({ lr: 0.2 }),
          () => {
            process.env.EXPERIMENT_SLEEP = '20';
            setTimeout(() => harness.run.stop('interrupted', 'SIGTERM'), 400).unref();
            return completeTurn('success', 'Hypothesis: larger');
          },
        ],
      },
    });
    prepareWorkdir(harness);
    let first;
    try {
      first = await harness.drive();
    } finally {
      delete process.env.EXPERIMENT_SLEEP;
    }
    assert.equal(first.subtype, 'error_interrupted');
    assert.equal(
      readExperimentResults(resultsLogPath(harness.runDirectory)).experiments.length,
      0,
      'no result line for the iteration the stop cut off',
    );
    assert.match(
      git(harness.workdir, 'log', '-1', '--format=%s'),
      /^mux-swarm experiment 1: larger$/,
      'its commit was made',
    );

    const resumed = resumeHarness(harness, []);
    const result = await driveRun(resumed.run, { resumedSession: 2 });

    assert.equal(result.subtype, 'success', result.result);
    const [line] = readExperimentResults(resultsLogPath(harness.runDirectory)).experiments;
    assert.deepEqual(
      [line!.metric, line!.decision, line!.commit],
      [0.01, 'kept', git(harness.workdir, 'rev-parse', 'HEAD')],
    );
    assert.equal(
      git(harness.workdir, 'log', '--format=%s')
        .split('\n')
        .filter((subject) => subject.startsWith('mux-swarm experiment')).length,
      1,
      'one commit for the experiment',
    );
    assert.equal(resumed.model.requests.length, 0, 'the finished delegation was not worked again');
  });

  it('refuses flat mode with a reason', async () => {
    const harness = await createHarness({
      goal: loopGoal('maxIterations: 1'),
      mode: 'flat',
      agents: [],
      flatOrder: [],
      script: {},
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'error_during_execution');
    assert.match(result.result, /loop: runs in hierarchical mode \(the orchestrator proposes each experiment\)/);
  });
});

/** A second session of the harness's run: same store, hub and workdir, a fresh orchestrator model with `replies`. */
function resumeHarness(
  harness: RuntimeHarness,
  replies: ScriptedReply[],
): { run: RunContext; model: ScriptedChatModel } {
  harness.store.closeInterruptedModelCalls(harness.run.runId);
  const model = new ScriptedChatModel('orchestrator-model', replies);
  const run = new RunContext({ ...harness.run.dependencies, modelFor: () => model });
  run.restore({ usage: harness.store.journal.completedModelCalls(harness.run.runId), previouslyActiveMs: 0 });
  return { run, model };
}
