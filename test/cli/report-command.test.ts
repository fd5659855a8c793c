import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ReportData } from '../../src/cli/report/report-data.js';
import type { TrainingJobRow } from '../../src/state/training-store.js';
import { failureSection } from '../../src/cli/report/report-failures.js';
import { openDatabase } from '../../src/state/database.js';
import { RunStore } from '../../src/state/run-store.js';
import { createProjectFixture, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const RUN = 'run-report-1';
const PLAIN_RUN = 'run-report-2-plain';
const CHATTY_RUN = 'run-report-3-chatty';
const at = (time: string) => `2025-01-01T${time}Z`;
const TYPE_ERROR = "SFTTrainer.__init__() got an unexpected keyword argument 'max_seq_length'";

const evaluation = {
  format: 'mux-swarm-evaluation/1',
  created_at: '2025-01-01T11:40:00Z',
  base: { model: 'Qwen/Qwen3-14B' },
  specialist: { model: 'qwen3-14b-support-lora' },
  judges: ['judge-a', 'judge-b'],
  prompts: [
    { id: '1', topic: 'Refund policy', base_score: 4.33, specialist_score: 4.33, delta: 0.0, scores: {}, missing_judgements: 0 },
    { id: '2', topic: 'Shipping delays', base_score: 3.5, specialist_score: 4.25, delta: 0.75, scores: {}, missing_judgements: 0 },
    { id: '3', topic: 'Account deletion', base_score: 3.8, specialist_score: 3.4, delta: -0.4, scores: {}, missing_judgements: 0 },
  ],
  aggregate: { base: 3.88, specialist: 3.99, delta: 0.12, relative_delta: 0.031, prompts: 3, specialist_wins: 1, base_wins: 1, ties: 1, missing_judgements: 0 },
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
  store.createRun({ id: RUN, goalName: 'Fine-tune Qwen', goalSource: 'goals/finetune.md', goalText: FINETUNE_GOAL, mode: 'hierarchical', settings: { workdir, goalTextLine: 2 }, hostname: 'box', pid: 1, startedAt: at('10:00:00') });
  const standingAtEnd = { done: 0, total: 3, unchecked: 1, first_unmet: { phase: 1, title: 'Prepare data', line: 7, text: '`data/train.jsonl` exists', detail: 'does not exist' } };
  store.finishRun(RUN, { status: 'succeeded', subtype: 'success', exitCode: 0, result: 'Fine-tuned adapter in out/final', endedAt: at('11:30:00'), numTurns: 9, costUsd: 0.6, inputTokens: 6000, outputTokens: 1100, phases: standingAtEnd });
  const session = database.prepare('INSERT INTO run_sessions (run_id, session, hostname, pid, started_at, heartbeat_at, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  session.run(RUN, 1, 'box', 1, at('10:00:00'), at('10:16:00'), at('10:16:00'));
  session.run(RUN, 2, 'box', 2, at('10:20:00'), at('11:30:00'), at('11:30:00'));

  let seq = 0;
  const event = (time: string, type: string, agent: string, fields: Record<string, unknown>) => store.appendEvent({ run_id: RUN, session_id: RUN, seq: ++seq, type, agent, timestamp: at(time), ...fields } as { run_id: string; seq: number; type: string; agent: string });
  const init = (time: string, resumed?: number) =>
    event(time, 'system', 'mux-swarm', { subtype: 'init', cwd: workdir, mode: 'hierarchical', model: 'gpt-x', goal: { name: 'Fine-tune Qwen', source: 'goals/finetune.md' }, agents: [], tools: [], mcp_servers: [], limits: {}, ...(resumed ? { resumed_session: resumed } : {}) });
  const phases = (time: string, firstDone: boolean) =>
    event(time, 'phase-report', 'mux-swarm', {
      phases: [
        { number: 1, title: 'Prepare data', state: firstDone ? 'done' : 'not-done', ...(firstDone ? {} : { first_unmet: { line: 5, text: 'data/train.jsonl exists', detail: 'no such file' } }) },
        { number: 2, title: 'Fine-tune', state: 'not-done', first_unmet: { line: 12, text: 'out/final/adapter_config.json exists', detail: 'no such file' } },
        { number: 3, title: 'Evaluate', state: 'unchecked' },
      ],
      goal_complete: false,
      report_path: '.mux-swarm/runs/run-report-1/recovery.md',
    });
  const delegation = (id: string, agent: string, from: string, start: string, end: string, status: string, task: string, summary: string) => {
    store.startDelegation({ runId: RUN, id, parentId: id === 'd1' ? null : 'd1', agent, fromAgent: from, depth: id === 'd1' ? 0 : 1, task, startedAt: at(start) });
    store.finishDelegation({ runId: RUN, id, status, stopReason: 'completed', summary, artifacts: [], turns: 3, costUsd: 0, endedAt: at(end) });
  };
  const delegationStart = (time: string, id: string, agent: string, from: string, task: string) => event(time, 'delegation-start', agent, { delegation_id: id, parent_delegation_id: id === 'd1' ? null : 'd1', from, depth: id === 'd1' ? 0 : 1, task });
  const delegationEnd = (time: string, id: string, agent: string, status: string, summary: string) =>
    event(time, 'delegation-end', agent, { delegation_id: id, status, stop_reason: 'completed', summary, artifacts: [], turns: 3, duration_ms: 1000, cost_usd: 0 });
  const trainingStart = (time: string, jobId: string) => event(time, 'training-start', 'trainer', { job_id: jobId, name: 'sft', command: 'python train.py --config sft.yaml', cwd: workdir, log_file: `logs/${jobId}.log`, reattached: false });

  init('10:00:00');
  phases('10:00:01', false);
  delegationStart('10:00:02', 'd1', 'orchestrator', 'mux-swarm', '# Goal: Fine-tune Qwen');
  delegationStart('10:01:00', 'd2', 'trainer', 'orchestrator', 'Fine-tune Qwen on the support data');
  trainingStart('10:02:00', 'job-1');
  event('10:12:00', 'training-end', 'trainer', {
    job_id: 'job-1', name: 'sft', classification: 'python_exception', summary: `TypeError: ${TYPE_ERROR} (train.py:88)`, exit_code: 1, signal: null, runtime_ms: 600_000, last_step: null,
    exception: { type: 'TypeError', message: TYPE_ERROR, frame: 'train.py:88 in main' }, gpu_cost_usd: 0.4, log_file: 'logs/job-1.log',
  });
  delegationEnd('10:15:00', 'd2', 'trainer', 'partial', 'Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it)\nThe rest of the story.');
  init('10:20:00', 2);
  phases('10:20:01', true);
  delegationStart('10:21:00', 'd3', 'trainer', 'orchestrator', 'Re-run the fine-tune');
  trainingStart('10:22:00', 'job-2');
  event('11:22:00', 'training-end', 'trainer', { job_id: 'job-2', name: 'sft', classification: 'success', summary: 'finished: 100 steps', exit_code: 0, signal: null, runtime_ms: 3_600_000, last_step: 100, gpu_cost_usd: 3, log_file: 'logs/job-2.log' });
  delegationEnd('11:23:00', 'd3', 'trainer', 'success', 'Training finished; eval_loss 1.21 at step 100');
  event('11:24:00', 'system', 'mux-swarm', { subtype: 'warning', message: 'MCP server fetch restarted' });
  delegationEnd('11:29:00', 'd1', 'orchestrator', 'success', 'Fine-tuned adapter in out/final');
  const usage = { input_tokens: 6000, output_tokens: 1100, cache_read_input_tokens: 0, reasoning_tokens: 0 };
  event('11:30:00', 'result', 'mux-swarm', { subtype: 'success', is_error: false, exit_code: 0, num_turns: 9, total_cost_usd: 0.6, usage, usage_by_agent: {}, usage_by_model: {}, duration_ms: 5_400_000, result: 'Fine-tuned adapter in out/final', artifacts: [] });
  delegation('d1', 'orchestrator', 'mux-swarm', '10:00:02', '11:29:00', 'success', '# Goal: Fine-tune Qwen', 'Fine-tuned adapter in out/final');
  delegation('d2', 'trainer', 'orchestrator', '10:01:00', '10:15:00', 'partial', 'Fine-tune Qwen on the support data', 'Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it)\nThe rest of the story.');
  delegation('d3', 'trainer', 'orchestrator', '10:21:00', '11:23:00', 'success', 'Re-run the fine-tune', 'Training finished; eval_loss 1.21 at step 100');

  const modelCall = database.prepare(`INSERT INTO model_calls (run_id, delegation_id, agent, turn, provider, model, input_tokens, output_tokens, cost_usd, started_at) VALUES (?, ?, ?, ?, 'openai', ?, ?, ?, ?, ?)`);
  modelCall.run(RUN, 'd1', 'orchestrator', 1, 'gpt-x', 1000, 200, 0.1, at('10:00:03'));
  modelCall.run(RUN, 'd1', 'orchestrator', 2, 'gpt-x', 500, 100, 0.05, at('11:28:00'));
  modelCall.run(RUN, 'd2', 'trainer', 1, 'gpt-y', 2000, 400, 0.2, at('10:01:01'));
  modelCall.run(RUN, 'd2', 'trainer', 2, 'gpt-y', 1500, 300, 0.15, at('10:14:00'));
  modelCall.run(RUN, 'd3', 'trainer', 1, 'gpt-y', 1000, 100, 0.1, at('10:21:01'));

  const toolCall = (id: string, time: string, name: string, isError: boolean, resultText: string) => {
    store.startToolCall({ runId: RUN, id, delegationId: 'd2', agent: 'trainer', turn: 1, modelCallId: '3', name, argumentsJson: '{}', startedAt: at(time) });
    store.finishToolCall({ runId: RUN, id, resultText, replyText: resultText, isError, durationMs: 10 });
  };
  toolCall('t1', '10:05:00', 'shell__run_command', true, "ModuleNotFoundError: No module named 'trl'\nTraceback (most recent call last): …");
  toolCall('t2', '10:06:00', 'shell__run_command', false, 'installed trl');
  toolCall('t3', '10:07:00', 'fetch__fetch', true, 'HTTP 404 for https://example.com/data');
  toolCall('t4', '10:08:00', 'fetch__fetch', true, 'HTTP 404 for https://example.com/data');

  const job = database.prepare(
    `INSERT INTO training_jobs (run_id, job_id, name, command, cwd, log_file, started_at, ended_at, state, classification, outcome_json, exit_code, last_step, total_steps, gpu_hourly_usd)
     VALUES (?, ?, 'sft', 'python train.py --config sft.yaml', ?, ?, ?, ?, 'exited', ?, ?, ?, ?, 100, ?)`,
  );
  job.run(RUN, 'job-1', workdir, 'logs/job-1.log', at('10:02:00'), at('10:12:00'), 'python_exception', JSON.stringify({ summary: 'from the outcome' }), 1, null, 2.4);
  job.run(RUN, 'job-2', workdir, 'logs/job-2.log', at('10:22:00'), at('11:22:00'), 'success', null, 0, 100, 3);
  // A second trainer on the same box while job-2 runs, at a higher price, that ran out of memory (no training-end event).
  database
    .prepare(
      `INSERT INTO training_jobs (run_id, job_id, name, command, cwd, log_file, started_at, ended_at, state, classification, outcome_json, exit_code, gpu_hourly_usd)
       VALUES (?, 'job-3', 'dpo', 'python dpo.py', ?, 'logs/job-3.log', ?, ?, 'exited', 'cuda_oom', ?, 1, 6)`,
    )
    .run(RUN, workdir, at('11:00:00'), at('11:10:00'), JSON.stringify({ summary: 'CUDA out of memory (dpo.py:40)', exception: { type: 'torch.OutOfMemoryError', message: 'CUDA out of memory. Tried to allocate 2.00 GiB' } }));
  // Another run's job: not this run's cost, curve or failure.
  job.run('someone-else', 'job-9', workdir, 'logs/job-9.log', at('10:00:00'), at('12:00:00'), 'cuda_oom', null, 1, null, 50);

  const metricRow = database.prepare(`INSERT INTO training_metrics (run_id, job_id, log_offset, event, step, data_json, at) VALUES (?, ?, ?, ?, ?, ?, ?)`);
  let offset = 0;
  const metric = (jobId: string, line: Record<string, unknown>) => metricRow.run(RUN, jobId, (offset += 100), line.event, (line.step as number | undefined) ?? null, JSON.stringify(line), at('10:30:00'));
  metric('job-1', { event: 'start', total_steps: 100 });
  const losses = [2.31, 1.9, 1.7, 1.55, 1.42, 1.33, 1.27, 1.22, 1.12, 1.15];
  losses.forEach((loss, index) => metric('job-2', { event: 'log', step: (index + 1) * 10, loss, learning_rate: 0.0002 }));
  metric('job-2', { event: 'eval', step: 50, eval_loss: 1.41 });
  metric('job-2', { event: 'checkpoint', step: 50, path: 'out/checkpoint-50' });
  metric('job-2', { event: 'eval', step: 100, eval_loss: 1.21 });

  store.createRun({ id: PLAIN_RUN, goalName: 'Say hello', goalSource: '--task', goalText: 'Say hello', mode: 'hierarchical', settings: { workdir: plainWorkdir }, hostname: 'box', pid: 3, startedAt: '2025-01-02T09:00:00Z' });
  store.finishRun(PLAIN_RUN, { status: 'failed', subtype: 'error_max_turns', exitCode: 3, result: 'ran out of turns', endedAt: '2025-01-02T09:05:00Z', numTurns: 2, costUsd: 0, inputTokens: 0, outputTokens: 0 });

  store.createRun({ id: CHATTY_RUN, goalName: 'Warn a lot', goalSource: '--task', goalText: 'Warn', mode: 'flat', settings: { workdir: plainWorkdir }, hostname: 'box', pid: 4, startedAt: '2024-12-31T00:00:00Z' });
  for (let index = 1; index <= 150; index += 1) {
    store.appendEvent({ run_id: CHATTY_RUN, session_id: CHATTY_RUN, seq: index, type: 'system', subtype: 'warning', agent: 'mux-swarm', timestamp: '2024-12-31T00:00:01Z', message: `warning number ${index}` } as { run_id: string; seq: number; type: string; agent: string });
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
    assert.match(markdown, /- Started: 2025-01-01 10:00:00 UTC · ended: 2025-01-01 11:30:00 UTC · duration: 1 h 30 min/);
    assert.match(markdown, /- Sessions: 2 \(resumed 1 time\)/);
    assert.match(markdown, /- Result: Fine-tuned adapter in out\/final/);
  });

  it('tables the phases as they stand when the report is made, checked in the run\'s workdir, and says where they stood at the end', () => {
    const phases = section(markdown, 'Phases');
    assert.match(phases, /As checked when this report was made \([^)]+\), in the run's workdir\./);
    assert.match(phases, /When the run ended: 0 of 3 phases done; first unmet: phase 1, line 7: `data\/train\.jsonl` exists — does not exist\./);
    // data/train.jsonl was written after the run ended: the table shows it done now.
    assert.match(phases, /\| 1 \| Prepare data \| done \| — \|/);
    assert.match(phases, /\| 2 \| Fine-tune \| not-done \| line 12: `out\/final\/adapter_config\.json` exists \(does not exist\) \|/);
    assert.match(phases, /\| 3 \| Evaluate \| unchecked \| — \|/);
  });

  it('lists the timeline in order, with offsets from the start', () => {
    const timeline = section(markdown, 'Timeline');
    const expected = [
      '| +0:00:00 | mux-swarm | run started |',
      '| +0:00:01 | mux-swarm | phase check: 0 of 3 phases done; next: phase 1 "Prepare data" |',
      '| +0:01:00 | trainer | started, delegated by orchestrator: Fine-tune Qwen on the support data |',
      '| +0:02:00 | trainer | training sft (job-1) started: `python train.py --config sft.yaml` |',
      `| +0:12:00 | trainer | training sft (job-1) ended python_exception: TypeError: ${TYPE_ERROR} (train.py:88) |`,
      '| +0:15:00 | trainer | ended partial: Renamed max_seq_length to max_length in train.py (trl 0.20 renamed it) |',
      '| +0:20:00 | mux-swarm | resumed (session 2) |',
      '| +0:20:01 | mux-swarm | phase check: 1 of 3 phases done; next: phase 2 "Fine-tune" |',
      '| +1:22:00 | trainer | training sft (job-2) ended success: finished: 100 steps |',
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

  it('tables the training jobs and writes the training curve as an SVG the markdown links to', () => {
    const training = section(markdown, 'Training');
    assert.match(training, /\| sft \(job-1\) \| `python train\.py --config sft\.yaml` \| exited \| python_exception \| — \| 10 min 0 s \| \$0\.4000 \|/);
    assert.match(training, /\| sft \(job-2\) \| `python train\.py --config sft\.yaml` \| exited \| success \| 100\/100 \| 1 h 00 min \| \$3\.0000 \|/);
    assert.match(training, /\| sft \(job-2\) \| 1\.15 \(step 100\) \| 1\.12 \(step 90\) \| 1\.21 \(step 100\) \| 1\.21 \(step 100\) \|/);
    assert.doesNotMatch(training, /\| sft \(job-1\) \| [\d.]+ \(step/, 'job-1 reported no loss');

    const link = imageLink(training, 'training curve');
    assert.ok(!link.startsWith('/'), `a relative link: ${link}`);
    const chartFile = resolve(workdir, link);
    assert.equal(chartFile, join(workdir, '.mux-swarm', 'runs', RUN, 'report', 'training-curve.svg'));
    assert.match(stderr, new RegExp(`Training curve: ${chartFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const svg = readFileSync(chartFile, 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(svg.trimEnd().endsWith('</svg>'));
    assert.equal(svg.split('<path').length - 1, 2, 'one line for loss, one for eval_loss');
    assert.match(svg, />sft \(job-2\) loss</);
    assert.match(svg, />sft \(job-2\) eval_loss</);
    const ticks = (axis: string) => [...svg.matchAll(new RegExp(`<text class="${axis}"[^>]*>([^<]*)<`, 'g'))].map((match) => Number(match[1]));
    assert.ok(ticks('x-tick')[0]! <= 10 && ticks('x-tick').at(-1)! >= 100, `x ticks ${ticks('x-tick').join(',')}`);
    assert.ok(ticks('y-tick')[0]! <= 1.12 && ticks('y-tick').at(-1)! >= 2.31, `y ticks ${ticks('y-tick').join(',')}`);
  });

  it('shows the evaluation found in the workdir as the seed-story table, and lists an invalid one as skipped', () => {
    const evaluationSection = section(markdown, 'Evaluation');
    assert.match(evaluationSection, /### eval\/evaluation\.json/);
    assert.match(evaluationSection, /Base `Qwen\/Qwen3-14B` vs specialist `qwen3-14b-support-lora`, judged by `judge-a`, `judge-b`/);
    assert.match(evaluationSection, /\| # \| Prompt Topic \| Base \| Specialist \| Delta \|/);
    assert.match(evaluationSection, /\| 1 \| Refund policy \| 4\.33 \| 4\.33 \| \+0\.00 \|/);
    assert.match(evaluationSection, /\| 2 \| Shipping delays \| 3\.50 \| 4\.25 \| \+0\.75 \|/);
    assert.match(evaluationSection, /\| 3 \| Account deletion \| 3\.80 \| 3\.40 \| -0\.40 \|/);
    assert.match(evaluationSection, /\| Aggregate \| 3 prompts scored: 1 specialist win, 1 base win, 1 tie \| 3\.88 \| 3\.99 \| \+0\.12 \(\+3\.1%\) \|/);
    assert.match(evaluationSection, /- `broken\/evaluation\.json`: base: /);
    assert.doesNotMatch(evaluationSection, /from-node-modules|too-deep/, 'node_modules and files deeper than 6 levels are not searched');
  });

  it('adds up model cost by agent and by model, and GPU time over the jobs\' intervals at their hourly prices', () => {
    const cost = section(markdown, 'Cost');
    assert.match(cost, /\| orchestrator \| 2 \| 1500 \| 300 \| \$0\.1500 \|/);
    assert.match(cost, /\| trainer \| 3 \| 4500 \| 800 \| \$0\.4500 \|/);
    assert.match(cost, /\| openai\/gpt-y \| 3 \| 4500 \| 800 \| \$0\.4500 \|/);
    // job-1: 10 min at $2.40/h; job-2: 60 min at $3.00/h, of which the 10 min job-3 ran too are priced at its $6.00/h
    // and counted once: $0.40 + $2.50 + $1.00. The other run's job is not counted.
    assert.match(cost, /1 h 10 min of GPU time over 3 training jobs: \$3\.9000/);
    assert.match(cost, /\*\*Total: \$4\.5000\*\* = models \$0\.6000 \+ GPU \$3\.9000/);
  });

  it('pairs the failed job with the job that fixed it and the delegation that changed the code; groups failed tool calls', () => {
    const failures = section(markdown, 'Failures and fixes');
    assert.match(failures, new RegExp(`- \\*\\*sft \\(job-1\\)\\*\\* ended \`python_exception\` at \\+0:12:00: TypeError: ${TYPE_ERROR.replace(/[.()]/g, '\\$&')}`));
    assert.match(failures, /- Exception: `TypeError`: .* at `train\.py:88 in main`/);
    assert.match(failures, /- Fixed by: \*\*sft \(job-2\)\*\*, which succeeded at \+1:22:00/);
    assert.match(failures, /- trainer \(d2, partial, \+0:15:00\): Renamed max_seq_length to max_length in train\.py \(trl 0\.20 renamed it\)/);
    assert.doesNotMatch(failures, /Training finished; eval_loss/, 'd3 ended after the fix');
    assert.doesNotMatch(failures, /job-9/, 'another run\'s job');
    assert.match(failures, /- \*\*dpo \(job-3\)\*\* ended `cuda_oom` at \+1:10:00: CUDA out of memory \(dpo\.py:40\)\n  - Exception: `torch\.OutOfMemoryError`: CUDA out of memory\. Tried to allocate 2\.00 GiB\n  - \*\*Unresolved\*\*: no later training job succeeded/);
    assert.match(failures, /\| shell__run_command \| ModuleNotFoundError: No module named 'trl' \| 1 \| yes \|/);
    assert.match(failures, /\| fetch__fetch \| HTTP 404 for https:\/\/example\.com\/data \| 2 \| \*\*no: unresolved\*\* \|/);
  });

  it('--json prints the same data as one object and writes no files', async () => {
    const reportDirectory = join(workdir, '.mux-swarm', 'runs', RUN, 'report');
    rmSync(reportDirectory, { recursive: true, force: true });
    const result = await runCli(['report', RUN, '--json'], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as {
      header: { runId: string; sessions: number };
      phases: { source: string; phases: Array<{ state: string }>; atEnd: { done: number; first_unmet: { line: number } } };
      timeline: Array<{ what: string }>;
      training: { jobs: Array<{ jobId: string; gpuCostUsd: number }>; curves: Array<{ metric: string; points: unknown[] }> };
      evaluation: { evaluations: Array<{ path: string; evaluation: { aggregate: { delta: number } } }>; skipped: Array<{ path: string }> };
      costs: { modelUsd: number; gpu: { seconds: number; costUsd: number }; totalUsd: number };
      failures: { training: Array<{ jobId: string; fixedBy: { jobId: string } | null; changes: Array<{ delegationId: string }> }>; toolCalls: Array<{ tool: string; count: number; laterSucceeded: boolean }> };
    };
    assert.equal(data.header.runId, RUN);
    assert.equal(data.header.sessions, 2);
    assert.deepEqual(data.phases.phases.map((phase) => phase.state), ['done', 'not-done', 'unchecked']);
    assert.equal(data.phases.source, 'now');
    assert.deepEqual([data.phases.atEnd.done, data.phases.atEnd.first_unmet.line], [0, 7]);
    assert.equal(data.timeline.at(-1)!.what, 'result success: Fine-tuned adapter in out/final');
    assert.deepEqual(data.training.jobs.map((job) => [job.jobId, Number(job.gpuCostUsd.toFixed(6))]), [['job-1', 0.4], ['job-2', 3], ['job-3', 1]]);
    assert.deepEqual(data.training.curves.map((curve) => [curve.metric, curve.points.length]), [['loss', 10], ['eval_loss', 2]]);
    assert.equal(data.evaluation.evaluations[0]!.evaluation.aggregate.delta, 0.12);
    assert.deepEqual(data.evaluation.skipped.map((file) => file.path), [join('broken', 'evaluation.json')]);
    assert.equal(data.costs.gpu.seconds, 4200);
    assert.ok(Math.abs(data.costs.gpu.costUsd - 3.9) < 1e-9);
    assert.ok(Math.abs(data.costs.modelUsd - 0.6) < 1e-9);
    assert.ok(Math.abs(data.costs.totalUsd - 4.5) < 1e-9);
    assert.deepEqual(
      data.failures.training.map((failure) => [failure.jobId, failure.fixedBy?.jobId ?? null, failure.changes.map((change) => change.delegationId)]),
      [['job-1', 'job-2', ['d2']], ['job-3', null, []]],
    );
    assert.deepEqual(data.failures.toolCalls.map((group) => [group.tool, group.count, group.laterSucceeded]), [['shell__run_command', 1, true], ['fetch__fetch', 2, false]]);
    assert.equal(existsSync(reportDirectory), false, 'no chart written');
  });

  it('-o writes the markdown to the file and the chart next to it, linked relatively', async () => {
    const output = join(project.directory, 'reports', 'fine tune.md');
    const result = await runCli(['report', RUN, '-o', output, '--workdir', workdir], { cwd: project.directory });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /Report: .*fine tune\.md/);
    const written = readFileSync(output, 'utf8');
    assert.match(written, /!\[training curve\]\(fine%20tune\.training-curve\.svg\)/);
    const chartFile = resolve(dirname(output), imageLink(written, 'training curve'));
    assert.match(readFileSync(chartFile, 'utf8'), /^<svg /);
  });

  it('--eval shows only the files given; a prompt no judge scored is n/a', async () => {
    const unscored = { id: 'q4', topic: 'Outage', base_score: null, specialist_score: null, delta: null, scores: {}, missing_judgements: 2 };
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
    assert.match(section(result.stdout, 'Evaluation'), /\n\nNone: no evaluation\.json was found \(give one with --eval\)\.\n/);
    assert.match(section(result.stdout, 'Cost'), /\n\nNone: no model calls and no training jobs were recorded\.\n/);
    assert.match(section(result.stdout, 'Failures and fixes'), /\n\nNone: no training job failed and no tool call returned an error\.\n$/);
    assert.doesNotMatch(result.stdout, /!\[training curve\]/);
    assert.equal(result.stderr, '');
  });

  it('caps the timeline at 100 rows: the first ones, how many were left out, the last ones; --json has them all', async () => {
    const result = await runCli(['report', CHATTY_RUN], { cwd: workdir });
    assert.equal(result.code, 0, result.stderr);
    const rows = section(result.stdout, 'Timeline').split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Time'));
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

describe('failureSection: which job fixed a failure', () => {
  const job = (jobId: string, name: string | null, classification: string, start: string, end: string): TrainingJobRow => ({
    run_id: 'r', job_id: jobId, name, command: 'python train.py', cwd: '.', log_file: 'train.log', last_progress_at: null, log_cursor: 0, started_at: at(start), ended_at: at(end), state: 'exited', classification,
    outcome_json: null, exit_code: classification === 'success' ? 0 : 1, signal: null, last_step: null, total_steps: null, gpu_hourly_usd: 0,
  });
  const delegationEnding = (id: string, end: string) => ({ id, parent_id: null, agent: 'trainer', from_agent: 'orchestrator', depth: 1, task: 't', status: 'success', stop_reason: 'completed', summary: `summary of ${id}`, artifacts_json: '[]', turns: 1, cost_usd: 0, started_at: at('09:00:00'), ended_at: at(end) });
  const data = (trainingJobs: TrainingJobRow[]): ReportData => ({
    run: { id: 'r', goal_name: 'g', goal_source: 's', goal_text: 't', mode: 'flat', status: 'succeeded', subtype: 'success', exit_code: 0, result: null, hostname: 'h', started_at: at('09:00:00'), ended_at: null, num_turns: 0, cost_usd: 0, input_tokens: 0, output_tokens: 0, phases: null, cost_unknown_models: [] },
    workdir: undefined, goalTextLine: 1, sessions: [], events: [], usageByAgent: [], usageByModel: [], toolCalls: [], trainingMetrics: [], trainingJobs,
    delegations: [delegationEnding('before', '10:05:00'), delegationEnding('between', '10:30:00'), delegationEnding('at-fix', '11:00:00'), delegationEnding('after', '11:30:00')],
  });

  it('prefers a later success of the same name over the next success of another name', () => {
    const section = failureSection(data([job('a', 'sft', 'python_exception', '10:00:00', '10:10:00'), job('b', 'dpo', 'success', '10:20:00', '10:40:00'), job('c', 'sft', 'success', '10:45:00', '11:00:00')]));
    assert.deepEqual(section.training.map((failure) => [failure.jobId, failure.fixedBy?.jobId, failure.changes.map((change) => change.delegationId)]), [['a', 'c', ['between', 'at-fix']]]);
  });

  it('takes the next success when the failed job has no name, or no later job shares it; stopped jobs are not failures', () => {
    const unnamed = failureSection(data([job('a', null, 'stalled', '10:00:00', '10:10:00'), job('b', 'dpo', 'success', '10:20:00', '10:40:00'), job('c', null, 'success', '10:45:00', '11:00:00')]));
    assert.deepEqual(unnamed.training.map((failure) => [failure.jobId, failure.fixedBy?.jobId]), [['a', 'b']]);
    const stopped = failureSection(data([job('a', 'sft', 'stopped', '10:00:00', '10:10:00'), job('b', 'sft', 'killed', '10:20:00', '10:40:00')]));
    assert.deepEqual(stopped.training.map((failure) => [failure.jobId, failure.fixedBy, failure.summary]), [['b', null, 'killed, exit code 1']]);
  });
});
