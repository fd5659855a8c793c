import type { KeyObject } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { measurementRepeats, type GoalLoop } from '../config/goal-loop.js';
import { MuxSwarmError } from '../errors/mux-swarm-error.js';
import type { ExperimentLine } from '../state/experiment-results.js';
import type { EvaluationSpec } from './evaluation.js';
import type { ExperimentItem, ExperimentJob } from './experiment-queue.js';
import { git } from './git.js';
import { prepareBreakthrough, type PreparedBreakthrough } from './prepare-breakthrough.js';
import { verifyBreakthrough, type BreakthroughCandidate, type BreakthroughExchange } from './verify-breakthrough.js';

/** Who this node is and how it signs. */
export interface NodeIdentity {
  node: string;
  privateKey: KeyObject;
}

/** The loop a node shares: the goal's `loop:`, run in this workdir (a git repository, a real path) by this run. */
export interface SharingSite {
  runId: string;
  loop: GoalLoop;
  workdirRealPath: string;
}

/** The queue of experiments to try (the PostgreSQL hub's pg-boss queue); a git remote has none. */
export interface WorkItemQueue {
  enqueue(item: ExperimentItem): Promise<string>;
  fetch(): Promise<ExperimentJob | undefined>;
  complete(id: string, output: Record<string, unknown>): Promise<void>;
  fail(id: string, problem: string): Promise<void>;
}

/** Where a breakthrough goes and where pending ones come from: the PostgreSQL hub, or a shared git remote. */
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

/** What verifying a pending breakthrough decided, as the loop records it. */
export type SharingVerdict =
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

/**
 * The evaluation every node runs, from the goal's `loop:`: its command (`/bin/sh -c`, as the loop runs it), its
 * metric and `from`, its command timeout. The evaluation script whose hash goes into claims is the first word of
 * the command that names a file of the workdir (`python3 experiment.py` → `experiment.py`).
 */
export function evaluationSpecFor(loop: GoalLoop, workdir: string): EvaluationSpec {
  const command = loop.command;
  if (command === undefined)
    throw new MuxSwarmError(
      'loop_exchange_needs_command',
      'sharing breakthroughs (--hub/--remote) needs loop.command: peers re-run it to verify a claim',
    );
  const script = command
    .split(/\s+/)
    .map((word) => word.replace(/^['"]|['"]$/g, '').replace(/^\.\//, ''))
    .find(
      (word) =>
        word !== '' &&
        !word.startsWith('-') &&
        !word.startsWith('/') &&
        existsSync(join(workdir, word)) &&
        statSync(join(workdir, word)).isFile(),
    );
  if (script === undefined)
    throw new MuxSwarmError(
      'loop_exchange_no_script',
      `loop.command \`${command}\` names no file of the workdir: sharing breakthroughs hashes the evaluation script into each claim, so name it (e.g. \`python3 experiment.py\`)`,
    );
  return {
    command: ['/bin/sh', '-c', command],
    script,
    metric: { name: loop.metric.name, direction: loop.metric.direction },
    source: loop.metric.from,
    timeoutMs: loop.commandTimeout,
  };
}

/** The seeds a node measures with: as many as the loop measures its baseline (1, 2, …). */
export function seedsFor(loop: GoalLoop): number[] {
  return Array.from({ length: measurementRepeats(loop) }, (_, index) => index + 1);
}

/**
 * A loop's sharing over a transport: the same publish/verify/adopt steps for the PostgreSQL hub and for a git
 * remote. Its shape is the runtime's LoopExchange (src/runtime/loop/loop-exchange.ts), which cli/ passes it as;
 * this folder does not import the runtime, so the compiler checks the match there.
 */
export class LoopSharing {
  readonly node: string;
  readonly workItems: WorkItemQueue | undefined;
  private readonly evaluation: EvaluationSpec;
  private readonly seeds: number[];

  /** Throws when the goal's loop cannot be shared (no command, no evaluation script): the caller closes the transport. */
  constructor(
    private readonly site: SharingSite,
    private readonly identity: NodeIdentity,
    private readonly transport: BreakthroughTransport,
  ) {
    this.node = identity.node;
    this.workItems = transport.workItems;
    this.evaluation = evaluationSpecFor(site.loop, site.workdirRealPath);
    this.seeds = seedsFor(site.loop);
  }

  async recordResult(line: ExperimentLine & { metric: number }, base: string): Promise<void> {
    await this.transport.recordResult?.(line, base, this.evaluation);
  }

  async publish(line: ExperimentLine & { metric: number; commit: string }, base: string): Promise<void> {
    const { loop, workdirRealPath } = this.site;
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
  }

  async nextPending(): Promise<
    { id: string; verify(standing: { margin: number; best?: number }): Promise<SharingVerdict> } | undefined
  > {
    const candidate = await this.transport.nextPending();
    return candidate === undefined
      ? undefined
      : { id: candidate.id, verify: (standing) => this.verify(candidate, standing) };
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  private async verify(
    candidate: BreakthroughCandidate,
    standing: { margin: number; best?: number },
  ): Promise<SharingVerdict> {
    const { loop, workdirRealPath } = this.site;
    const outcome = await verifyBreakthrough(this.transport.exchange, candidate, {
      repo: workdirRealPath,
      node: this.identity.node,
      privateKey: this.identity.privateKey,
      allowedPaths: loop.paths ?? ['**'],
      evaluation: this.evaluation,
      seeds: this.seeds,
      minSeeds: this.seeds.length,
      noiseMargin: standing.margin,
      ...(standing.best === undefined ? {} : { localBest: standing.best }),
    });
    const verdict = {
      breakthrough: outcome.breakthrough,
      from: outcome.verification.statement.claim_node,
      reason: outcome.reason,
    };
    if (outcome.verdict === 'rejected' || outcome.adoptedCommit === null || outcome.measured === null)
      return { verdict: 'rejected', ...verdict };
    const subject = await git(workdirRealPath, ['log', '-1', '--format=%s', outcome.adoptedCommit], {
      allowFailure: true,
    });
    return {
      verdict: 'adopted',
      ...verdict,
      commit: outcome.adoptedCommit,
      metric: outcome.measured.mean,
      subject: subject.stdout,
    };
  }
}
