import type { GoalLoop } from '../../config/goal-loop.js';
import type { ExperimentLine } from '../../state/experiment-results.js';

/**
 * What the experiment loop needs from an exchange with other nodes (`run --hub` / `run --remote`). Runtime owns
 * this interface and knows nothing of what is behind it: the PostgreSQL hub and the git remote implement it
 * (outside runtime), and cli/ opens the one asked for and passes it in (RunDependencies.loopExchange). A method that
 * throws leaves the loop running: it warns and tries again at the next point (src/runtime/loop/shared-loop.ts).
 */
export interface LoopExchange {
  /** The name this node signs its claims with. */
  readonly node: string;
  /** Records a measured iteration where the swarm sees it (the hub's results table); absent: not recorded. */
  recordResult?(line: MeasuredLine, base: string): Promise<void>;
  /** Publishes a kept change (`base..line.commit`) as this node's signed breakthrough. */
  publish(line: KeptLine, base: string): Promise<void>;
  /** The next breakthrough from another node this node has not verified yet, best claimed metric first; undefined when none. */
  nextPending(): Promise<PendingBreakthrough | undefined>;
  /** Experiments proposed by nodes for any node to try; absent: no work items (a git remote has none). */
  workItems?: WorkItemQueue;
  close(): Promise<void>;
}

/** A result line with a metric. */
export type MeasuredLine = ExperimentLine & { metric: number };
/** A result line whose change was kept: its commit is the breakthrough's head. */
export type KeptLine = MeasuredLine & { commit: string };

/** Where this node stands when it judges another node's claim: a claim must beat `best` by more than `margin`. */
export interface LocalStanding {
  margin: number;
  best?: number;
}

/** A breakthrough of another node, not verified here yet. */
export interface PendingBreakthrough {
  id: string;
  /**
   * Re-measures it in a scratch checkout and records the verdict where the swarm sees it; when it reproduces and
   * beats `standing`, moves the workdir's branch to it (adopted). A rejection is a verdict; a throw is "not now".
   */
  verify(standing: LocalStanding): Promise<BreakthroughVerdict>;
}

/** What verifying a breakthrough decided; `from` names the node that claimed it. */
export type BreakthroughVerdict =
  | { verdict: 'rejected'; breakthrough: string; from: string; reason: string }
  | {
      verdict: 'adopted';
      breakthrough: string;
      from: string;
      reason: string;
      commit: string;
      metric: number;
      subject: string;
    };

/** The queue of experiments to try (the hub's pg-boss queue). Items keep the queue's field names: they are its stored job data. */
export interface WorkItemQueue {
  enqueue(item: WorkItem): Promise<string>;
  fetch(): Promise<{ id: string; data: WorkItem } | undefined>;
  complete(id: string, output: Record<string, unknown>): Promise<void>;
  fail(id: string, problem: string): Promise<void>;
}

/** A change proposed for any node to try. */
export interface WorkItem {
  experiment_id: string;
  hypothesis?: string;
  /** The commit to start from. */
  base_commit?: string;
  /** The node that proposed it. */
  requested_by?: string;
}

/** What an exchange is opened for: this run's loop, in its workdir (a git repository by then, a real path). */
export interface ExchangeSite {
  runId: string;
  loop: GoalLoop;
  workdirRealPath: string;
}

/** Opens the exchange once the loop's workdir is a git repository (RunDependencies.loopExchange). */
export interface LoopExchangeOpener {
  open(site: ExchangeSite): Promise<LoopExchange>;
}
