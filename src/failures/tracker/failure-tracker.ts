import type { EventBus } from '../../events/event-bus.js';
import type { TrainingEndEvent } from '../../events/event-schema.js';
import { fingerprintFailure, fingerprintOf, type Fingerprint } from '../failure-fingerprint.js';
import { normaliseMessage } from '../normalise-message.js';
import type { SqliteDatabase } from '../../state/database.js';
import type { FailureMemory } from '../failure-memory.js';
import { FailureJobEnds } from '../../state/failure-job-ends.js';
import { FailureSteps, type FailedStep, type LaunchRef } from '../../state/failure-steps.js';
import type { FailureRecord } from '../../state/failure-records.js';
import { TrainingStore } from '../../state/training-store.js';
import { agentExplanation } from './agent-explanation.js';
import { AgentWrites } from './agent-writes.js';
import {
  jobEndInResult,
  jobEndOfTraining,
  jobOutput,
  startedJobKey,
  trainingJobKey,
  type JobEnd,
  type LogRangeReader,
} from './job-end.js';
import { knownFixesText } from './known-fixes-text.js';
import { isJobStart, stepKeyOf } from './step-key.js';
import { changesSince, snapshotWorkdir, type WorkdirChange } from './workdir-snapshot.js';

export interface FailureTrackerOptions {
  memory: FailureMemory;
  /** The workdir's state database: failed steps and judged job ends are kept there. */
  database: SqliteDatabase;
  runId: string;
  workdir: string;
  events: EventBus;
  /** Removes the run's known secrets from text before anything is fingerprinted or stored. */
  scrub: (text: string) => string;
  /** Reads a job's log, whichever server wrote it: the runtime passes the training server's reader (failures/ sits below servers/). */
  readLog: LogRangeReader;
  now?: () => Date;
}

/** One MCP tool call as the tracker looks at it. */
export interface TrackedToolCall {
  agent: string;
  delegationId: string;
  /** The call's journal id: the launch it is, when it runs something. */
  callId: string;
  tool: string;
  input: Record<string, unknown>;
  text: string;
  isError: boolean;
  structured?: Record<string, unknown>;
}

/** A tool call about to run. */
export interface StartingToolCall {
  agent: string;
  delegationId: string;
  callId: string;
  tool: string;
  input: Record<string, unknown>;
  /** The tool says it changes nothing (MCP readOnlyHint). */
  readOnly: boolean;
}

interface Launch {
  stepKey: string;
  agent: string | null;
  delegationId: string | null;
  /** The launch's own id: the call, or the job it started. */
  id: string;
  /** How to find the failed step this launch closed. */
  ref: LaunchRef;
}

/**
 * Failure memory at work in a run. Every failure is fingerprinted and counted once, and the agent gets the known fixes
 * for it in the tool result (or the notice) that reports it — no extra model call. A job's failure is fingerprinted
 * from the job's own output, once, whichever tool result or notice reported its end first.
 *
 * A failure of a launch — a call that runs a command or script, or a job — opens a failed step, with the workdir's
 * source files at that moment. The next launch of the same step closes it, once, with what the agents changed since
 * (files their tool calls wrote; not what jobs wrote meanwhile). That launch's outcome judges the change: it got past
 * the error (success, or another error) → a fix that worked; the same error again → a fix that did not. With no
 * change, it is a retry observation on the failure (possibly transient, or not), never a fix.
 */
export class FailureTracker {
  readonly #options: FailureTrackerOptions;
  readonly #steps: FailureSteps;
  readonly #jobEnds: FailureJobEnds;
  readonly #writes = new AgentWrites();
  /** Jobs started in this process: the launch each is. */
  readonly #jobs = new Map<string, Launch>();
  /** Step keys whose failures wait for a relaunch (loaded on first use), so most calls cost no query. */
  #awaiting: Set<string> | undefined;

  constructor(options: FailureTrackerOptions) {
    this.#options = options;
    this.#steps = new FailureSteps(options.database);
    this.#jobEnds = new FailureJobEnds(options.database);
  }

