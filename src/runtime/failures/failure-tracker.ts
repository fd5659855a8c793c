import { statSync } from 'node:fs';
import { readLogRange } from '../../servers/training/log-line-reader.js';
import type { EventBus } from '../../events/event-bus.js';
import type { TrainingEndEvent } from '../../events/event-schema.js';
import { fingerprintFailure, fingerprintOf, type Fingerprint } from '../../failures/failure-fingerprint.js';
import { normaliseMessage } from '../../failures/normalise-message.js';
import type { SqliteDatabase } from '../../state/database.js';
import type { FailureMemory } from '../../state/failure-memory.js';
import { FailureSteps, type OpenFailedStep } from '../../state/failure-steps.js';
import { TrainingStore } from '../../state/training-store.js';
import { knownFixesText } from './known-fixes-text.js';
import { stepKeyOf } from './step-key.js';
import { agentExplanation } from './agent-explanation.js';
import { changesSince, snapshotWorkdir, type WorkdirChange } from './workdir-snapshot.js';

/** The end of a training job's log read to fingerprint its failure. */
const TRAINING_LOG_TAIL_BYTES = 256 * 1024;

export interface FailureTrackerOptions {
  memory: FailureMemory;
  /** The workdir's state database: open failed steps are kept there. */
  database: SqliteDatabase;
  runId: string;
  workdir: string;
  events: EventBus;
  /** Removes the run's known secrets from text before anything is fingerprinted or stored. */
  scrub: (text: string) => string;
  now?: () => Date;
}

/** One MCP tool call as the tracker looks at it. */
export interface TrackedToolCall {
  agent: string;
  delegationId: string;
  tool: string;
  input: Record<string, unknown>;
  text: string;
  isError: boolean;
  structured?: Record<string, unknown>;
}

interface Step {
  key: string;
  agent: string | null;
  delegationId: string | null;
  /** Steps that run something (a command, a script, a job) are compared with the workdir when they later succeed. */
  runsSomething: boolean;
}

/**
 * Failure memory at work in a run: every failed tool call, shell/Python job and training job is fingerprinted and
 * counted, and the agent gets the known fixes for it in the same tool result (no extra model call). When a step that
 * runs something fails, the workdir's source files are kept; when the same step later succeeds — or fails with another
 * error — what changed in between (the diff) and what the agent said meanwhile are recorded as a fix that worked; a
 * change after which the same error came back is recorded as a fix that did not work.
 */
export class FailureTracker {
  readonly #options: FailureTrackerOptions;
  readonly #steps: FailureSteps;
  /** Background jobs by `<tool prefix>:<job id>`: the step that started them. */
  readonly #jobs = new Map<string, Step>();
  readonly #judgedJobs = new Set<string>();

  constructor(options: FailureTrackerOptions) {
    this.#options = options;
    this.#steps = new FailureSteps(options.database);
  }

  /** After an MCP tool call: text to add to what the agent sees (known fixes), or ''. */
  afterToolCall(call: TrackedToolCall): string {
    const server = call.tool.split('__')[0] ?? call.tool;
    const step = this.#stepOf(call);
    const jobEnd = this.#jobEnd(server, call);
    if (jobEnd !== undefined) {
      if (jobEnd.failed) return this.#failed(jobEnd.step, call.text, { exitCode: jobEnd.exitCode, tool: call.tool });
      this.#succeeded(jobEnd.step);
      return '';
    }
    if (call.isError) return step === undefined ? this.#offerOnly(call.text, call.tool) : this.#failed(step, call.text, { tool: call.tool });
    if (step !== undefined) {
      this.#rememberJob(server, call, step);
      this.#succeeded(step);
    }
    return '';
  }

