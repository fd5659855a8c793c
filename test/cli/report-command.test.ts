import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReportData } from '../../src/cli/report/report-data.js';
import type { TrainingJobRow } from '../../src/state/training-store.js';
import { offset } from '../../src/cli/report/markdown-format.js';
import { failureSection, renderFailures } from '../../src/cli/report/report-failures.js';
import type { RunFailureStepRow } from '../../src/state/run-failure-steps.js';
import { openDatabase } from '../../src/state/database.js';
import { FailureSteps } from '../../src/state/failure-steps.js';
import { FailureStore } from '../../src/state/failure-store.js';
import { RunStore } from '../../src/state/run-store.js';
import { markerCentres } from '../support/chart-raster.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';
import { seedAgentReply, SEED_ERRORS } from '../support/seed-trainer-agent.js';

const RUN = 'run-report-1';
const PLAIN_RUN = 'run-report-2-plain';
const CHATTY_RUN = 'run-report-3-chatty';
const at = (time: string) => `2025-01-01T${time}Z`;
const TYPE_ERROR = "SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'";
/** TYPE_ERROR as the markdown shows it: `__init__` escaped, so that it is not read as bold. */
const TYPE_ERROR_MARKDOWN = "SFTTrainer.\\_\\_init\\_\\_() got an unexpected keyword argument 'max_seq_length'";
/** `text` as a regular expression that matches it literally. */
const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** What failure memory saw changed before job-2: a config no filesystem tool wrote (a line added); train.py (one line changed, one added). */
const CHANGE_DIFF = [
  '--- a/config/lora.yaml',
  '+++ b/config/lora.yaml',
  '@@ -1 +1,2 @@',
  ' r: 16',
  '+alpha: 32',
  '--- a/train.py',
  '+++ b/train.py',
  '@@ -1,3 +1,4 @@',
  ' import trl',
  '-config = SFTConfig(max_seq_length=512)',
  '+config = SFTConfig(max_length=512)',
  '+# trl 0.20',
  ' train(config)',
  '',
].join('\n');
/** The filesystem server's diff of the trainer's edit of train.py. */
const EDIT_DIFF = [
  'Index: train.py',
  '='.repeat(67),
  '--- train.py\toriginal',
  '+++ train.py\tmodified',
  '@@ -1,2 +1,2 @@',
  ' import trl',
  '-config = SFTConfig(max_seq_length=512)',
  '+config = SFTConfig(max_length=512)',
  '',
].join('\n');

const evaluation = {
  format: 'mux-swarm-evaluation/1',
  created_at: '2025-01-01T11:40:00Z',
  base: { model: 'Qwen/Qwen3-14B' },
  specialist: { model: 'qwen3-14b-support-lora' },
  judges: ['judge-a', 'judge-b'],
  prompts: [
    {
      id: '1',
      topic: 'Refund policy',
      base_score: 4.33,
      specialist_score: 4.33,
      delta: 0.0,
      scores: {},
      missing_judgements: 0,
    },
    {
      id: '2',
      topic: 'Shipping delays',
      base_score: 3.5,
      specialist_score: 4.25,
      delta: 0.75,
      scores: {},
      missing_judgements: 0,
    },
    {
      id: '3',
      topic: 'Account deletion',
      base_score: 3.8,
      specialist_score: 3.4,
      delta: -0.4,
      scores: {},
      missing_judgements: 0,
    },
  ],
  aggregate: {
    base: 3.88,
    specialist: 3.99,
    delta: 0.12,
    relative_delta: 0.031,
    prompts: 3,
    specialist_wins: 1,
    base_wins: 1,
    ties: 1,
    missing_judgements: 0,
  },
};

/** The markdown section under `## title`, up to the next `## `. */
function section(markdown: string, title: string): string {
  const start = markdown.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `no section "${title}" in:\n${markdown}`);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end < 0 ? undefined : end);
}

/** The target of `![alt](target)` in the markdown. */
function imageLink(markdown: string, alt: string): string {
  const match = new RegExp(`!\\[${alt}\\]\\(([^)]+)\\)`).exec(markdown);
  assert.ok(match, `no ![${alt}](…) link`);
  return decodeURIComponent(match[1]!);
}

const FINETUNE_GOAL = [
  '# Fine-tune Qwen',
  '',
  '## Phase 1: Prepare data',
  '',
  'Done when:',
  '- `data/train.jsonl` exists',
  '',
  '## Phase 2: Fine-tune',
  '',
  'Done when:',
  '- `out/final/adapter_config.json` exists',
  '',
  '## Phase 3: Evaluate',
  '',
  'Compare with the base model.',
].join('\n');

/**
 * A state database as a run with training leaves it: two sessions; phase checks; delegations; a training job that
 * fails with a TypeError, a delegation that fixes train.py, a second job that succeeds with loss and eval_loss
 * points; model calls; tool calls that fail (one then succeeds, one never does); the result. A second, newer run
 * in the same database has no training, and a workdir without evaluations.
 */
