import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { generateNodeKeys } from '../../src/pg-hub/node-keys.js';
import { ExperimentQueue } from '../../src/pg-hub/experiment-queue.js';
import { PgHubClient } from '../../src/pg-hub/pg-hub-client.js';
import { startNode, type NodeProcess } from './node-process.js';
import { startPgServer, type PgServer } from './pg-server.js';

/** Work items through pg-boss on the hub: completion, retry after a failure, and after a node dies holding one. */
describe('hub: the experiments work-item queue', () => {
  let server: PgServer;
  const nodes: NodeProcess[] = [];

  before(async () => {
    server = await startPgServer();
    await PgHubClient.init(server.url);
    const hub = await PgHubClient.connect(server.url);
    for (const node of ['node-a', 'node-b', 'node-c']) await hub.nodes.allow(node, generateNodeKeys().publicKey);
    await hub.close();
  });

  after(() => {
    for (const node of nodes) node.child.kill('SIGKILL');
    server?.stop();
  });

  it('a work item whose node is killed mid-job (SIGKILL) is retried and completed by another node', async () => {
    const queue = await ExperimentQueue.open(server.url, { node: 'node-c', maintenanceIntervalSeconds: 3600 });
    try {
      const a = startNode('work', { db: server.url, node: 'node-a', mode: 'hang' });
      nodes.push(a);
      const jobId = await queue.enqueueExperiment(
        { experiment_id: 'exp-killed', base_commit: 'abc', hypothesis: 'lower lr' },
        { expireInSeconds: 3, retryLimit: 2 },
      );
      const took = await a.waitFor((line) => line.took === jobId);
      assert.equal(took.retryCount, 0);
      // node-b is already polling while node-a holds the job: it must not get it until node-a's attempt expires.
      const b = startNode('work', { db: server.url, node: 'node-b', mode: 'complete' });
      nodes.push(b);
      a.child.kill('SIGKILL');
      assert.equal((await a.exited).signal, 'SIGKILL');
      assert.equal((await queue.job(jobId))?.state, 'active', 'the dead node still holds the job until it expires');

      const done = await b.waitFor((line) => 'completed' in line, 20_000);
      assert.equal(done.completed, jobId);
      assert.equal(done.state, 'completed');
      assert.equal(done.retryCount, 1, 'the second attempt, after the expired one');
      assert.equal(b.lines.find((line) => 'took' in line)?.retryCount, 1);
      const job = await queue.job(jobId);
      assert.equal(job?.state, 'completed');
      assert.deepEqual(job?.output, { node: 'node-b', result: 'recorded' });

      const hub = await PgHubClient.connect(server.url);
      const results = await hub.results('exp-killed');
      await hub.close();
      assert.deepEqual(
        results.map((result) => result.node),
        ['node-b'],
      );
    } finally {
      await queue.stop();
    }
  });

  it('a failed attempt is retried, and a job that keeps failing ends failed after its retry limit', async () => {
    const queue = await ExperimentQueue.open(server.url, {
      node: 'node-c',
      pollingIntervalSeconds: 0.5,
      maintenanceIntervalSeconds: 3600,
    });
    try {
      const flaky = await queue.enqueueExperiment({ experiment_id: 'exp-flaky' }, { retryLimit: 1 });
      const broken = await queue.enqueueExperiment({ experiment_id: 'exp-broken' }, { retryLimit: 1 });
      const attempts: Array<{ experiment: string; retryCount: number }> = [];
      await queue.work(async (job) => {
        attempts.push({ experiment: job.data.experiment_id, retryCount: job.retryCount });
        if (job.data.experiment_id === 'exp-broken' || job.retryCount === 0)
          throw new Error(`evaluation crashed on attempt ${job.retryCount + 1}`);
        return { loss: 0.2 };
      });
      const settled = async (id: string, state: string): Promise<void> => {
        for (let waited = 0; waited < 15_000 && (await queue.job(id))?.state !== state; waited += 100)
          await new Promise((resolve) => setTimeout(resolve, 100));
      };
      await settled(flaky, 'completed');
      await settled(broken, 'failed');
      const flakyJob = await queue.job(flaky);
      assert.equal(flakyJob?.state, 'completed');
      assert.equal(flakyJob?.retryCount, 1);
      assert.deepEqual(flakyJob?.output, { node: 'node-c', loss: 0.2 });
      const brokenJob = await queue.job(broken);
      assert.equal(brokenJob?.state, 'failed');
      assert.match(JSON.stringify(brokenJob?.output), /evaluation crashed on attempt 2/);
      assert.deepEqual(
        attempts.filter((attempt) => attempt.experiment === 'exp-broken').map((attempt) => attempt.retryCount),
        [0, 1],
      );
      const hub = await PgHubClient.connect(server.url);
      const status = await hub.status();
      await hub.close();
      assert.equal(status.queue?.completed, 2);
      assert.equal(status.queue?.failed, 1);
    } finally {
      await queue.stop();
    }
  });
});