  /** A training job ended: text to add to the agents' notice (known fixes), or ''. */
  afterTrainingEnd(event: TrainingEndEvent): string {
    // After a restart the job is known from its record: the same step as when it was started.
    const command = new TrainingStore(this.#options.database).job(this.#options.runId, event.job_id)?.command ?? event.job_id;
    const step = this.#jobs.get(`training:${event.job_id}`) ?? { key: jobStepKey(command), agent: null, delegationId: null, runsSomething: true };
    if (event.classification === 'success') {
      this.#succeeded(step);
      return '';
    }
    if (event.classification === 'stopped') return '';
    const output = `${readTail(event.log_file, TRAINING_LOG_TAIL_BYTES)}\n${event.summary}`;
    return this.#failed(step, output, { exitCode: event.exit_code, signal: event.signal, tool: 'training' });
  }

  /**
   * An agent ended as stuck: counted under a fingerprint of kind `stuck` (its pattern, and the call it repeated or the
   * condition its completion was refused for), like any failure; returns the known fixes as text, or ''.
   */
  afterStuck(stuck: { pattern: string; subject: string; description: string }): string {
    const fingerprint = fingerprintOf({ kind: 'stuck', type: stuck.pattern.replace(/_/g, ' '), message: normaliseMessage(this.#options.scrub(stuck.subject)), frame: null });
    return this.#record(fingerprint, stuck.description);
  }

  #stepOf(call: TrackedToolCall): Step | undefined {
    const key = stepKeyOf(call.tool, call.input);
    if (key === undefined) return undefined;
    const runsSomething = typeof call.input.command === 'string' || typeof call.input.script === 'string';
    return { key, agent: call.agent, delegationId: call.delegationId, runsSomething };
  }

  /** A start_job / training start that succeeded: its job's end is judged later, as this step's outcome. */
  #rememberJob(server: string, call: TrackedToolCall, step: Step): void {
    const jobId = call.structured?.job_id;
    const command = call.structured?.command;
    if (typeof jobId !== 'string' || typeof command !== 'string' || !(call.tool.endsWith('__start_job') || call.tool.endsWith('__start'))) return;
    const prefix = call.tool.endsWith('__start') ? 'training' : server;
    this.#jobs.set(`${prefix}:${jobId}`, { ...step, key: jobStepKey(command) });
  }

  /** A job tool's result that shows a job of a known step ended by itself, once per job. */
  #jobEnd(server: string, call: TrackedToolCall): { step: Step; failed: boolean; exitCode: number | null } | undefined {
    const structured = call.structured;
    if (structured === undefined || typeof structured.job_id !== 'string' || structured.running !== false || structured.state !== 'exited') return undefined;
    const id = `${server}:${structured.job_id}`;
    const step = this.#jobs.get(id);
    if (step === undefined || this.#judgedJobs.has(id)) return undefined;
    this.#judgedJobs.add(id);
    const exitCode = typeof structured.exit_code === 'number' ? structured.exit_code : null;
    return { step, failed: exitCode !== 0, exitCode };
  }

  /** A failure of a tool call that is no step (a Python snippet): counted, and answered with known fixes. */
  #offerOnly(text: string, tool: string): string {
    const fingerprint = this.#fingerprint(text, { tool });
    return fingerprint === undefined ? '' : this.#record(fingerprint, text);
  }

  #failed(step: Step, output: string, context: { exitCode?: number | null; signal?: string | null; tool: string }): string {
    const fingerprint = this.#fingerprint(output, context);
    if (fingerprint === undefined) return '';
    const offered = this.#record(fingerprint, output);
    if (!step.runsSomething) return offered;
    const now = this.#now();
    const open = this.#steps.open(this.#options.runId, step.key);
    if (open !== undefined) {
      const change = changesSince(this.#options.workdir, open.snapshot, new Date(open.failedAt));
      // Another error now: the change dealt with the first one. The same one after a change: that change did not.
      if (open.fingerprint !== fingerprint.id) this.#recordFix(open, change, 'worked');
      else if (change.diff !== null) this.#recordFix(open, change, 'failed');
    }
    this.#steps.record(this.#options.runId, {
      stepKey: step.key,
      fingerprint: fingerprint.id,
      agent: step.agent,
      delegationId: step.delegationId,
      failedAt: now.toISOString(),
      snapshot: snapshotWorkdir(this.#options.workdir),
    });
    return offered;
  }

  #succeeded(step: Step): void {
    if (!step.runsSomething) return;
    const open = this.#steps.open(this.#options.runId, step.key);
    if (open === undefined) return;
    const change = changesSince(this.#options.workdir, open.snapshot, new Date(open.failedAt));
    const uid = this.#recordFix(open, change, 'worked');
    this.#steps.resolve(open.id, this.#now().toISOString(), uid);
  }

  #fingerprint(output: string, context: { exitCode?: number | null; signal?: string | null; tool: string }): Fingerprint | undefined {
    return fingerprintFailure(this.#options.scrub(output), context);
  }

  /** Counts the failure and returns the known fixes as text for the agent. */
  #record(fingerprint: Fingerprint, output: string): string {
    const { memory } = this.#options;
    const failure = memory.recordOccurrence(signatureOf(fingerprint), this.#options.scrub(output), this.#now().toISOString());
    return knownFixesText(fingerprint.id, failure, memory.fixesFor(fingerprint.id));
  }

  #recordFix(open: OpenFailedStep, change: WorkdirChange, outcome: 'worked' | 'failed'): string {
    const { memory, runId } = this.#options;
    const failure = memory.workdir.failure(open.fingerprint);
    if (failure === undefined) return '';
    const explanation = agentExplanation(this.#options.database, runId, open.delegationId, open.failedAt);
    const fix = memory.recordFix(
      {
        fingerprint: open.fingerprint,
        description: describeChange(change),
        explanation: explanation === undefined ? null : this.#options.scrub(explanation),
        files: change.files,
        diff: change.diff === null ? null : this.#options.scrub(change.diff),
        source: 'runtime',
        runId,
        outcome,
        at: this.#now().toISOString(),
      },
      failure,
      failure.example,
    );
    return fix.uid;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

/** A background job's step: its command, whichever server ran it. */
function jobStepKey(command: string): string {
  return `job:${command.trim()}`;
}

function signatureOf(fingerprint: Fingerprint) {
  const { kind, type, message, frame } = fingerprint.signature;
  return { fingerprint: fingerprint.id, kind, type, message, frame };
}

function describeChange(change: WorkdirChange): string {
  if (change.files.length === 0) return 'Ran again with no change to the workdir\'s source files (a transient failure, or a change outside the workdir: packages, environment, hardware)';
  const shown = change.files.slice(0, 5).join(', ');
  return `Changed ${shown}${change.files.length > 5 ? ` and ${change.files.length - 5} more` : ''}`;
}

/** The last `bytes` of a file as text; '' when it cannot be read. */
function readTail(file: string, bytes: number): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return '';
  }
  return readLogRange(file, Math.max(0, size - bytes), size);
}