function writeState(workdir: string, plainWorkdir: string): void {
  const store = new RunStore(openDatabase(join(workdir, '.mux-swarm')));
  const { database } = store;
  // The goal text as the run recorded it: it began on line 2 of the goal file (after a blank line).
  store.createRun({
    id: RUN,
    goalName: 'Fine-tune Qwen',
    goalSource: 'goals/finetune.md',
    goalText: FINETUNE_GOAL,
    mode: 'hierarchical',
    settings: { workdir, goalTextLine: 2 },
    hostname: 'box',
    pid: 1,
    startedAt: at('10:00:00'),
  });
  const standingAtEnd = {
    done: 0,
    total: 3,
    unchecked: 1,
    first_unmet: {
      phase: 1,
      title: 'Prepare data',
      line: 7,
      text: '`data/train.jsonl` exists',
      detail: 'does not exist',
    },
  };
  store.finishRun(RUN, {
    status: 'succeeded',
    subtype: 'success',
    exitCode: 0,
    result: 'Fine-tuned adapter in out/final',
    endedAt: at('11:30:00'),
    numTurns: 9,
    costUsd: 0.6,
    inputTokens: 6000,
    outputTokens: 1100,
    phases: standingAtEnd,
  });
  const session = database.prepare(
    'INSERT INTO run_sessions (run_id, session, hostname, pid, started_at, heartbeat_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  session.run(RUN, 1, 'box', 1, at('10:00:00'), at('10:16:00'), at('10:16:00'));
  session.run(RUN, 2, 'box', 2, at('10:20:00'), at('11:30:00'), at('11:30:00'));

  let seq = 0;
  const event = (time: string, type: string, agent: string, fields: Record<string, unknown>) =>
    store.appendEvent({ run_id: RUN, session_id: RUN, seq: ++seq, type, agent, timestamp: at(time), ...fields } as {
      run_id: string;
      seq: number;
      type: string;
      agent: string;
    });
  const init = (time: string, resumed?: number) =>
    event(time, 'system', 'mux-swarm', {
      subtype: 'init',
      cwd: workdir,
      mode: 'hierarchical',
      model: 'gpt-x',
      goal: { name: 'Fine-tune Qwen', source: 'goals/finetune.md' },
      agents: [],
      tools: [],
      mcp_servers: [],
      limits: {},
      ...(resumed ? { resumed_session: resumed } : {}),
    });
  const phases = (time: string, firstDone: boolean) =>
    event(time, 'phase-report', 'mux-swarm', {
      phases: [
        {
          number: 1,
          title: 'Prepare data',
          state: firstDone ? 'done' : 'not-done',
          ...(firstDone ? {} : { first_unmet: { line: 5, text: 'data/train.jsonl exists', detail: 'no such file' } }),
        },
        {
          number: 2,
          title: 'Fine-tune',
          state: 'not-done',
          first_unmet: { line: 12, text: 'out/final/adapter_config.json exists', detail: 'no such file' },
        },
        { number: 3, title: 'Evaluate', state: 'unchecked' },
      ],
      goal_complete: false,
      report_path: '.mux-swarm/runs/run-report-1/recovery.md',
    });
  const delegation = (
    id: string,
    agent: string,
    from: string,
    start: string,
    end: string,
    status: string,
    task: string,
    summary: string,
  ) => {
    store.startDelegation({
      runId: RUN,
      id,
      parentId: id === 'd1' ? null : 'd1',
      agent,
      fromAgent: from,
      depth: id === 'd1' ? 0 : 1,
      task,
      startedAt: at(start),
    });
    store.finishDelegation({
      runId: RUN,
      id,
      status,
      stopReason: 'completed',
      summary,
      artifacts: [],
      turns: 3,
      costUsd: 0,
      endedAt: at(end),
    });
  };
  const delegationStart = (time: string, id: string, agent: string, from: string, task: string) =>
    event(time, 'delegation-start', agent, {
      delegation_id: id,
      parent_delegation_id: id === 'd1' ? null : 'd1',
      from,
      depth: id === 'd1' ? 0 : 1,
      task,
    });
  const delegationEnd = (time: string, id: string, agent: string, status: string, summary: string) =>
    event(time, 'delegation-end', agent, {
      delegation_id: id,
      status,
      stop_reason: 'completed',
      summary,
      artifacts: [],
      turns: 3,
      duration_ms: 1000,
      cost_usd: 0,
    });
  const trainingStart = (time: string, jobId: string) =>
    event(time, 'training-start', 'trainer', {
      job_id: jobId,
      name: 'sft',
      command: 'python train.py --config sft.yaml',
      cwd: workdir,
      log_file: `logs/${jobId}.log`,
      reattached: false,
    });

  init('10:00:00');
  phases('10:00:01', false);
  delegationStart('10:00:02', 'd1', 'orchestrator', 'mux-swarm', '# Goal: Fine-tune Qwen');
  delegationStart('10:01:00', 'd2', 'trainer', 'orchestrator', 'Fine-tune Qwen on the support data');
  trainingStart('10:02:00', 'job-1');
  event('10:12:00', 'training-end', 'trainer', {
    job_id: 'job-1',
    name: 'sft',
    classification: 'python_exception',
    summary: `TypeError: ${TYPE_ERROR} (train.py:88)`,
    exit_code: 1,
    signal: null,
    runtime_ms: 600_000,
    last_step: null,
    exception: { type: 'TypeError', message: TYPE_ERROR, frame: 'train.py:88 in main' },
    gpu_cost_usd: 0.4,
    log_file: 'logs/job-1.log',
  });
  delegationEnd(
    '10:15:00',
    'd2',
    'trainer',
    'partial',
    'Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it)\nThe rest of the story.',
  );
  init('10:20:00', 2);
  phases('10:20:01', true);
  delegationStart('10:21:00', 'd3', 'trainer', 'orchestrator', 'Re-run the fine-tune');
  trainingStart('10:22:00', 'job-2');
  event('11:22:00', 'training-end', 'trainer', {
    job_id: 'job-2',
    name: 'sft',
    classification: 'success',
    summary: 'finished: 100 steps',
    exit_code: 0,
    signal: null,
    runtime_ms: 3_600_000,
    last_step: 100,
    gpu_cost_usd: 3,
    log_file: 'logs/job-2.log',
  });
  delegationEnd('11:23:00', 'd3', 'trainer', 'success', 'Training finished; eval_loss 1.21 at step 100');
  event('11:24:00', 'system', 'mux-swarm', { subtype: 'warning', message: 'MCP server fetch restarted' });
  delegationEnd('11:29:00', 'd1', 'orchestrator', 'success', 'Fine-tuned adapter in out/final');
  const usage = { input_tokens: 6000, output_tokens: 1100, cache_read_input_tokens: 0, reasoning_tokens: 0 };
  event('11:30:00', 'result', 'mux-swarm', {
    subtype: 'success',
    is_error: false,
    exit_code: 0,
    num_turns: 9,
    total_cost_usd: 0.6,
    usage,
    usage_by_agent: {},
    usage_by_model: {},
    duration_ms: 5_400_000,
    result: 'Fine-tuned adapter in out/final',
    artifacts: [],
  });
  delegation(
    'd1',
    'orchestrator',
    'mux-swarm',
    '10:00:02',
    '11:29:00',
    'success',
    '# Goal: Fine-tune Qwen',
    'Fine-tuned adapter in out/final',
  );
  delegation(
    'd2',
    'trainer',
    'orchestrator',
    '10:01:00',
    '10:15:00',
    'partial',
    'Fine-tune Qwen on the support data',
    'Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it)\nThe rest of the story.',
  );
  delegation(
    'd3',
    'trainer',
    'orchestrator',
    '10:21:00',
    '11:23:00',
    'success',
    'Re-run the fine-tune',
    'Training finished; eval_loss 1.21 at step 100',
  );

  const modelCall = database.prepare(
    `INSERT INTO model_calls (run_id, delegation_id, agent, turn, provider, model, input_tokens, output_tokens, cost_usd, started_at) VALUES (?, ?, ?, ?, 'openai', ?, ?, ?, ?, ?)`,
  );
  modelCall.run(RUN, 'd1', 'orchestrator', 1, 'gpt-x', 1000, 200, 0.1, at('10:00:03'));
  modelCall.run(RUN, 'd1', 'orchestrator', 2, 'gpt-x', 500, 100, 0.05, at('11:28:00'));
  modelCall.run(RUN, 'd2', 'trainer', 1, 'gpt-y', 2000, 400, 0.2, at('10:01:01'));
  modelCall.run(RUN, 'd2', 'trainer', 2, 'gpt-y', 1500, 300, 0.15, at('10:14:00'));
  modelCall.run(RUN, 'd3', 'trainer', 1, 'gpt-y', 1000, 100, 0.1, at('10:21:01'));
  // Under a cent: shown as <$0.01, never $0.00.
  modelCall.run(RUN, 'd1', 'judge', 1, 'gpt-z', 10, 2, 0.004, at('11:25:00'));

  const toolCall = (
    id: string,
    time: string,
    name: string,
    isError: boolean,
    resultText: string,
    args: Record<string, unknown> = {},
    agent = 'trainer',
  ) => {
    store.startToolCall({
      runId: RUN,
      id,
      delegationId: agent === 'trainer' ? 'd2' : 'd1',
      agent,
      turn: 1,
      modelCallId: '3',
      name,
      argumentsJson: JSON.stringify(args),
      startedAt: at(time),
    });
    store.finishToolCall({ runId: RUN, id, resultText, replyText: resultText, isError, durationMs: 10 });
  };
  toolCall(
    't1',
    '10:05:00',
    'shell__run_command',
    true,
    "ModuleNotFoundError: No module named 'trl'\nTraceback (most recent call last): …",
    { command: 'python3 prepare.py' },
  );
  toolCall('t2', '10:06:00', 'shell__run_command', false, 'prepared 3 rows', { command: 'python3 prepare.py' });
  toolCall('t3', '10:07:00', 'fetch__fetch', true, 'HTTP 404 for https://example.com/data');
  toolCall('t4', '10:08:00', 'fetch__fetch', true, 'HTTP 404 for https://example.com/data');
  // The trainer's edits: train.py twice (one a dry run, which changes nothing), a note written by the orchestrator, a move.
  toolCall('t5', '10:14:00', 'files__edit_file', false, `\`\`\`diff\n${EDIT_DIFF}\`\`\`\n\n`, {
    path: 'train.py',
    edits: [{ oldText: 'max_seq_length', newText: 'max_length' }],
  });
  toolCall('t6', '10:14:30', 'files__edit_file', false, 'Dry run: nothing was written.', {
    path: 'train.py',
    edits: [],
    dryRun: true,
  });
  toolCall(
    't7',
    '10:16:00',
    'files__write_file',
    false,
    'Successfully wrote 12 bytes',
    { path: join(workdir, 'notes', 'plan.md'), content: '# Plan\nre-run\n' },
    'orchestrator',
  );
  toolCall('t8', '10:17:00', 'files__move_file', false, 'Successfully moved', {
    source: 'old.yaml',
    destination: 'sft.yaml',
  });
  toolCall('t9', '10:18:00', 'files__edit_file', true, 'Cannot change "missing.py": no such file', {
    path: 'missing.py',
    edits: [],
  });
  toolCall('t10', '10:22:00', 'training__start', false, 'Started training job job-2', {
    command: 'python train.py --config sft.yaml',
    name: 'sft',
  });

  // Failure memory's record: job-1's TypeError, fixed by the edit of train.py, got past by job-2; prepare.py's missing
  // module, passed when run again unchanged.
  const memory = new FailureStore(database);
  const steps = new FailureSteps(database);
  memory.recordOccurrence(
    { fingerprint: 'fp-type-error', kind: 'python', type: 'TypeError', message: TYPE_ERROR, frame: 'train.py' },
    TYPE_ERROR,
    at('10:12:00'),
  );
  memory.recordOccurrence(
    {
      fingerprint: 'fp-no-trl',
      kind: 'python',
      type: 'ModuleNotFoundError',
      message: "No module named 'trl'",
      frame: null,
    },
    "No module named 'trl'",
    at('10:05:00'),
  );
  const fix = memory.recordFix({
    fingerprint: 'fp-type-error',
    description: 'Changed train.py',
    explanation: 'Renamed max_seq_length to max_length: trl 0.20 renamed it',
    files: ['config/lora.yaml', 'train.py'],
    diff: CHANGE_DIFF,
    source: 'runtime',
    runId: RUN,
    outcome: 'worked',
    at: at('11:22:00'),
  });
  steps.record(RUN, {
    stepKey: 'shell__run_command:python3 prepare.py',
    fingerprint: 'fp-no-trl',
    agent: 'trainer',
    delegationId: 'd2',
    failedAt: at('10:05:00'),
    failedLaunch: 't1',
    snapshot: {},
  });
  const noTrl = steps.awaitingRelaunch(RUN, 'shell__run_command:python3 prepare.py')!;
  steps.relaunch(noTrl.id, 't2', at('10:06:00'), { files: [], diff: null });
  steps.settle(noTrl.id, 'retry_worked', at('10:06:00'), null);
  steps.record(RUN, {
    stepKey: 'job:python train.py --config sft.yaml',
    fingerprint: 'fp-type-error',
    agent: 'trainer',
    delegationId: 'd2',
    failedAt: at('10:12:00'),
    failedLaunch: 'training:job-1',
    snapshot: {},
  });
  const typeError = steps.awaitingRelaunch(RUN, 'job:python train.py --config sft.yaml')!;
  steps.relaunch(typeError.id, 't10', at('10:22:00'), { files: ['config/lora.yaml', 'train.py'], diff: CHANGE_DIFF });
  steps.attachJob(RUN, 't10', 'training:job-2');
  steps.settle(typeError.id, 'worked', at('11:22:00'), fix.uid);

  const job = database.prepare(
    `INSERT INTO training_jobs (run_id, job_id, name, command, cwd, log_file, started_at, ended_at, state, classification, outcome_json, exit_code, last_step, total_steps, gpu_hourly_usd)
     VALUES (?, ?, 'sft', 'python train.py --config sft.yaml', ?, ?, ?, ?, 'exited', ?, ?, ?, ?, 100, ?)`,
  );
  job.run(
    RUN,
    'job-1',
    workdir,
    'logs/job-1.log',
    at('10:02:00'),
    at('10:12:00'),
    'python_exception',
    JSON.stringify({ summary: 'from the outcome' }),
    1,
    null,
    2.4,
  );
  job.run(RUN, 'job-2', workdir, 'logs/job-2.log', at('10:22:00'), at('11:22:00'), 'success', null, 0, 100, 3);
  // A second trainer on the same box while job-2 runs, at a higher price, that ran out of memory (no training-end event).
  database
    .prepare(
      `INSERT INTO training_jobs (run_id, job_id, name, command, cwd, log_file, started_at, ended_at, state, classification, outcome_json, exit_code, gpu_hourly_usd)
       VALUES (?, 'job-3', 'dpo', 'python dpo.py', ?, 'logs/job-3.log', ?, ?, 'exited', 'cuda_oom', ?, 1, 6)`,
    )
    .run(
      RUN,
      workdir,
      at('11:00:00'),
      at('11:10:00'),
      JSON.stringify({
        summary: 'CUDA out of memory (dpo.py:40)',
        exception: { type: 'torch.OutOfMemoryError', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' },
      }),
    );
  // Another run's job: not this run's cost, curve or failure.
  job.run(
    'someone-else',
    'job-9',
    workdir,
    'logs/job-9.log',
    at('10:00:00'),
    at('12:00:00'),
    'cuda_oom',
    null,
    1,
    null,
    50,
  );

  const metricRow = database.prepare(
    `INSERT INTO training_metrics (run_id, job_id, log_offset, event, step, data_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  let offset = 0;
  const metric = (jobId: string, line: Record<string, unknown>) =>
    metricRow.run(
      RUN,
      jobId,
      (offset += 100),
      line.event,
      (line.step as number | undefined) ?? null,
      JSON.stringify(line),
      at('10:30:00'),
    );
  metric('job-1', { event: 'start', total_steps: 100 });
  const losses = [2.31, 1.9, 1.7, 1.55, 1.42, 1.33, 1.27, 1.22, 1.12, 1.15];
  losses.forEach((loss, index) =>
    metric('job-2', { event: 'log', step: (index + 1) * 10, loss, learning_rate: 0.0002 }),
  );
  metric('job-2', { event: 'eval', step: 50, eval_loss: 1.41 });
  metric('job-2', { event: 'checkpoint', step: 50, path: 'out/checkpoint-50' });
  metric('job-2', { event: 'eval', step: 100, eval_loss: 1.21 });

  store.createRun({
    id: PLAIN_RUN,
    goalName: 'Say hello',
    goalSource: '--task',
    goalText: 'Say hello',
    mode: 'hierarchical',
    settings: { workdir: plainWorkdir },
    hostname: 'box',
    pid: 3,
    startedAt: '2025-01-02T09:00:00Z',
  });
  store.finishRun(PLAIN_RUN, {
    status: 'failed',
    subtype: 'error_max_turns',
    exitCode: 3,
    result: 'ran out of turns',
    endedAt: '2025-01-02T09:05:00Z',
    numTurns: 2,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
  });

  store.createRun({
    id: CHATTY_RUN,
    goalName: 'Warn a lot',
    goalSource: '--task',
    goalText: 'Warn',
    mode: 'flat',
    settings: { workdir: plainWorkdir },
    hostname: 'box',
    pid: 4,
    startedAt: '2024-12-31T00:00:00Z',
  });
  for (let index = 1; index <= 150; index += 1) {
    store.appendEvent({
      run_id: CHATTY_RUN,
      session_id: CHATTY_RUN,
      seq: index,
      type: 'system',
      subtype: 'warning',
      agent: 'mux-swarm',
      timestamp: '2024-12-31T00:00:01Z',
      message: `warning number ${index}`,
    } as { run_id: string; seq: number; type: string; agent: string });
  }
  store.close();
}

describe('mux-swarm report, through the built CLI', { timeout: 120_000 }, () => {
  let project: ProjectFixture;
  let workdir: string;
  let markdown: string;
  let stderr: string;

  before(async () => {
    project = createProjectFixture('mux-swarm-report-');
    workdir = join(project.directory, 'work');
    const plainWorkdir = join(project.directory, 'plain');
    mkdirSync(plainWorkdir, { recursive: true });
    writeState(workdir, plainWorkdir);
    project.write('work/eval/evaluation.json', evaluation);
    project.write('work/data/train.jsonl', '{"text": "hello"}\n');
    project.write('work/broken/evaluation.json', { format: 'mux-swarm-evaluation/1', created_at: 'today' });
    project.write('work/node_modules/pkg/evaluation.json', { ...evaluation, base: { model: 'from-node-modules' } });
    project.write('work/a/b/c/d/e/f/g/evaluation.json', { ...evaluation, base: { model: 'too-deep' } });
    const result = await runCli(['report', RUN], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    markdown = result.stdout;
    stderr = result.stderr;
  });
  after(() => project.remove());

  it('heads the report with the goal, run, outcome, times and sessions', () => {
    assert.match(markdown, /^# Run report: Fine-tune Qwen\n/);
    assert.match(markdown, /- Goal: \*\*Fine-tune Qwen\*\* \(`goals\/finetune\.md`\)/);
    assert.match(markdown, /- Status: succeeded, outcome \*\*success\*\* \(exit 0\)/);
    assert.match(
      markdown,
      /- Started: 2025-01-01 10:00:00 UTC · ended: 2025-01-01 11:30:00 UTC · duration: 1 h 30 min/,
    );
    assert.match(markdown, /- Sessions: 2 \(resumed 1 time\)/);
    assert.match(markdown, /- Result: Fine-tuned adapter in out\/final/);
  });

  it("tables the phases as they stand when the report is made, checked in the run's workdir, and says where they stood at the end", () => {
    const phases = section(markdown, 'Phases');
    assert.match(phases, /As checked when this report was made \([^)]+\), in the run's workdir\./);
    assert.match(
      phases,
      /When the run ended: 0 of 3 phases done; first unmet: phase 1, line 7: `data\/train\.jsonl` exists — does not exist\./,
    );
    // data/train.jsonl was written after the run ended: the table shows it done now.
    assert.match(phases, /\| # \| Phase \| State \| First unmet condition \|\n\|---:\|---\|---\|---\|\n/);
    assert.match(phases, /\| 1 \| Prepare data \| done \| — \|/);
    assert.match(
      phases,
      /\| 2 \| Fine-tune \| not-done \| line 12: `out\/final\/adapter_config\.json` exists \(does not exist\) \|/,
    );
    assert.match(phases, /\| 3 \| Evaluate \| unchecked \| — \|/);
  });

  it('lists the timeline in order, with offsets from the start (right-aligned), and training jobs as they were classified', () => {
    const timeline = section(markdown, 'Timeline');
    assert.match(timeline, /\| Time \| Agent \| What \|\n\|---:\|---\|---\|\n/);
    assert.match(
      timeline,
      /\| \+0:00:02 \| orchestrator \| started, delegated by mux-swarm: \\# Goal: Fine-tune Qwen \|/,
      'a # in agent text is escaped',
    );
    const expected = [
      '| +0:00:00 | mux-swarm | run started |',
      '| +0:00:01 | mux-swarm | phase check: 0 of 3 phases done; next: phase 1 "Prepare data" |',
      '| +0:01:00 | trainer | started, delegated by orchestrator: Fine-tune Qwen on the support data |',
      '| +0:02:00 | trainer | training sft (job-1) started: `python train.py --config sft.yaml` |',
      `| +0:12:00 | trainer | training sft (job-1) ended python_exception: TypeError: ${TYPE_ERROR_MARKDOWN} |`,
      '| +0:15:00 | trainer | ended partial: Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it) |',
      '| +0:20:00 | mux-swarm | resumed (session 2) |',
      '| +0:20:01 | mux-swarm | phase check: 1 of 3 phases done; next: phase 2 "Fine-tune" |',
      '| +1:22:00 | trainer | training sft (job-2) ended success |',
      '| +1:24:00 | mux-swarm | warning: MCP server fetch restarted |',
      '| +1:30:00 | mux-swarm | result success: Fine-tuned adapter in out/final |',
    ];
    let position = -1;
    for (const line of expected) {
      const found = timeline.indexOf(line);
      assert.ok(found > position, `"${line}" after the previous line in:\n${timeline}`);
      position = found;
    }
  });

  it('tables the training jobs with how each was classified (never the bare process state), and writes the training curve as an SVG the markdown links to', () => {
    const training = section(markdown, 'Training');
    assert.match(
      training,
      /\| Job \| Command \| Ended \| Steps \| Runtime \| GPU cost \|\n\|---\|---\|---\|---:\|---:\|---:\|\n/,
    );
    assert.ok(
      training.includes(
        `| sft (job-1) | \`python train.py --config sft.yaml\` | python_exception: TypeError: ${TYPE_ERROR_MARKDOWN} | — | 10 min 0 s | $0.40 |`,
      ),
      training,
    );
    assert.match(
      training,
      /\| sft \(job-2\) \| `python train\.py --config sft\.yaml` \| success \| 100\/100 \| 1 h 00 min \| \$3\.00 \|/,
    );
    assert.match(
      training,
      /\| dpo \(job-3\) \| `python dpo\.py` \| cuda_oom: torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 2\.00 GiB \| — \| 10 min 0 s \| \$1\.00 \|/,
    );
    assert.doesNotMatch(training, /exited/);
    assert.match(
      training,
      /\| Job \| Last loss \| Best loss \| Last eval_loss \| Best eval_loss \|\n\|---\|---:\|---:\|---:\|---:\|\n/,
    );
    assert.match(
      training,
      /\| sft \(job-2\) \| 1\.15 \(step 100\) \| 1\.12 \(step 90\) \| 1\.21 \(step 100\) \| 1\.21 \(step 100\) \|/,
    );
    assert.doesNotMatch(training, /\| sft \(job-1\) \| [\d.]+ \(step/, 'job-1 reported no loss');

    const link = imageLink(training, 'training curve');
    assert.ok(!link.startsWith('/'), `a relative link: ${link}`);
    const chartFile = resolve(workdir, link);
    assert.equal(chartFile, join(workdir, '.mux-swarm', 'runs', RUN, 'report', 'training-curve.svg'));
    assert.match(
      stderr,
      new RegExp(
        `Training curve: ${join('.mux-swarm', 'runs', RUN, 'report', 'training-curve.svg').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n`,
      ),
      'the path relative to where the user stands',
    );
    const svg = readFileSync(chartFile, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.split('<path').length - 1, 2, 'one line for loss, one for eval_loss');
    assert.match(svg, />sft \(job-2\) loss</);
    assert.match(svg, />sft \(job-2\) eval_loss</);
    assert.equal(markerCentres(svg, 'sft (job-2) eval_loss').length, 2, 'a marker on each of the two eval points');
    assert.equal(markerCentres(svg, 'sft (job-2) loss').length, 0, 'the loss line has none');
    const ticks = (axis: string) =>
      [...svg.matchAll(new RegExp(`<text class="${axis}"[^>]*>([^<]*)<`, 'g'))].map((match) => Number(match[1]));
    assert.ok(ticks('x-tick')[0]! <= 10 && ticks('x-tick').at(-1)! >= 100, `x ticks ${ticks('x-tick').join(',')}`);
    assert.ok(ticks('y-tick')[0]! <= 1.12 && ticks('y-tick').at(-1)! >= 2.31, `y ticks ${ticks('y-tick').join(',')}`);
  });

  it('shows the evaluation found in the workdir as the seed-story table, and lists an invalid one as skipped', () => {
    const evaluationSection = section(markdown, 'Evaluation');
    assert.match(evaluationSection, /### eval\/evaluation\.json/);
    assert.match(
      evaluationSection,
      /Base `Qwen\/Qwen3-14B` vs specialist `qwen3-14b-support-lora`, judged by `judge-a`, `judge-b`/,
    );
    assert.match(
      evaluationSection,
      /\| # \| Prompt Topic \| Base \| Specialist \| Delta \|\n\|---:\|---\|---:\|---:\|---:\|\n/,
    );
    assert.match(evaluationSection, /\| 1 \| Refund policy \| 4\.33 \| 4\.33 \| \+0\.00 \|/);
    assert.match(evaluationSection, /\| 2 \| Shipping delays \| 3\.50 \| 4\.25 \| \+0\.75 \|/);
    assert.match(evaluationSection, /\| 3 \| Account deletion \| 3\.80 \| 3\.40 \| -0\.40 \|/);
    assert.match(
      evaluationSection,
      /\| Aggregate \| 3 prompts scored: 1 specialist win, 1 base win, 1 tie \| 3\.88 \| 3\.99 \| \+0\.12 \(\+3\.1%\) \|/,
    );
    assert.match(evaluationSection, /- `broken\/evaluation\.json`: base: /);
    assert.doesNotMatch(
      evaluationSection,
      /from-node-modules|too-deep/,
      'node_modules and files deeper than 6 levels are not searched',
    );
  });

  it("adds up model cost by agent and by model, and GPU time over the jobs' intervals at their hourly prices, in cents (under a cent <$0.01)", () => {
    const cost = section(markdown, 'Cost');
    assert.match(
      cost,
      /\| Agent \| Calls \| Input tokens \| Output tokens \| USD \|\n\|---\|---:\|---:\|---:\|---:\|\n/,
    );
    assert.match(cost, /\| judge \| 1 \| 10 \| 2 \| <\$0\.01 \|/);
    assert.match(cost, /\| orchestrator \| 2 \| 1500 \| 300 \| \$0\.15 \|/);
    assert.match(cost, /\| trainer \| 3 \| 4500 \| 800 \| \$0\.45 \|/);
    assert.match(cost, /\| openai\/gpt-y \| 3 \| 4500 \| 800 \| \$0\.45 \|/);
    assert.match(cost, /\| openai\/gpt-z \| 1 \| 10 \| 2 \| <\$0\.01 \|/);
    // job-1: 10 min at $2.40/h; job-2: 60 min at $3.00/h, of which the 10 min job-3 ran too are priced at its $6.00/h
    // and counted once: $0.40 + $2.50 + $1.00. The other run's job is not counted.
    assert.match(cost, /1 h 10 min of GPU time over 3 training jobs: \$3\.90 /);
    assert.match(cost, /\*\*Total: \$4\.50\*\* = models \$0\.60 \+ GPU \$3\.90/);
    assert.doesNotMatch(markdown, /\$\d+\.\d{3}/, 'no amount anywhere with more than cents');
  });

  it('lists what the agents changed, by file: filesystem writes (not dry runs or failed calls) and what failure memory saw before a relaunch', () => {
    const changes = section(markdown, 'What changed');
    assert.match(
      changes,
      /\| File \| Agents \| Edits \| Lines \| When \| How \|\n\|---\|---\|---:\|---:\|---:\|---\|\n/,
    );
    // The edit's own diff (+1 −1) is counted; the dry run is not an edit; the relaunch of job-2 came after the change.
    assert.match(
      changes,
      /\| `train\.py` \| trainer \| 1 \| \+1 −1 \| \+0:14:00 – \+0:22:00 \| edit_file; in the change before 1 relaunch \|/,
    );
    // An absolute path inside the workdir is shown relative to it.
    assert.match(
      changes,
      /\| `notes\/plan\.md` \| orchestrator \| 1 \| — \| \+0:16:00 \| write_file; last write 2 lines \|/,
    );
    assert.match(changes, /\| `sft\.yaml` \| trainer \| 1 \| — \| \+0:17:00 \| move_file; moved from `old\.yaml` \|/);
    assert.match(changes, /\| `old\.yaml` \| trainer \| 1 \| — \| \+0:17:00 \| move_file; moved to `sft\.yaml` \|/);
    assert.doesNotMatch(changes, /missing\.py/, 'a failed edit changed nothing');
    const rows = changes.split('\n').filter((line) => line.startsWith('| `'));
    // A file no filesystem tool wrote, changed before a relaunch: the relaunching call's agent, the recorded diff's lines.
    assert.match(
      changes,
      /\| `config\/lora\.yaml` \| trainer \| 0 \| \+1 −0 \| \+0:22:00 \| in the change before 1 relaunch \|/,
    );
    assert.deepEqual(
      rows.map((row) => row.split(' | ')[0]),
      ['| `train.py`', '| `notes/plan.md`', '| `old.yaml`', '| `sft.yaml`', '| `config/lora.yaml`'],
      'by when each file was first changed',
    );
    assert.match(
      changes,
      /- trainer \(d2, partial, \+0:15:00\): Renamed max_seq_length to max_length in train\.py \(trl 0\.20 renamed it\)/,
    );
  });

  it('credits each failure as failure memory recorded it: the launch that failed, the change, the relaunch; lists failed jobs it did not judge, and other tool errors once', () => {
    const failures = section(markdown, 'Failures and fixes');
    assert.match(
      failures,
      /Failure memory recorded 2 failures in this run: 1 passed when run again unchanged, 1 fixed\./,
    );
    const typeError = [
      `- **TypeError**: ${TYPE_ERROR_MARKDOWN} — step \`job:python train.py --config sft.yaml\`, trainer, at +0:12:00`,
      `  - Failed: training job **sft (job-1)**, which ended python_exception: TypeError: ${TYPE_ERROR_MARKDOWN} at +0:12:00`,
      /  - Fixed by: `config\/lora\.yaml` \+1 −0, `train\.py` \+2 −1 \(failure memory's fix `[0-9a-f]+`: worked 1, failed 0 in all runs\)/,
      '  - The agent said: Renamed max_seq_length to max_length: trl 0.20 renamed it',
      '  - Got past it: training job **sft (job-2)**, which ended success at +1:22:00 (started by call `t10`)',
    ];
    const noTrl = [
      "- **ModuleNotFoundError**: No module named 'trl' — step `shell__run_command:python3 prepare.py`, trainer, at +0:05:00",
      "  - Failed: call `t1` (`shell__run_command` `python3 prepare.py`, trainer at +0:05:00), which failed: ModuleNotFoundError: No module named 'trl'",
      '  - Passed when run again unchanged (possibly transient): call `t2` (`shell__run_command` `python3 prepare.py`, trainer at +0:06:00), which succeeded',
    ];
    const pattern = (lines: Array<string | RegExp>) =>
      new RegExp(lines.map((line) => (typeof line === 'string' ? literally(line) : line.source)).join('\\n'));
    assert.match(failures, pattern(noTrl));
    assert.match(failures, pattern(typeError));
    assert.ok(failures.indexOf(noTrl[0]!) < failures.indexOf(typeError[0] as string), 'in the order they failed');
    assert.match(
      failures,
      /### Training jobs failure memory did not judge\n\n- \*\*dpo \(job-3\)\*\* ended cuda_oom: torch\.OutOfMemoryError: CUDA out of memory\. Tried to allocate 2\.00 GiB at \+1:10:00\n  - No fix is known/,
    );
    assert.doesNotMatch(failures, /job-9/, "another run's job");
    assert.match(failures, /\| Tool \| Error \| Failures \| Later succeeded \|\n\|---\|---\|---:\|---\|\n/);
    assert.match(
      failures,
      /\| fetch__fetch \| HTTP 404 for https:\/\/example\.com\/data \| 2 \| \*\*no: unresolved\*\* \|/,
    );
    assert.match(
      failures,
      /\| files__edit_file \| Cannot change "missing\.py": no such file \| 1 \| \*\*no: unresolved\*\* \|/,
    );
    assert.doesNotMatch(
      failures,
      /\| shell__run_command \|/,
      'the failed launch t1 is reported once, with its failure',
    );
  });

  it('--json prints the same data as one object and writes no files', async () => {
    const reportDirectory = join(workdir, '.mux-swarm', 'runs', RUN, 'report');
    rmSync(reportDirectory, { recursive: true, force: true });
    const result = await runCli(['report', RUN, '--json'], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as {
      header: { runId: string; sessions: number };
      phases: {
        source: string;
        phases: Array<{ state: string }>;
        atEnd: { done: number; first_unmet: { line: number } };
      };
      timeline: Array<{ what: string; command?: string }>;
      training: {
        jobs: Array<{ jobId: string; gpuCostUsd: number }>;
        curves: Array<{ metric: string; points: unknown[] }>;
      };
      evaluation: {
        evaluations: Array<{ path: string; evaluation: { aggregate: { delta: number } } }>;
        skipped: Array<{ path: string }>;
      };
      costs: { modelUsd: number; gpu: { seconds: number; costUsd: number }; totalUsd: number };
      changes: { files: Array<{ path: string; edits: number; relaunches: number }> };
      failures: {
        steps: Array<{
          step: string;
          verdict: string;
          failedLaunch: { ref: string };
          relaunch: { ref: string; kind: string };
          change: { files: string[]; stat: Array<{ file: string; added: number; removed: number }> };
        }>;
        unrecordedJobs: Array<{ jobId: string; ending: { classification: string } }>;
        toolCalls: Array<{ tool: string; count: number; laterSucceeded: boolean }>;
      };
    };
    assert.equal(data.header.runId, RUN);
    assert.equal(data.header.sessions, 2);
    assert.deepEqual(
      data.phases.phases.map((phase) => phase.state),
      ['done', 'not-done', 'unchecked'],
    );
    assert.equal(data.phases.source, 'now');
    assert.deepEqual([data.phases.atEnd.done, data.phases.atEnd.first_unmet.line], [0, 7]);
    assert.equal(data.timeline.at(-1)!.what, 'result success: Fine-tuned adapter in out/final');
    assert.ok(
      data.timeline.some((entry) => entry.what.includes(TYPE_ERROR)),
      'the JSON holds the text as written, not escaped',
    );
    assert.deepEqual(
      data.timeline.filter((entry) => entry.command !== undefined).map((entry) => [entry.what, entry.command]),
      [
        ['training sft (job-1) started: python train.py --config sft.yaml', 'python train.py --config sft.yaml'],
        ['training sft (job-2) started: python train.py --config sft.yaml', 'python train.py --config sft.yaml'],
      ],
    );
    assert.deepEqual(
      data.training.jobs.map((job) => [job.jobId, Number(job.gpuCostUsd.toFixed(6))]),
      [
        ['job-1', 0.4],
        ['job-2', 3],
        ['job-3', 1],
      ],
    );
    assert.deepEqual(
      data.training.curves.map((curve) => [curve.metric, curve.points.length]),
      [
        ['loss', 10],
        ['eval_loss', 2],
      ],
    );
    assert.equal(data.evaluation.evaluations[0]!.evaluation.aggregate.delta, 0.12);
    assert.deepEqual(
      data.evaluation.skipped.map((file) => file.path),
      [join('broken', 'evaluation.json')],
    );
    assert.equal(data.costs.gpu.seconds, 4200);
    assert.ok(Math.abs(data.costs.gpu.costUsd - 3.9) < 1e-9);
    assert.ok(Math.abs(data.costs.modelUsd - 0.604) < 1e-9, 'amounts are unrounded');
    assert.ok(Math.abs(data.costs.totalUsd - 4.504) < 1e-9);
    assert.deepEqual(
      data.changes.files.map((file) => [file.path, file.edits, file.relaunches]),
      [
        ['train.py', 1, 1],
        ['notes/plan.md', 1, 0],
        ['old.yaml', 1, 0],
        ['sft.yaml', 1, 0],
        ['config/lora.yaml', 0, 1],
      ],
    );
    assert.deepEqual(
      data.failures.steps.map((step) => [
        step.step,
        step.verdict,
        step.failedLaunch.ref,
        step.relaunch.kind,
        step.relaunch.ref,
      ]),
      [
        ['shell__run_command:python3 prepare.py', 'retry_passed', 't1', 'tool-call', 't2'],
        ['job:python train.py --config sft.yaml', 'fixed', 'training:job-1', 'training-job', 'training:job-2'],
      ],
    );
    assert.deepEqual(data.failures.steps[1]!.change.stat, [
      { file: 'config/lora.yaml', added: 1, removed: 0 },
      { file: 'train.py', added: 2, removed: 1 },
    ]);
    assert.deepEqual(
      data.failures.unrecordedJobs.map((job) => [job.jobId, job.ending.classification]),
      [['job-3', 'cuda_oom']],
    );
    assert.deepEqual(
      data.failures.toolCalls.map((group) => [group.tool, group.count, group.laterSucceeded]),
      [
        ['fetch__fetch', 2, false],
        ['files__edit_file', 1, false],
      ],
    );
    assert.equal(existsSync(reportDirectory), false, 'no chart written');
  });

  it('-o writes the markdown to the file and the chart next to it, linked relatively', async () => {
    const output = join(project.directory, 'reports', 'fine tune.md');
    const result = await runCli(['report', RUN, '-o', output, '--workdir', workdir], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^Report: reports\/fine tune\.md$/m, 'the path relative to where the user stands');
    const written = readFileSync(output, 'utf8');
    assert.match(written, /!\[training curve\]\(fine%20tune\.training-curve\.svg\)/);
    const chartFile = resolve(dirname(output), imageLink(written, 'training curve'));
    assert.match(readFileSync(chartFile, 'utf8'), /^<svg /);
  });

  it('--eval shows only the files given; a prompt no judge scored is n/a', async () => {
    const unscored = {
      id: 'q4',
      topic: 'Outage',
      base_score: null,
      specialist_score: null,
      delta: null,
      scores: {},
      missing_judgements: 2,
    };
    const given = project.write('elsewhere/evaluation.json', {
      ...evaluation,
      specialist: { model: 'given-on-the-command-line' },
      prompts: [...evaluation.prompts, unscored],
      aggregate: { ...evaluation.aggregate, missing_judgements: 2 },
    });
    const result = await runCli(['report', RUN, '--eval', given], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    const evaluationSection = section(result.stdout, 'Evaluation');
    assert.match(evaluationSection, /vs specialist `given-on-the-command-line`/);
    assert.doesNotMatch(evaluationSection, /qwen3-14b-support-lora|broken/);
    assert.match(evaluationSection, /\| 4 \| Outage \| n\/a \| n\/a \| n\/a \|/);
    assert.match(evaluationSection, /\| Aggregate \| 3 prompts scored \(1 unscored\): /);
    assert.match(evaluationSection, /2 judgements missing/);
  });

  it('says "none" for the sections of a run without training, evaluation, phase checks or failures', async () => {
    const result = await runCli(['report'], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^# Run report: Say hello\n/, 'the newest run by default');
    assert.match(result.stdout, /- Sessions: 0 \(never resumed\)/);
    assert.match(section(result.stdout, 'Phases'), /\n\nNone: the goal has no "Done when" conditions to check\.\n/);
    assert.match(section(result.stdout, 'Timeline'), /\n\nNone: no events were recorded\.\n/);
    assert.match(section(result.stdout, 'Training'), /\n\nNone: this run started no training jobs\.\n/);
    assert.match(
      section(result.stdout, 'Evaluation'),
      /\n\nNone: no evaluation\.json was found \(give one with --eval\)\.\n/,
    );
    assert.match(section(result.stdout, 'Cost'), /\n\nNone: no model calls and no training jobs were recorded\.\n/);
    assert.match(
      section(result.stdout, 'What changed'),
      /\n\nNone: no agent changed a file, and no delegation ended\.\n/,
    );
    assert.match(
      section(result.stdout, 'Failures and fixes'),
      /\n\nNone: no training job failed and no tool call returned an error\.\n$/,
    );
    assert.doesNotMatch(result.stdout, /!\[training curve\]/);
    assert.equal(result.stderr, '');
  });

  it('caps the timeline at 100 rows: the first ones, how many were left out, the last ones; --json has them all', async () => {
    const result = await runCli(['report', CHATTY_RUN], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    const rows = section(result.stdout, 'Timeline')
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| Time'));
    assert.equal(rows.length, 101);
    assert.match(rows[0]!, /warning: warning number 1 \|$/);
    assert.match(rows[89]!, /warning: warning number 90 \|$/);
    assert.match(rows[90]!, /^\| … \| +\| … 50 more/);
    assert.match(rows[91]!, /warning: warning number 141 \|$/);
    assert.match(rows[100]!, /warning: warning number 150 \|$/);
    const json = await runCli(['report', CHATTY_RUN, '--json'], { cwd: workdir });
    assert.equal((JSON.parse(json.stdout) as { timeline: unknown[] }).timeline.length, 150);
  });

  it('refuses an unknown or ambiguous run, a workdir without runs, a missing --eval file and --json with -o (exit 2)', async () => {
    const unknown = await runCli(['report', 'nope'], { cwd: workdir });
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr, 'mux-swarm: no run "nope"; see `mux-swarm runs`\n');
    assert.equal(unknown.stdout, '');
    const ambiguous = await runCli(['report', 'run-report'], { cwd: workdir });
    assert.equal(ambiguous.code, 2);
    assert.match(ambiguous.stderr, /"run-report" matches 3 runs/);

    const noState = await runCli(['report', '--workdir', join(project.directory, 'plain')], { cwd: project.directory });
    assert.equal(noState.code, 2);
    assert.match(noState.stderr, /no runs recorded: .*state\.db does not exist/);

    const missingEval = await runCli(['report', RUN, '--eval', 'missing.json'], { cwd: workdir });
    assert.equal(missingEval.code, 2);
    assert.match(missingEval.stderr, /--eval missing\.json: no such file/);

    const both = await runCli(['report', RUN, '--json', '-o', 'x.md'], { cwd: workdir });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--json.*cannot be used with.*--output/);
  });
});

describe('failureSection: each failure as failure memory recorded it', () => {
  const job = (
    jobId: string,
    classification: string | null,
    start: string,
    end: string | null,
    exception?: { type: string; message: string },
  ): TrainingJobRow => ({
    run_id: 'r',
    job_id: jobId,
    name: 'sft',
    command: 'python3 train.py',
    cwd: '.',
    log_file: 'train.log',
    last_progress_at: null,
    log_cursor: 0,
    started_at: at(start),
    ended_at: end === null ? null : at(end),
    state: end === null ? 'running' : 'exited',
    classification,
    outcome_json:
      exception === undefined
        ? null
        : JSON.stringify({ summary: `${exception.type}: ${exception.message}`, exception }),
    exit_code: classification === 'success' ? 0 : 1,
    signal: null,
    last_step: null,
    total_steps: null,
    gpu_hourly_usd: 0,
  });
  const step = (id: number, fields: Partial<RunFailureStepRow>): RunFailureStepRow => ({
    id,
    step_key: 'job:python3 train.py',
    fingerprint: `fp-${id}`,
    agent: 'trainer',
    delegation_id: 'd1',
    failed_at: at('10:00:00'),
    failed_launch: null,
    relaunch_call: null,
    relaunch_job: null,
    relaunched_at: null,
    change_json: null,
    outcome: null,
    resolved_at: null,
    fix_uid: null,
    failure_type: 'TypeError',
    failure_message: `error ${id}`,
    fix_description: null,
    fix_explanation: null,
    fix_worked: null,
    fix_failed: null,
    ...fields,
  });
  const edit = (line: number) =>
    JSON.stringify({
      files: ['train.py'],
      diff: `--- a/train.py\n+++ b/train.py\n@@ -${line},1 +${line},1 @@\n-old ${line}\n+new ${line}\n`,
    });
  const data = (trainingJobs: TrainingJobRow[], failureSteps: RunFailureStepRow[]): ReportData => ({
    run: {
      id: 'r',
      goal_name: 'g',
      goal_source: 's',
      goal_text: 't',
      mode: 'flat',
      status: 'succeeded',
      subtype: 'success',
      exit_code: 0,
      result: null,
      hostname: 'h',
      started_at: at('09:00:00'),
      ended_at: null,
      num_turns: 0,
      cost_usd: 0,
      input_tokens: 0,
      output_tokens: 0,
      phases: null,
      cost_unknown_models: [],
    },
    workdir: undefined,
    goalTextLine: 1,
    sessions: [],
    events: [],
    usageByAgent: [],
    usageByModel: [],
    chainUsage: [],
    toolCalls: [],
    trainingMetrics: [],
    trainingJobs,
    failureSteps,
    delegations: [],
  });
  const offsetOf = (iso: string) => offset(Date.parse(iso) - Date.parse(at('09:00:00')));

  it('credits four failures fixed one by one each to its own change and relaunch, not all to the last job that succeeded', () => {
    const jobs = [1, 2, 3, 4].map((n) =>
      job(`j${n}`, 'python_exception', `10:0${n}:00`, `10:0${n}:30`, { type: 'TypeError', message: `error ${n}` }),
    );
    jobs.push(job('j5', 'success', '10:05:00', '10:05:30'));
    const steps = [1, 2, 3, 4].map((n) =>
      step(n, {
        failed_launch: `training:j${n}`,
        failed_at: at(`10:0${n}:30`),
        relaunch_call: `d1.${n}.0`,
        relaunch_job: `training:j${n + 1}`,
        relaunched_at: at(`10:0${n + 1}:00`),
        change_json: edit(n * 10),
        outcome: 'worked',
        resolved_at: at(`10:0${n + 1}:30`),
      }),
    );
    const section = failureSection(data(jobs, steps));
    assert.deepEqual(
      section.steps.map((failure) => [
        failure.failedLaunch?.ref,
        failure.relaunch?.ref,
        failure.verdict,
        failure.change?.stat,
      ]),
      [1, 2, 3, 4].map((n) => [
        `training:j${n}`,
        `training:j${n + 1}`,
        'fixed',
        [{ file: 'train.py', added: 1, removed: 1 }],
      ]),
    );
    assert.deepEqual(section.unrecordedJobs, [], "every failed job is some failure's launch");
    const markdown = renderFailures(section, offsetOf).join('\n');
    assert.match(markdown, /Failure memory recorded 4 failures in this run: 4 fixed\./);
    assert.match(
      markdown,
      /Failed: training job \*\*sft \(j1\)\*\*, which ended python_exception: TypeError: error 1 at \+1:01:30\n  - Fixed by: `train\.py` \+1 −1\n  - Got past it: training job \*\*sft \(j2\)\*\*, which ended python_exception: TypeError: error 2 at \+1:02:30 \(started by call `d1\.1\.0`\)/,
    );
    assert.match(
      markdown,
      /Failed: training job \*\*sft \(j4\)\*\*[^\n]*\n  - Fixed by: `train\.py` \+1 −1\n  - Got past it: training job \*\*sft \(j5\)\*\*, which ended success at \+1:05:30/,
    );
    assert.equal(
      markdown.match(/Got past it: training job \*\*sft \(j5\)\*\*/g)?.length,
      1,
      'only the last failure is credited to j5',
    );
  });

  it('says what became of each failure: the change did not fix it, a retry passed or failed, superseded, not judged yet, unresolved', () => {
    const jobs = [job('j1', 'cuda_oom', '10:00:00', '10:01:00'), job('j2', null, '10:02:00', null)];
    const steps = [
      step(1, {
        failed_launch: 'training:j1',
        relaunch_call: 'd1.2.0',
        relaunch_job: 'training:j2',
        relaunched_at: at('10:02:00'),
        change_json: edit(3),
        outcome: 'failed',
        resolved_at: at('10:03:00'),
      }),
      step(2, {
        step_key: 'shell__run_command:python3 app.py',
        failed_launch: 'd1.4.0',
        relaunch_call: 'd1.5.0',
        relaunched_at: at('10:05:00'),
        change_json: JSON.stringify({ files: [], diff: null }),
        outcome: 'retry_worked',
      }),
      step(3, {
        step_key: 'shell__run_command:python3 app.py',
        failed_launch: 'd1.6.0',
        relaunch_call: 'd1.7.0',
        relaunched_at: at('10:07:00'),
        change_json: JSON.stringify({ files: [], diff: null }),
        outcome: 'retry_failed',
      }),
      step(4, {
        step_key: 'job:python3 other.py',
        failed_launch: 'shell:job-7',
        outcome: 'superseded',
        resolved_at: at('10:08:00'),
      }),
      step(5, {
        failed_launch: 'training:j1',
        relaunch_call: 'd1.9.0',
        relaunch_job: 'training:j2',
        relaunched_at: at('10:09:00'),
        change_json: edit(4),
      }),
      step(6, { step_key: 'job:python3 other.py', failed_launch: 'shell:job-8' }),
    ];
    const section = failureSection(data(jobs, steps));
    assert.deepEqual(
      section.steps.map((failure) => failure.verdict),
      ['not_fixed', 'retry_passed', 'retry_failed', 'superseded', 'pending', 'unresolved'],
    );
    const markdown = renderFailures(section, offsetOf).join('\n');
    assert.match(
      markdown,
      /  - Change: `train\.py` \+1 −1\n  - \*\*Not fixed\*\*: the same error came back after the change, in training job \*\*sft \(j2\)\*\*, still running/,
    );
    assert.match(markdown, /  - Passed when run again unchanged \(possibly transient\): call `d1\.5\.0`/);
    assert.match(markdown, /  - Failed again when run again unchanged: call `d1\.7\.0`/);
    assert.match(markdown, /  - Failed: shell job `job-7`\n  - Superseded: /);
    assert.match(
      markdown,
      /  - Relaunched: training job \*\*sft \(j2\)\*\*, still running \(started by call `d1\.9\.0`\); not judged yet/,
    );
    assert.match(
      markdown,
      /  - Failed: shell job `job-8`\n  - \*\*Unresolved\*\*: the step was not launched again after this failure\./,
    );
    assert.match(
      markdown,
      /Failure memory recorded 6 failures in this run: 1 not fixed by the change, 1 passed when run again unchanged, 1 failed again when run again unchanged, 1 superseded, 1 relaunched, not judged yet, 1 unresolved\./,
    );
  });

  it('lists a failed training job failure memory did not judge without guessing a fix; stopped and running jobs are not failures', () => {
    const jobs = [
      job('a', 'killed', '10:00:00', '10:10:00'),
      job('b', 'success', '10:20:00', '10:40:00'),
      job('c', 'stopped', '10:41:00', '10:42:00'),
      job('d', null, '10:43:00', null),
    ];
    const section = failureSection(data(jobs, []));
    assert.deepEqual(
      section.unrecordedJobs.map((failure) => [failure.jobId, failure.ending.classification]),
      [['a', 'killed']],
    );
    const markdown = renderFailures(section, offsetOf).join('\n');
    assert.match(markdown, /^Failure memory recorded no failed launch in this run\./);
    assert.match(
      markdown,
      /- \*\*sft \(a\)\*\* ended killed at \+1:10:00\n  - No fix is known: failure memory judged no launch by this job\./,
    );
    assert.doesNotMatch(markdown, /\(b\)/, 'no guess that the next success fixed it');
  });
});

/**
 * A real run through the built CLI: the seed story's stand-in trainer with its last two errors already fixed, so
 * that the job fails twice with two different errors (TrainingArguments' `overwrite_output_dir`, then SFTTrainer's
 * `tokenizer`), each fixed by its own edit of train.py, and the third job trains. The report must credit each
 * failure to its own edit and relaunch, as failure memory recorded them.
 */
describe(
  'mux-swarm report on a run whose training failed twice, each failure fixed by its own edit',
  { timeout: 180_000 },
  () => {
    const CALL_COST_USD = 0.01;
    let server: FakeOpenAIServer;
    let project: ProjectFixture;
    let markdown: string;
    let json: {
      training: { jobs: Array<{ jobId: string; classification: string }> };
      failures: {
        steps: Array<{
          verdict: string;
          failedLaunch: { ref: string };
          relaunch: { ref: string };
          change: { files: string[]; stat: Array<{ file: string; added: number; removed: number }> };
        }>;
      };
    };
    let modelCalls: number;

    before(async () => {
      server = await startFakeOpenAIServer({
        fallback: (body) => ({ ...seedAgentReply(body, { mode: 'wait' }), cost: CALL_COST_USD }),
      });
      project = createProjectFixture('mux-swarm-report-run-');
      project.write(
        'config.json',
        fakeConfig(server.baseURL, {
          filesystem: { workdir: 'work' },
          memory: { userStore: join(project.directory, 'user-store') },
          mcpServers: {
            fs: { builtin: 'filesystem' },
            shell: { builtin: 'shell', options: { timeoutMs: 20_000 } },
            training: { builtin: 'training', options: { progressEventIntervalMs: 0 } },
            memory: { builtin: 'memory' },
          },
        }),
      );
      project.write('swarm.json', {
        orchestrator: fakeAgent('orchestrator', { mcpServers: ['fs', 'shell', 'training', 'memory'], maxTurns: 60 }),
        agents: [],
      });
      project.write(
        'goal.md',
        [
          '---',
          'name: two errors',
          '---',
          '# Train the adapter',
          '',
          '## Phase 1: Train',
          '',
          'Done when:',
          '- `out/adapter_config.json` exists',
          '',
        ].join('\n'),
      );
      const fixtures = join(import.meta.dirname, '..', 'fixtures', 'seed-trainer');
      // The seed's third and fourth errors fixed beforehand: two errors are left, met one after the other.
      let script = readFileSync(join(fixtures, 'train.py'), 'utf8');
      for (const error of SEED_ERRORS.slice(2))
        for (const edit of error.edits) script = script.replace(edit.oldText, edit.newText);
      project.write('work/train.py', script);
      writeFileSync(join(project.directory, 'work', 'fake_trl.py'), readFileSync(join(fixtures, 'fake_trl.py')));

      const run = await runCli(['run', 'goal.md'], { cwd: project.directory, timeoutMs: 120_000 });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.deepEqual(server.unmatched, []);
      modelCalls = server.chatRequests().length;
      const report = await runCli(['report'], { cwd: project.directory });
      assert.equal(report.code, 0, report.stderr);
      markdown = report.stdout;
      const data = await runCli(['report', '--json'], { cwd: project.directory });
      assert.equal(data.code, 0, data.stderr);
      json = JSON.parse(data.stdout) as typeof json;
    });
    after(async () => {
      await server.close();
      project.remove();
    });

    const ARGUMENT_ERROR = (owner: string, argument: string) =>
      `TypeError: ${owner}.\\_\\_init\\_\\_() got an unexpected keyword argument '${argument}'`;

    it('the run trained at the third job, the first two classified python_exception', () => {
      assert.deepEqual(
        json.training.jobs.map((job) => job.classification),
        ['python_exception', 'python_exception', 'success'],
      );
      const training = section(markdown, 'Training');
      const [first, second, third] = json.training.jobs.map((job) => job.jobId);
      assert.ok(
        training.includes(
          `| seed (${first}) | \`python3 train.py\` | python_exception: ${ARGUMENT_ERROR('TrainingArguments', 'overwrite_output_dir')} |`,
        ),
        training,
      );
      assert.ok(
        training.includes(
          `| seed (${second}) | \`python3 train.py\` | python_exception: ${ARGUMENT_ERROR('SFTTrainer', 'tokenizer')} |`,
        ),
        training,
      );
      assert.match(training, new RegExp(`\\| seed \\(${third}\\) \\| \`python3 train\\.py\` \\| success \\| 2/2 \\|`));
      assert.doesNotMatch(training, /exited/);
      assert.match(
        section(markdown, 'Timeline'),
        new RegExp(
          `training seed \\(${first}\\) ended python_exception: ${literally(ARGUMENT_ERROR('TrainingArguments', 'overwrite_output_dir'))} \\|`,
        ),
      );
    });

    it('credits each failure to its own edit and relaunch, not both to the last job', () => {
      const [first, second, third] = json.training.jobs.map((job) => job.jobId);
      assert.deepEqual(
        json.failures.steps.map((step) => [
          step.verdict,
          step.failedLaunch.ref,
          step.relaunch.ref,
          step.change.files,
          step.change.stat,
        ]),
        [
          [
            'fixed',
            `training:${first}`,
            `training:${second}`,
            ['train.py'],
            [{ file: 'train.py', added: 0, removed: 1 }],
          ],
          [
            'fixed',
            `training:${second}`,
            `training:${third}`,
            ['train.py'],
            [{ file: 'train.py', added: 1, removed: 1 }],
          ],
        ],
      );
      const failures = section(markdown, 'Failures and fixes');
      assert.match(failures, /Failure memory recorded 2 failures in this run: 2 fixed\./);
      const credited = (failed: string, error: string, stat: string, relaunch: string, ended: string) =>
        new RegExp(
          [
            `  - Failed: training job \\*\\*seed \\(${failed}\\)\\*\\*, which ended python_exception: ${literally(error)} at \\+[\\d:]+`,
            `  - Fixed by: \`train\\.py\` ${literally(stat)} \\(failure memory's fix \`[0-9a-f]+\`: worked 1, failed 0 in all runs\\)`,
            `  - Got past it: training job \\*\\*seed \\(${relaunch}\\)\\*\\*, which ended ${literally(ended)} at \\+[\\d:]+ \\(started by call \`[\\w.]+\`\\)`,
          ].join('\\n'),
        );
      assert.match(
        failures,
        credited(
          first!,
          ARGUMENT_ERROR('TrainingArguments', 'overwrite_output_dir'),
          '+0 −1',
          second!,
          `python_exception: ${ARGUMENT_ERROR('SFTTrainer', 'tokenizer')}`,
        ),
      );
      assert.match(failures, credited(second!, ARGUMENT_ERROR('SFTTrainer', 'tokenizer'), '+1 −1', third!, 'success'));
      assert.match(failures, /### Other tool errors\n\nNo other tool call returned an error\./);
    });

    it("lists the agent's edits of train.py under what changed", () => {
      const changes = section(markdown, 'What changed');
      assert.match(
        changes,
        /\| `train\.py` \| orchestrator \| 2 \| \+1 −2 \| \+[\d:]+ – \+[\d:]+ \| edit_file ×2; in the change before 2 relaunches \|/,
      );
      assert.doesNotMatch(
        changes,
        /fake_trl|checkpoint|adapter_config/,
        'only what the agent changed: not what it read, nor what the trainer wrote',
      );
    });

    it('escapes __init__ everywhere outside code, right-aligns numeric columns and prints money in cents', () => {
      assert.doesNotMatch(markdown, /[^\\]__init/, 'every __init__ is escaped');
      assert.match(
        markdown,
        /\| Job \| Command \| Ended \| Steps \| Runtime \| GPU cost \|\n\|---\|---\|---\|---:\|---:\|---:\|/,
      );
      assert.match(
        markdown,
        /\| Agent \| Calls \| Input tokens \| Output tokens \| USD \|\n\|---\|---:\|---:\|---:\|---:\|/,
      );
      const modelUsd = `$${((modelCalls * CALL_COST_USD * 100) / 100).toFixed(2)}`;
      assert.ok(section(markdown, 'Cost').includes(`| orchestrator | ${modelCalls} |`), section(markdown, 'Cost'));
      assert.ok(
        section(markdown, 'Cost').includes(`**Total: ${modelUsd}** = models ${modelUsd} + GPU $0.00`),
        section(markdown, 'Cost'),
      );
      assert.doesNotMatch(markdown, /\$\d+\.\d{3}/, 'no amount with more than cents');
    });
  },
);
