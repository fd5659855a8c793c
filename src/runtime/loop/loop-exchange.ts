import type { KeyObject } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GoalLoop } from '../../config/goal-loop.js';
import { describeError, MuxSwarmError } from '../../errors/mux-swarm-error.js';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import type { MetricSource as HubMetricSource } from '../../hub/metric-reader.js';
import type { EvaluationSpec } from '../../hub/evaluation.js';
import type { ExperimentItem, ExperimentJob } from '../../hub/experiment-queue.js';
import { git } from '../../hub/git.js';
import { prepareBreakthrough, type PreparedBreakthrough } from '../../hub/prepare-breakthrough.js';
import { verifyBreakthrough, type BreakthroughCandidate, type BreakthroughExchange, type VerificationOutcome } from '../../hub/verify-breakthrough.js';
import { appendExperimentResult, readExperimentResults, type ExperimentLine, type ExperimentResults } from '../../state/experiment-results.js';
import { clipText, oneLine } from '../recovery/report-text.js';
import type { LoopContext } from './loop-context.js';
import { loopStanding } from './loop-standing.js';

/**
 * What the experiment loop shares with other nodes (`run --hub` / `run --remote`). The loop calls it at three
 * points only: after each iteration's result line (`afterIteration`), between iterations (`betweenIterations`,
 * never while one runs: adoption moves the branch), and at the end, however the loop ends (`close`).
 */
export interface LoopExchange {
  /** Records a measured iteration as a result; publishes a kept one as a breakthrough (base..commit). */
  afterIteration(line: ExperimentLine, base: string): Promise<void>;
  /** Verifies pending breakthroughs best-first, adopts what reproduces (one results line each); the log as it is then. */
  betweenIterations(results: ExperimentResults): Promise<ExperimentResults>;
  /** The next change another node proposed (a work item of the queue), taken for this iteration; undefined when none. */
  takeSuggestion(): Promise<SuggestedExperiment | undefined>;
  /** The iteration that tried a suggestion wrote its result line (the item is completed), or failed before (retried elsewhere). */
  finishSuggestion(suggestion: SuggestedExperiment, line: ExperimentLine | undefined, problem?: string): Promise<void>;
  /** Changes the orchestrator proposed besides the one it made (`Also try:` lines), queued for any node to try. */
  propose(hypotheses: readonly string[], base: string): Promise<void>;
  close(): Promise<void>;
}

/** A change proposed by a node, taken from the queue of work items. */
export interface SuggestedExperiment {
  id: string;
  hypothesis: string;
  /** The node that proposed it. */
  from: string;
}

/** The queue of experiments to try (the hub's pg-boss queue); a git remote has none. */
export interface WorkItemQueue {
  enqueue(item: ExperimentItem): Promise<string>;
  fetch(): Promise<ExperimentJob | undefined>;
  complete(id: string, output: Record<string, unknown>): Promise<void>;
  fail(id: string, problem: string): Promise<void>;
}

/** Opens the exchange once the loop's workdir is a git repository (RunDependencies.loopExchange). */
export interface LoopExchangeOpener {
  open(context: LoopContext): Promise<LoopExchange>;
}

/** Who this node is and how it signs. */
export interface NodeIdentity {
  node: string;
  privateKey: KeyObject;
}

/** Where a breakthrough goes and where pending ones come from: the hub, or a shared git remote. */
export interface BreakthroughTransport {
  /** The verification side (keys, seen claims, fetching, recording verifications). */
  exchange: BreakthroughExchange;
  /** The next breakthrough from another node this node has not verified yet, best claimed metric first. */
  nextPending(): Promise<BreakthroughCandidate | undefined>;
  publish(prepared: PreparedBreakthrough): Promise<string>;
  /** Records a measured experiment where the swarm sees it (the hub's results table); absent: not recorded. */
  recordResult?(line: ExperimentLine & { metric: number }, base: string, evaluation: EvaluationSpec): Promise<void>;
  /** Experiments proposed by nodes for any node to try; absent: no work items. */
  workItems?: WorkItemQueue;
  close(): Promise<void>;
}

