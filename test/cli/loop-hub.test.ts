import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import postgres from 'pg';
import { PgHubClient } from '../../src/pg-hub/pg-hub-client.js';
import { generateNodeKeys, parsePublicKey, writeNodeKeys } from '../../src/pg-hub/node-keys.js';
import { readExperimentResults, type ExperimentLine } from '../../src/state/experiment-results.js';
import { startPgServer, type PgServer } from '../pg-hub/pg-server.js';
import { startFakeOpenAIServer, type FakeOpenAIServer } from '../support/fake-openai-server.js';
import { createProjectFixture, fakeAgent, fakeConfig, type ProjectFixture } from '../support/project-fixture.js';
import { runCli } from '../support/run-cli.js';

const EXPERIMENT = join(import.meta.dirname, '..', 'fixtures', 'experiment');
const GOALS = join(import.meta.dirname, '..', 'fixtures', 'loop-hub');

function git(repo: string, args: string[]): string {
  const result = spawnSync('git', ['-C', repo, ...args], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} in ${repo}: ${result.stderr}`);
  return result.stdout.trim();
}

/** A bare origin with the deterministic experiment (lr 0.1: loss 0.04), and a keys directory with nodes A and B. */
function swarmRoot(): { root: string; origin: string; keys: string } {
  const root = mkdtempSync(join(tmpdir(), 'mux-swarm-loop-hub-'));
  const seed = join(root, 'seed');
  mkdirSync(seed);
  copyFileSync(join(EXPERIMENT, 'experiment.py'), join(seed, 'experiment.py'));
  copyFileSync(join(EXPERIMENT, 'params.json'), join(seed, 'params.json'));
  git(seed, ['init', '--quiet', '--initial-branch=main']);
  git(seed, ['-c', 'user.name=seed', '-c', 'user.email=seed@localhost', 'add', '-A']);
  git(seed, ['-c', 'user.name=seed', '-c', 'user.email=seed@localhost', 'commit', '--quiet', '-m', 'the experiment']);
  const origin = join(root, 'origin.git');
  assert.equal(spawnSync('git', ['clone', '--quiet', '--bare', seed, origin]).status, 0);
  const keys = join(root, 'keys');
  for (const node of ['A', 'B']) writeNodeKeys(keys, node, generateNodeKeys());
  return { root, origin, keys };
}

/** A node's project: config.json with its workdir `work`, a clone of origin; its orchestrator on model `<model>`. */
function nodeProject(
  server: FakeOpenAIServer,
  origin: string,
  node: string,
  model: string,
  maxIterations: number,
): ProjectFixture {
  const project = createProjectFixture(`mux-swarm-node-${node}-`);
  project.write('config.json', fakeConfig(server.baseURL, { filesystem: { workdir: 'work' } }));
  project.write('swarm.json', { orchestrator: fakeAgent('orchestrator', { model, mcpServers: ['fs'] }), agents: [] });
  project.write(
    'goal.md',
    readFileSync(join(GOALS, 'goal.md'), 'utf8').replace('maxIterations: 1', `maxIterations: ${maxIterations}`),
  );
  const work = join(project.directory, 'work');
  assert.equal(spawnSync('git', ['clone', '--quiet', origin, work]).status, 0);
  // Notes on a shared remote are commits: the node's git needs an identity, as a real clone has.
  git(work, ['config', 'user.name', node]);
  git(work, ['config', 'user.email', `${node}@localhost`]);
  return project;
}

const write = (lr: number) => ({
  toolCalls: [{ name: 'fs__write_file', arguments: { path: 'params.json', content: `{"lr": ${lr}}\n` } }],
});
const complete = (hypothesis: string, ...alsoTry: string[]) => ({
  toolCalls: [
    {
      name: 'complete',
      arguments: {
        status: 'success',
        summary: [`Hypothesis: ${hypothesis}`, ...alsoTry.map((change) => `Also try: ${change}`)].join('\n'),
      },
    },
  ],
});
const PROPOSAL = 'lr 0.25 with a longer warmup';

/** The experiment lines of a run's results log (the result's first artifact, relative to the workdir). */
function experiments(project: ProjectFixture, resultsArtifact: string): ExperimentLine[] {
  return readExperimentResults(join(project.directory, 'work', resultsArtifact)).experiments;
}

interface RunResult {
  subtype: string;
  result: string;
  artifacts: string[];
}

/**
 * Node A keeps lr 0.3 (loss 0) and publishes it; node B, started after, adopts it between iterations (an
 * iteration of its own in the results log, its workdir at A's commit), then goes on with its own experiment.
 */
async function twoNodes(
  server: FakeOpenAIServer,
  sharing: string[],
  origin: string,
  keys: string,
  prefix: string,
  options: { workItems: boolean },
): Promise<void> {
  server.route({ model: `${prefix}-a` }, write(0.3), complete('lr 0.3 is the optimum', PROPOSAL));
  server.route({ model: `${prefix}-b` }, write(0.35), complete('a little more lr'));
  const a = nodeProject(server, origin, 'A', `${prefix}-a`, 1);
  const b = nodeProject(server, origin, 'B', `${prefix}-b`, 2);
  try {
    const ranA = await runCli(
      ['run', 'goal.md', ...sharing, '--node', 'A', '--keys', keys, '--output-format', 'json'],
      { cwd: a.directory },
    );
    assert.equal(ranA.code, 0, ranA.stderr);
    const resultA = JSON.parse(ranA.stdout) as RunResult;
    const [keptA] = experiments(a, resultA.artifacts[0]!);
    assert.equal(keptA?.decision, 'kept', JSON.stringify(keptA));
    assert.equal(keptA.metric, 0);

    const ranB = await runCli(
      ['run', 'goal.md', ...sharing, '--node', 'B', '--keys', keys, '--output-format', 'json'],
      { cwd: b.directory },
    );
    assert.equal(ranB.code, 0, ranB.stderr);
    const resultB = JSON.parse(ranB.stdout) as RunResult;
    const linesB = experiments(b, resultB.artifacts[0]!);
    assert.equal(linesB.length, 2, JSON.stringify(linesB));
    const [adopted, own] = linesB;
    assert.equal(adopted!.iteration, 1);
    assert.equal(adopted!.decision, 'kept');
    assert.equal(adopted!.commit, keptA.commit, 'fast-forwarded to the claimed commit');
    assert.equal(adopted!.metric, 0, "B's own measurement");
    assert.match(adopted!.reason, /^adopted from A \(breakthrough \S+\): reproduced: measured loss 0 /);
    assert.equal(adopted!.hypothesis, 'lr 0.3 is the optimum');
    assert.equal(own!.iteration, 2);
    assert.equal(own!.decision, 'discarded', 'judged against the adopted best');
    assert.match(resultB.result, /2 experiments: 1 kept, 1 discarded\. Best loss 0 \(iteration 1\)/);
    const workB = join(b.directory, 'work');
    assert.equal(git(workB, ['merge-base', '--is-ancestor', keptA.commit!, 'HEAD']), '');
    assert.deepEqual(
      JSON.parse(readFileSync(join(workB, 'params.json'), 'utf8')),
      { lr: 0.3 },
      "B's own regression was reverted onto A's change",
    );
    assert.equal(server.pendingResponses(), 0);
    // A's "Also try:" went to the queue of work items, and B's own iteration was that try (with a hub; a git remote has no queue).
    const bRequests = server.chatRequests().filter((request) => request.body.model === `${prefix}-b`);
    const proposed = bRequests.some((request) =>
      request.body.messages.some(
        (message) =>
          typeof message.content === 'string' &&
          message.content.includes(`### Proposed by node A`) &&
          message.content.includes(PROPOSAL),
      ),
    );
    assert.equal(proposed, options.workItems, "B was given A's proposal as its iteration");
  } finally {
    a.remove();
    b.remove();
  }
}