  /** Before an MCP tool call runs: a launch of a failed step closes it with the change made since the failure. */
  beforeToolCall(call: StartingToolCall): void {
    this.#writes.begin(call.callId, call.readOnly);
    const key = stepKeyOf(call.tool, call.input);
    if (key === undefined || !this.#awaitingKeys().has(key)) return;
    const open = this.#steps.awaitingRelaunch(this.#options.runId, key);
    this.#awaitingKeys().delete(key);
    if (open === undefined) return;
    const change = this.#agentChange(open);
    this.#steps.relaunch(open.id, call.callId, this.#now().toISOString(), change);
  }

  /** After an MCP tool call: text to add to what the agent sees (known fixes), or ''. */
  afterToolCall(call: TrackedToolCall): string {
    this.#writes.end(call.callId);
    const server = call.tool.split('__')[0] ?? call.tool;
    const ended = jobEndInResult(server, call.structured);
    if (ended !== undefined) return this.#judgeJobEnd(ended);
    const key = stepKeyOf(call.tool, call.input);
    const launch: Launch | undefined =
      key === undefined
        ? undefined
        : {
            stepKey: key,
            agent: call.agent,
            delegationId: call.delegationId,
            id: call.callId,
            ref: { call: call.callId },
          };
    if (call.isError)
      return launch === undefined
        ? this.#offerOnly(call.text, call.tool)
        : this.#launchFailed(launch, call.text, { tool: call.tool });
    if (launch === undefined) return '';
    const jobKey = isJobStart(call.tool) ? startedJobKey(server, call.structured) : undefined;
    if (jobKey === undefined) {
      this.#launchSucceeded(launch);
      return '';
    }
    // A job started: its end, later, is this launch's outcome.
    this.#steps.attachJob(this.#options.runId, call.callId, jobKey);
    this.#jobs.set(jobKey, { ...launch, id: jobKey, ref: { job: jobKey } });
    return '';
  }

  /** A training job ended: text to add to the agents' notice (known fixes), or ''. */
  afterTrainingEnd(event: TrainingEndEvent): string {
    // After a restart the job is known from its record: the same step as when it was started.
    const command = this.#jobs.has(trainingJobKey(event.job_id))
      ? undefined
      : new TrainingStore(this.#options.database).job(this.#options.runId, event.job_id)?.command;
    return this.#judgeJobEnd(jobEndOfTraining(event, command));
  }

  /**
   * An agent ended as stuck: counted under a fingerprint of kind `stuck` (its pattern, and the call it repeated or the
   * condition its completion was refused for), like any failure; returns the known fixes as text, or ''.
   */
  afterStuck(stuck: { pattern: string; subject: string; description: string }): string {
    const fingerprint = fingerprintOf({
      kind: 'stuck',
      type: stuck.pattern.replace(/_/g, ' '),
      message: normaliseMessage(this.#options.scrub(stuck.subject)),
      frame: null,
    });
    return this.#record(fingerprint, stuck.description);
  }

  /**
   * A job's end, judged once: its failure is fingerprinted from its own log and counted, and closes or opens failed
   * steps, the first time any result or notice reports it; every report of a failed end gets its known fixes.
   */
  #judgeJobEnd(end: JobEnd): string {
    const { runId } = this.#options;
    const judged = this.#jobEnds.judged(runId, end.jobKey);
    if (judged !== undefined) return judged.fingerprint === null ? '' : this.#knownFixes(judged.fingerprint);
    // A job started before a restart: its step from what it runs, its launch from the failed step it closed.
    const launch = this.#jobs.get(end.jobKey) ?? {
      stepKey: end.command === undefined ? end.jobKey : `job:${end.command.trim()}`,
      agent: null,
      delegationId: null,
      id: end.jobKey,
      ref: { job: end.jobKey },
    };
    if (!end.failed) {
      this.#jobEnds.record(runId, end.jobKey, null, this.#now().toISOString());
      if (end.succeeded) this.#launchSucceeded(launch);
      return '';
    }
    const output = jobOutput(end, this.#options.readLog);
    const fingerprint = this.#fingerprint(output, { exitCode: end.exitCode, signal: end.signal, tool: 'job' });
    this.#jobEnds.record(runId, end.jobKey, fingerprint?.id ?? null, this.#now().toISOString());
    return fingerprint === undefined ? '' : this.#launchFailed(launch, output, { tool: 'job' }, fingerprint);
  }

  /** A failure of a tool call that is no launch (a file read, a Python snippet): counted, and answered with known fixes. */
  #offerOnly(text: string, tool: string): string {
    const fingerprint = this.#fingerprint(text, { tool });
    return fingerprint === undefined ? '' : this.#record(fingerprint, text);
  }

  #launchFailed(launch: Launch, output: string, context: { tool: string }, known?: Fingerprint): string {
    const fingerprint = known ?? this.#fingerprint(output, context);
    if (fingerprint === undefined) return '';
    const offered = this.#record(fingerprint, output);
    // Another error now: the change got past the first one. The same one again: it did not.
    this.#settle(launch, (closed) => (closed.fingerprint !== fingerprint.id ? 'worked' : 'failed'));
    const now = this.#now();
    this.#steps.record(this.#options.runId, {
      stepKey: launch.stepKey,
      fingerprint: fingerprint.id,
      agent: launch.agent,
      delegationId: launch.delegationId,
      failedAt: now.toISOString(),
      failedLaunch: launch.id,
      snapshot: snapshotWorkdir(this.#options.workdir, this.#options.scrub),
    });
    this.#awaitingKeys().add(launch.stepKey);
    return offered;
  }

  #launchSucceeded(launch: Launch): void {
    this.#settle(launch, () => 'worked');
  }

  /** Judges the change of the failed step this launch closed: a fix, or — with no change — a retry observation. */
  #settle(launch: Launch, judge: (closed: FailedStep) => 'worked' | 'failed'): void {
    const closed = this.#steps.closedBy(this.#options.runId, launch.ref);
    if (closed === undefined) return;
    const verdict = judge(closed);
    const change = closed.change ?? { files: [], diff: null };
    const at = this.#now().toISOString();
    const failure = this.#options.memory.workdir.failure(closed.fingerprint);
    if (failure === undefined) {
      this.#steps.settle(closed.id, verdict, at, null);
    } else if (change.diff === null) {
      this.#options.memory.recordRetry(failure, failure.example, verdict, at);
      this.#steps.settle(closed.id, verdict === 'worked' ? 'retry_worked' : 'retry_failed', at, null);
    } else {
      this.#steps.settle(closed.id, verdict, at, this.#recordFix(closed, failure, change, verdict, at));
    }
  }

  /** What the agents changed in the workdir's source files since the step failed (not what jobs wrote meanwhile). */
  #agentChange(open: FailedStep): WorkdirChange {
    const since = Date.parse(open.failedAt);
    return changesSince(
      this.#options.workdir,
      open.snapshot,
      new Date(since),
      (_relative, mtimeMs) => this.#writes.isAgents(mtimeMs, since),
      this.#options.scrub,
    );
  }

  #fingerprint(
    output: string,
    context: { exitCode?: number | null; signal?: string | null; tool: string },
  ): Fingerprint | undefined {
    return fingerprintFailure(this.#options.scrub(output), context);
  }

  /** Counts the failure and returns the known fixes as text for the agent. */
  #record(fingerprint: Fingerprint, output: string): string {
    this.#options.memory.recordOccurrence(
      signatureOf(fingerprint),
      this.#options.scrub(output),
      this.#now().toISOString(),
    );
    return this.#knownFixes(fingerprint.id);
  }

  #knownFixes(fingerprint: string): string {
    const { memory } = this.#options;
    return knownFixesText(fingerprint, memory.failure(fingerprint), memory.fixesFor(fingerprint));
  }

  #recordFix(
    closed: FailedStep,
    failure: FailureRecord,
    change: WorkdirChange,
    outcome: 'worked' | 'failed',
    at: string,
  ): string {
    const { memory, runId } = this.#options;
    const explanation = agentExplanation(this.#options.database, runId, closed.delegationId, closed.failedAt);
    const fix = memory.recordFix(
      {
        fingerprint: closed.fingerprint,
        description: describeChange(change),
        explanation: explanation === undefined ? null : this.#options.scrub(explanation),
        files: change.files,
        diff: change.diff === null ? null : this.#options.scrub(change.diff),
        source: 'runtime',
        runId,
        outcome,
        at,
      },
      failure,
      failure.example,
    );
    return fix.uid;
  }

  #awaitingKeys(): Set<string> {
    this.#awaiting ??= this.#steps.awaitingKeys(this.#options.runId);
    return this.#awaiting;
  }

  #now(): Date {
    return this.#options.now?.() ?? new Date();
  }
}

function signatureOf(fingerprint: Fingerprint) {
  const { kind, type, message, frame } = fingerprint.signature;
  return { fingerprint: fingerprint.id, kind, type, message, frame };
}

function describeChange(change: WorkdirChange): string {
  const shown = change.files.slice(0, 5).join(', ');
  return `Changed ${shown}${change.files.length > 5 ? ` and ${change.files.length - 5} more` : ''}`;
}
