import { createPublicKey } from 'node:crypto';
import { diffHash } from './commit-diff.js';
import { evalScriptHash, type EvaluationSpec } from './evaluation.js';
import { ExperimentQueue } from './experiment-queue.js';
import { PgHubClient } from './pg-hub-client.js';
import { PgHubExchange } from './pg-hub-exchange.js';
import { describeHardware } from './node-hardware.js';
import type { PreparedBreakthrough } from './prepare-breakthrough.js';
import type { BreakthroughCandidate } from './verify-breakthrough.js';
import type { ExperimentLine } from '../state/experiment-results.js';
import type { BreakthroughTransport, NodeIdentity, SharingSite } from './loop-sharing.js';

/**
 * `run --hub <url> --node <name>`: connects (the hub's schema must be initialised), registers this node's public
 * key (its claims are trusted once someone runs `hub allow`), and opens the experiments queue. Results go to the
 * results table, breakthroughs (claim + bundle) to the breakthroughs table, verifications to theirs.
 */
export async function openPgHubTransport(
  url: string,
  identity: NodeIdentity,
  site: SharingSite,
): Promise<BreakthroughTransport> {
  const hub = await PgHubClient.connect(url);
  let queue: ExperimentQueue | undefined;
  try {
    await hub.nodes.register(identity.node, createPublicKey(identity.privateKey));
    queue = await ExperimentQueue.open(url, { node: identity.node });
  } catch (error) {
    await hub.close().catch(() => undefined);
    throw error;
  }
  const exchange = new PgHubExchange(hub);
  const experiments = queue; // opened above, or this function has thrown
  const repo = site.workdirRealPath;
  let closed = false;
  return {
    exchange,
    async nextPending(): Promise<BreakthroughCandidate | undefined> {
      for (;;) {
        const [next] = await hub.breakthroughs.pending(identity.node, 1);
        if (!next) return undefined;
        const candidate = await exchange.candidate(next.id);
        if (candidate) return candidate;
      }
    },
    publish: (prepared: PreparedBreakthrough) => hub.breakthroughs.publish(prepared),
    workItems: {
      enqueue: (item) => experiments.enqueueExperiment(item),
      fetch: () => experiments.fetchExperiment(),
      complete: (id, output) => experiments.complete(id, output),
      fail: (id, problem) => experiments.fail(id, problem),
    },
    async recordResult(
      line: ExperimentLine & { metric: number },
      base: string,
      evaluation: EvaluationSpec,
    ): Promise<void> {
      const { loop, runId } = site;
      await hub.recordResult({
        node: identity.node,
        experimentId: `${runId}/${line.iteration}`,
        baseCommit: base,
        ...(line.commit !== null && line.commit !== base ? { diffHash: await diffHash(repo, base, line.commit) } : {}),
        metric: { name: loop.metric.name, value: line.metric, direction: loop.metric.direction },
        evalScriptHash: evalScriptHash(repo, evaluation.script),
        hardware: describeHardware(),
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      try {
        await queue?.stop({ graceful: false });
      } finally {
        await hub.close();
      }
    },
  };
}