describe('run --hub / --remote: loop nodes share breakthroughs', { concurrency: 1 }, () => {
  let server: FakeOpenAIServer;
  let pg: PgServer | undefined;
  const roots: string[] = [];
  before(async () => {
    server = await startFakeOpenAIServer();
  });
  after(async () => {
    await server.close();
    pg?.stop();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it(
    'through a PostgreSQL hub: A publishes a kept change, B verifies and adopts it, then goes on',
    { timeout: 60_000 },
    async () => {
      pg = await startPgServer();
      await PgHubClient.init(pg.url);
      const { root, origin, keys } = swarmRoot();
      roots.push(root);
      const hub = await PgHubClient.connect(pg.url);
      try {
        await hub.nodes.allow('A', parsePublicKey(join(keys, 'A.pub')));
        await twoNodes(server, ['--hub', pg.url], origin, keys, 'hub', { workItems: true });
        const client = new postgres.Client({ connectionString: pg.url });
        await client.connect();
        try {
          const jobs = (await client.query("SELECT state, data, output FROM pgboss.job WHERE name = 'experiments'"))
            .rows as Array<{
            state: string;
            data: { hypothesis: string; requested_by: string };
            output: { node: string; decision: string };
          }>;
          assert.deepEqual(
            jobs.map((job) => [
              job.state,
              job.data.hypothesis,
              job.data.requested_by,
              job.output.node,
              job.output.decision,
            ]),
            [['completed', PROPOSAL, 'A', 'B', 'discarded']],
          );
        } finally {
          await client.end();
        }
        const results = await hub.results();
        assert.deepEqual(
          results.map((row) => [row.node, row.metric.value]).sort(),
          [
            ['A', 0],
            ['B', 0.0025],
          ].sort(),
          'each measured iteration is a result (an adoption is not an experiment of B)',
        );
        const verifications = await hub.breakthroughs.verifications();
        assert.deepEqual(
          verifications.map((row) => [row.verifier, row.verdict]),
          [['B', 'adopted']],
        );
      } finally {
        await hub.close();
      }
    },
  );

  it('through a shared git remote, without a hub', { timeout: 40_000 }, async () => {
    const { root, origin, keys } = swarmRoot();
    roots.push(root);
    await twoNodes(server, ['--remote', origin], origin, keys, 'remote', { workItems: false });
    assert.match(
      git(origin, ['for-each-ref', '--format=%(refname)', 'refs/mux-swarm/']),
      /^refs\/mux-swarm\/breakthroughs\/A\/[0-9a-f]+$/,
    );
  });

  it('refuses --hub on a goal without loop:, and a node without a key (exit 2)', async () => {
    const project = createProjectFixture('mux-swarm-loop-hub-usage-');
    try {
      project.write('plain.md', '# Plain\n\nNo loop here.\n');
      project.write('goal.md', readFileSync(join(GOALS, 'goal.md'), 'utf8'));
      const plain = await runCli(['run', 'plain.md', '--hub', 'postgres://hub@127.0.0.1:1/hub', '--node', 'A'], {
        cwd: project.directory,
      });
      assert.equal(plain.code, 2, plain.stderr);
      assert.match(
        plain.stderr,
        /--hub shares an experiment loop's breakthroughs, and plain\.md has no loop: front matter/,
      );
      const keyless = await runCli(
        ['run', 'goal.md', '--remote', project.directory, '--node', 'C', '--keys', join(project.directory, 'keys')],
        { cwd: project.directory },
      );
      assert.equal(keyless.code, 2, keyless.stderr);
      assert.match(keyless.stderr, /node "C" has no usable key .*create it with `mux-swarm hub keygen --node C --dir /);
      const nameless = await runCli(['run', 'goal.md', '--remote', project.directory], { cwd: project.directory });
      assert.equal(nameless.code, 2, nameless.stderr);
      assert.match(nameless.stderr, /--remote needs --node <name>/);
    } finally {
      project.remove();
    }
  });
});