/** The loop's metric source in the hub's terms: `{json, field}` is `json-file`, `{log, regex}` is `log-file`. */
function hubSource(loop: GoalLoop): HubMetricSource {
  const from = loop.metric.from;
  return from.kind === 'json' ? { kind: 'json-file', path: from.path, field: from.field } : { kind: 'log-file', path: from.path, pattern: from.regex };
}

/**
 * The evaluation every node runs, from the goal's `loop:`: its command (`/bin/sh -c`, as the loop runs it), its
 * metric and `from`, its command timeout. The evaluation script whose hash goes into claims is the first word of
 * the command that names a file of the workdir (`python3 experiment.py` → `experiment.py`).
 */
export function evaluationSpecFor(loop: GoalLoop, workdir: string): EvaluationSpec {
  const command = loop.command;
  if (command === undefined) throw new MuxSwarmError('loop_exchange_needs_command', 'sharing breakthroughs (--hub/--remote) needs loop.command: peers re-run it to verify a claim');
  const script = command
    .split(/\s+/)
    .map((word) => word.replace(/^['"]|['"]$/g, '').replace(/^\.\//, ''))
    .find((word) => word !== '' && !word.startsWith('-') && !word.startsWith('/') && existsSync(join(workdir, word)) && statSync(join(workdir, word)).isFile());
  if (script === undefined) throw new MuxSwarmError('loop_exchange_no_script', `loop.command \`${command}\` names no file of the workdir: sharing breakthroughs hashes the evaluation script into each claim, so name it (e.g. \`python3 experiment.py\`)`);
  return { command: ['/bin/sh', '-c', command], script, metric: { name: loop.metric.name, direction: loop.metric.direction }, source: hubSource(loop), timeoutMs: loop.commandTimeout };
}

/** The seeds a node measures with: as many as the loop's baseline repeats (1, 2, …). */
export function seedsFor(loop: GoalLoop): number[] {
  return Array.from({ length: loop.command === undefined ? 1 : loop.baselineRepeats }, (_, index) => index + 1);
}

/** The exchange over a transport: the same publish/verify/adopt steps for the hub and for a git remote. */
export class TransportLoopExchange implements LoopExchange {
  private readonly evaluation: EvaluationSpec;
  private readonly seeds: number[];

  constructor(
    private readonly context: LoopContext,
    private readonly identity: NodeIdentity,
    private readonly transport: BreakthroughTransport,
  ) {
    this.evaluation = evaluationSpecFor(context.loop, context.workdirRealPath);
    this.seeds = seedsFor(context.loop);
  }

  async afterIteration(line: ExperimentLine, base: string): Promise<void> {
    if (line.metric === null) return;
    const measured = { ...line, metric: line.metric };
    try {
      await this.transport.recordResult?.(measured, base, this.evaluation);
    } catch (error) {
      this.warn(`could not record iteration ${line.iteration}'s result on the exchange: ${describeError(error)}`);
    }
    if (line.decision !== 'kept' || line.commit === null) return;
    const { loop, workdirRealPath } = this.context;
    try {
      const prepared = await prepareBreakthrough({
        repo: workdirRealPath,
        node: this.identity.node,
        privateKey: this.identity.privateKey,
        base,
        commit: line.commit,
        metric: { name: loop.metric.name, value: line.metric, direction: loop.metric.direction },
        seeds: this.seeds,
        evaluation: this.evaluation,
      });
      await this.transport.publish(prepared);
    } catch (error) {
      this.warn(`could not publish iteration ${line.iteration}'s kept change as a breakthrough: ${describeError(error)}`);
    }
  }

  async betweenIterations(results: ExperimentResults): Promise<ExperimentResults> {
    const { run, loop, resultsPath, workdirRealPath } = this.context;
    for (;;) {
      run.throwIfStopped();
      let candidate: BreakthroughCandidate | undefined;
      let outcome: VerificationOutcome;
      const standing = loopStanding(results, loop.margin);
      const startedAt = run.isoNow();
      try {
        candidate = await this.transport.nextPending();
        if (candidate === undefined) return results;
        outcome = await verifyBreakthrough(this.transport.exchange, candidate, {
          repo: workdirRealPath,
          node: this.identity.node,
          privateKey: this.identity.privateKey,
          allowedPaths: loop.paths ?? ['**'],
          evaluation: this.evaluation,
          seeds: this.seeds,
          minSeeds: this.seeds.length,
          noiseMargin: standing.margin,
          ...(standing.best === undefined ? {} : { localBest: standing.best.metric }),
        });
      } catch (error) {
        // Not a rejection (those are outcomes): this node cannot verify now. The next pause between iterations tries again.
        this.warn(`could not verify ${candidate ? `breakthrough ${candidate.id}` : 'pending breakthroughs'}: ${describeError(error)}`);
        return results;
      }
      const from = outcome.verification.statement.claim_node || 'another node';
      if (outcome.verdict === 'rejected' || outcome.adoptedCommit === null || outcome.measured === null) {
        this.warn(`rejected breakthrough ${outcome.breakthrough} from ${from}: ${outcome.reason}`);
        continue;
      }
      const subject = await git(workdirRealPath, ['log', '-1', '--format=%s', outcome.adoptedCommit], { allowFailure: true });
      const endedAt = run.isoNow();
      appendExperimentResult(resultsPath, {
        kind: 'experiment',
        iteration: (results.experiments.at(-1)?.iteration ?? 0) + 1,
        commit: outcome.adoptedCommit,
        metric: outcome.measured.mean,
        decision: 'kept',
        reason: `adopted from ${from} (breakthrough ${outcome.breakthrough}): ${clipText(oneLine(outcome.reason), 300)}`,
        hypothesis: clipText(oneLine(subject.stdout.trim().replace(/^mux-swarm experiment \d+: /, '')) || `breakthrough ${outcome.breakthrough} of ${from}`, 200),
        costUsd: 0,
        durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
        startedAt,
        endedAt,
      });
      results = readExperimentResults(resultsPath);
    }
  }

  async takeSuggestion(): Promise<SuggestedExperiment | undefined> {
    const queue = this.transport.workItems;
    if (queue === undefined) return undefined;
    try {
      for (;;) {
        const job = await queue.fetch();
        if (job === undefined) return undefined;
        if (job.data.hypothesis?.trim()) return { id: job.id, hypothesis: job.data.hypothesis.trim(), from: job.data.requested_by ?? 'another node' };
        await queue.complete(job.id, { skipped: 'no hypothesis to try' });
      }
    } catch (error) {
      this.warn(`could not take a proposed experiment from the queue: ${describeError(error)}`);
      return undefined;
    }
  }

  async finishSuggestion(suggestion: SuggestedExperiment, line: ExperimentLine | undefined, problem?: string): Promise<void> {
    const queue = this.transport.workItems;
    if (queue === undefined) return;
    try {
      if (line === undefined) await queue.fail(suggestion.id, problem ?? 'the iteration ended without a result');
      else await queue.complete(suggestion.id, { iteration: line.iteration, commit: line.commit, metric: line.metric, decision: line.decision, reason: line.reason });
    } catch (error) {
      this.warn(`could not finish work item ${suggestion.id}: ${describeError(error)}`);
    }
  }

  async propose(hypotheses: readonly string[], base: string): Promise<void> {
    const queue = this.transport.workItems;
    if (queue === undefined) return;
    for (const [index, hypothesis] of hypotheses.entries()) {
      try {
        await queue.enqueue({ experiment_id: `${this.context.run.runId}/${this.identity.node}/${Date.now()}-${index}`, hypothesis, base_commit: base });
      } catch (error) {
        this.warn(`could not queue the proposed experiment "${clipText(hypothesis, 80)}": ${describeError(error)}`);
      }
    }
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private warn(message: string): void {
    this.context.run.events.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message });
  }
}
