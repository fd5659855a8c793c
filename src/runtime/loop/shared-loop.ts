import { describeError } from '../../errors/mux-swarm-error.js';
import { RUNTIME_AGENT } from '../../events/event-schema.js';
import {
  appendExperimentResult,
  readExperimentResults,
  type ExperimentLine,
  type ExperimentResults,
} from '../../state/experiment-results.js';
import { clipText, oneLine } from '../recovery/report-text.js';
import type { LoopContext } from './loop-context.js';
import type { LoopExchange, PendingBreakthrough } from './loop-exchange.js';
import { loopStanding } from './loop-standing.js';

/** A change proposed by a node, taken from the queue of work items. */
export interface SuggestedExperiment {
  id: string;
  hypothesis: string;
  /** The node that proposed it. */
  from: string;
}

/** The loop's side of sharing, over the exchange cli/ passed in; undefined when the run shares nothing. */
export async function openSharedLoop(context: LoopContext): Promise<SharedLoop | undefined> {
  const opener = context.run.dependencies.loopExchange;
  if (opener === undefined) return undefined;
  const exchange = await opener.open({
    runId: context.run.runId,
    loop: context.loop,
    workdirRealPath: context.workdirRealPath,
  });
  return new SharedLoop(context, exchange);
}

/**
 * What the experiment loop shares with other nodes. The loop calls it at three points only: after each
 * iteration's result line (`afterIteration`), between iterations (`betweenIterations`, never while one runs:
 * adoption moves the branch), and at the end, however the loop ends (`close`). An exchange that fails is a
 * warning, never the loop's end: this node goes on alone and tries again at the next point.
 */
export class SharedLoop {
  constructor(
    private readonly context: LoopContext,
    private readonly exchange: LoopExchange,
  ) {}

  /** Records a measured iteration as a result; publishes a kept one as a breakthrough (base..commit). */
  async afterIteration(line: ExperimentLine, base: string): Promise<void> {
    if (line.metric === null) return;
    const measured = { ...line, metric: line.metric };
    try {
      await this.exchange.recordResult?.(measured, base);
    } catch (error) {
      this.warn(`could not record iteration ${line.iteration}'s result on the exchange: ${describeError(error)}`);
    }
    if (line.decision !== 'kept' || line.commit === null) return;
    try {
      await this.exchange.publish({ ...measured, commit: line.commit }, base);
    } catch (error) {
      this.warn(
        `could not publish iteration ${line.iteration}'s kept change as a breakthrough: ${describeError(error)}`,
      );
    }
  }

  /** Verifies pending breakthroughs best-first, adopts what reproduces (one results line each); the log as it is then. */
  async betweenIterations(results: ExperimentResults): Promise<ExperimentResults> {
    const { run, loop, resultsPath } = this.context;
    for (;;) {
      run.throwIfStopped();
      let pending: PendingBreakthrough | undefined;
      const standing = loopStanding(results, loop.margin);
      const startedAt = run.isoNow();
      let outcome;
      try {
        pending = await this.exchange.nextPending();
        if (pending === undefined) return results;
        outcome = await pending.verify({
          margin: standing.margin,
          ...(standing.best === undefined ? {} : { best: standing.best.metric }),
        });
      } catch (error) {
        // Not a rejection (those are outcomes): this node cannot verify now. The next pause between iterations tries again.
        this.warn(
          `could not verify ${pending ? `breakthrough ${pending.id}` : 'pending breakthroughs'}: ${describeError(error)}`,
        );
        return results;
      }
      const from = outcome.from || 'another node';
      if (outcome.verdict === 'rejected') {
        this.warn(`rejected breakthrough ${outcome.breakthrough} from ${from}: ${outcome.reason}`);
        continue;
      }
      const endedAt = run.isoNow();
      appendExperimentResult(resultsPath, {
        kind: 'experiment',
        iteration: (results.experiments.at(-1)?.iteration ?? 0) + 1,
        commit: outcome.commit,
        metric: outcome.metric,
        decision: 'kept',
        reason: `adopted from ${from} (breakthrough ${outcome.breakthrough}): ${clipText(oneLine(outcome.reason), 300)}`,
        hypothesis: clipText(
          oneLine(outcome.subject.trim().replace(/^mux-swarm experiment \d+: /, '')) ||
            `breakthrough ${outcome.breakthrough} of ${from}`,
          200,
        ),
        costUsd: 0,
        durationMs: Math.max(0, Date.parse(endedAt) - Date.parse(startedAt)),
        startedAt,
        endedAt,
      });
      results = readExperimentResults(resultsPath);
    }
  }

  /** The next change another node proposed (a work item of the queue), taken for this iteration; undefined when none. */
  async takeSuggestion(): Promise<SuggestedExperiment | undefined> {
    const queue = this.exchange.workItems;
    if (queue === undefined) return undefined;
    try {
      for (;;) {
        const job = await queue.fetch();
        if (job === undefined) return undefined;
        if (job.data.hypothesis?.trim())
          return { id: job.id, hypothesis: job.data.hypothesis.trim(), from: job.data.requested_by ?? 'another node' };
        await queue.complete(job.id, { skipped: 'no hypothesis to try' });
      }
    } catch (error) {
      this.warn(`could not take a proposed experiment from the queue: ${describeError(error)}`);
      return undefined;
    }
  }

  /** The iteration that tried a suggestion wrote its result line (the item is completed), or failed before (retried elsewhere). */
  async finishSuggestion(
    suggestion: SuggestedExperiment,
    line: ExperimentLine | undefined,
    problem?: string,
  ): Promise<void> {
    const queue = this.exchange.workItems;
    if (queue === undefined) return;
    try {
      if (line === undefined) await queue.fail(suggestion.id, problem ?? 'the iteration ended without a result');
      else
        await queue.complete(suggestion.id, {
          iteration: line.iteration,
          commit: line.commit,
          metric: line.metric,
          decision: line.decision,
          reason: line.reason,
        });
    } catch (error) {
      this.warn(`could not finish work item ${suggestion.id}: ${describeError(error)}`);
    }
  }

  /** Changes the orchestrator proposed besides the one it made (`Also try:` lines), queued for any node to try. */
  async propose(hypotheses: readonly string[], base: string): Promise<void> {
    const queue = this.exchange.workItems;
    if (queue === undefined) return;
    for (const [index, hypothesis] of hypotheses.entries()) {
      try {
        await queue.enqueue({
          experiment_id: `${this.context.run.runId}/${this.exchange.node}/${Date.now()}-${index}`,
          hypothesis,
          base_commit: base,
        });
      } catch (error) {
        this.warn(`could not queue the proposed experiment "${clipText(hypothesis, 80)}": ${describeError(error)}`);
      }
    }
  }

  close(): Promise<void> {
    return this.exchange.close();
  }

  private warn(message: string): void {
    this.context.run.events.emit({ type: 'system', subtype: 'warning', agent: RUNTIME_AGENT, message });
  }
}
