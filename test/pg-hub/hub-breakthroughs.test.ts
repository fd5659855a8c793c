import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { PgHubClient } from '../../src/pg-hub/pg-hub-client.js';
import { generateNodeKeys, keyFilesFor, parsePublicKey, writeNodeKeys } from '../../src/pg-hub/node-keys.js';
import { verificationSignatureValid, type SignedVerification } from '../../src/pg-hub/verification-record.js';
import { startNode, type NodeProcess } from './node-process.js';
import { startPgServer, type PgServer } from './pg-server.js';
import { cloneFor, createOrigin, gitSync } from './tiny-repo.js';

/**
 * Two nodes in separate processes share one PostgreSQL 15 hub. Node A publishes breakthroughs (and an attacker's
 * forgery, an unknown node's claim, a replay); node B, following the hub with LISTEN, verifies each in its own
 * clone and adopts only what it reproduces. Each outcome is recorded, signed by B, with its reason.
 */
describe('hub: a breakthrough published by one node is verified, and adopted or rejected, by another', () => {
  let server: PgServer;
  let directory: string;
  let initial: string;
  const repos: Record<string, string> = {};
  const keyDirectory = (): string => join(directory, 'keys');
  const keyFile = (node: string): string => keyFilesFor(keyDirectory(), node).privateKeyFile;
  let verifier: NodeProcess;
  const publishers: Record<string, NodeProcess> = {};
  const expected = 8;

  before(async () => {
    server = await startPgServer();
    directory = mkdtempSync(join(tmpdir(), 'mux-swarm-hub-'));
    ({ initial } = createOrigin(directory));
    for (const node of ['node-a', 'node-b', 'node-c']) {
      repos[node] = cloneFor(join(directory, 'origin.git'), directory, node);
      writeNodeKeys(keyDirectory(), node, generateNodeKeys());
    }
    writeNodeKeys(keyDirectory(), 'mallory', generateNodeKeys());
    await PgHubClient.init(server.url);
    const hub = await PgHubClient.connect(server.url);
    await hub.nodes.allow('node-a', parsePublicKey(keyFilesFor(keyDirectory(), 'node-a').publicKeyFile));
    await hub.nodes.allow('node-b', parsePublicKey(keyFilesFor(keyDirectory(), 'node-b').publicKeyFile));
    // node-c joined (registered its key) but nobody allowed it.
    await hub.nodes.register('node-c', parsePublicKey(keyFilesFor(keyDirectory(), 'node-c').publicKeyFile));
    await hub.close();
    for (const node of ['node-a', 'node-c'])
      publishers[node] = startNode('publish', { db: server.url, node, keyFile: keyFile(node), repo: repos[node] });
    verifier = startNode('verify', {
      db: server.url,
      node: 'node-b',
      keyFile: keyFile('node-b'),
      repo: repos['node-b'],
      expect: expected,
    });
    await verifier.waitFor((line) => line.ready === true);
  });

  after(() => {
    verifier?.child.kill('SIGKILL');
    for (const publisher of Object.values(publishers)) publisher.child.kill('SIGKILL');
    server?.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const outcomeOf = (id: unknown): Promise<Record<string, unknown>> =>
    verifier.waitFor((line) => line.breakthrough === id);
  let requests = 0;
  /** Has node-a's (or node-c's) process publish a breakthrough; resolves with what it printed. */
  const publish = async (node: string, request: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const number = (requests += 1);
    publishers[node]!.send({ request: number, base: initial, ...request });
    const published = await publishers[node]!.waitFor((line) => line.request === number);
    assert.equal(published.error, undefined, String(published.error));
    return published;
  };
  let adoptedFirst: Record<string, unknown>;

  it('adopts a breakthrough it reproduces: its branch is fast-forwarded to the claimed commit', async () => {
    const published = await publish('node-a', { files: { 'params.json': '{ "lr": 0.3 }\n' } });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'adopted', String(outcome.reason));
    assert.match(String(outcome.reason), /^reproduced: measured loss 0\.2\d* .*fast-forwarded to the claimed commit/);
    assert.equal(outcome.adoptedCommit, published.commit);
    assert.equal(gitSync(repos['node-b']!, ['rev-parse', 'HEAD']), published.commit);
    assert.equal(readFileSync(join(repos['node-b']!, 'params.json'), 'utf8'), '{ "lr": 0.3 }\n');
    adoptedFirst = published;
  });

  it("rejects a forged signature (a claim in node-a's name signed by another key)", async () => {
    const published = await publish('node-a', {
      signKeyFile: keyFile('mallory'),
      files: { 'params.json': '{ "lr": 0.11 }\n' },
    });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'rejected');
    assert.match(String(outcome.reason), /^bad signature: the claim is not signed by the allowed key of node "node-a"/);
  });

  it('rejects an unknown key (node-c registered, but not on the allow-list)', async () => {
    const published = await publish('node-c', { files: { 'params.json': '{ "lr": 0.12 }\n' } });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'rejected');
    assert.match(String(outcome.reason), /^unknown key: node "node-c"/);
  });

  it('rejects a diff outside the allowed paths', async () => {
    const published = await publish('node-a', {
      files: { 'params.json': '{ "lr": 0.13 }\n', 'README.md': '# tiny, rewritten\n' },
    });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'rejected');
    assert.equal(outcome.reason, 'outside allowed paths: README.md');
  });

  it('rejects a claim on a base commit it does not have', async () => {
    const published = await publish('node-a', {
      baseFiles: { 'src/local.json': '{}\n' },
      files: { 'params.json': '{ "lr": 0.14 }\n' },
    });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'rejected');
    assert.equal(outcome.reason, `unknown base commit ${String(published.base)}: this repository does not have it`);
  });

  it('rejects a claim that does not reproduce: the claimed metric is better than what the code gives', async () => {
    const published = await publish('node-a', {
      base: adoptedFirst.commit,
      files: { 'params.json': '{ "lr": 0.45 }\n' },
      claimMetric: 0.01,
    });
    assert.ok(Number(published.measured) > 0.3, 'the change really is worse');
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'rejected');
    assert.match(
      String(outcome.reason),
      /^did not reproduce: measured loss 0\.35\d* \(mean of seeds 1,2,3; claimed 0\.01\), which does not beat the local best 0\.2\d* by the noise margin 0\.01/,
    );
    assert.equal(gitSync(repos['node-b']!, ['rev-parse', 'HEAD']), adoptedFirst.commit, 'nothing adopted');
  });

  it('adopts, by cherry-picking onto its own HEAD, a breakthrough made on an older base', async () => {
    // node-a works from the initial commit (lr 0.5: loss 0.4); with the bonus its own loss is 0.35. On node-b's
    // HEAD (lr 0.3, loss 0.2) the same change gives 0.15: better than node-b's best, so adopted.
    const published = await publish('node-a', { files: { 'src/bonus.json': '{ "bonus": 0.05 }\n' } });
    const outcome = await outcomeOf(published.id);
    assert.equal(outcome.verdict, 'adopted', String(outcome.reason));
    assert.match(String(outcome.reason), /measured loss 0\.15\d* .*cherry-picked onto/);
    const head = gitSync(repos['node-b']!, ['rev-parse', 'HEAD']);
    assert.equal(head, outcome.adoptedCommit);
    assert.notEqual(head, published.commit, 'a cherry-pick is a new commit');
    assert.equal(gitSync(repos['node-b']!, ['rev-parse', 'HEAD~1']), adoptedFirst.commit);
    assert.match(
      gitSync(repos['node-b']!, ['log', '-1', '--format=%B']),
      new RegExp(`cherry picked from commit ${String(published.commit)}`),
    );
  });

  it('rejects a replay: the same signed claim published again', async () => {
    const client = new pg.Client(server.url);
    await client.connect();
    const { rows } = await client.query<{ id: string }>(
      `INSERT INTO mux_swarm.breakthroughs (node, commit, base_commit, diff_hash, nonce, metric_name, metric_value, direction, claim, signature, bundle)
       SELECT node, commit, base_commit, diff_hash, nonce, metric_name, metric_value, direction, claim, signature, bundle FROM mux_swarm.breakthroughs WHERE id = $1
       RETURNING id`,
      [adoptedFirst.id],
    );
    const replayId = String(rows[0]!.id);
    await client.query(`SELECT pg_notify('mux_swarm_breakthrough', $1)`, [replayId]);
    await client.end();
    const outcome = await outcomeOf(replayId);
    assert.equal(outcome.verdict, 'rejected');
    assert.match(
      String(outcome.reason),
      new RegExp(`^replay: claim nonce [0-9a-f]{32} was already seen in breakthrough ${String(adoptedFirst.id)}$`),
    );
  });

  it('records every verification in the hub, signed by the verifying node, with its verdict and reason', async () => {
    const { code } = await verifier.exited;
    assert.equal(code, 0, verifier.stderr());
    assert.equal(verifier.lines.filter((line) => 'error' in line).length, 0, JSON.stringify(verifier.lines));
    const hub = await PgHubClient.connect(server.url);
    try {
      const rows = await hub.breakthroughs.verifications();
      assert.equal(rows.length, expected);
      const keyOfB = parsePublicKey(keyFilesFor(keyDirectory(), 'node-b').publicKeyFile);
      const keyOfA = parsePublicKey(keyFilesFor(keyDirectory(), 'node-a').publicKeyFile);
      for (const row of rows) {
        const printed = verifier.lines.find((line) => line.breakthrough === row.breakthroughId);
        assert.equal(row.verifier, 'node-b');
        assert.equal(row.verdict, printed?.verdict);
        assert.equal(row.reason, printed?.reason);
        assert.equal(row.statement.reason, row.reason);
        assert.ok(verificationSignatureValid(row, keyOfB), `verification of ${row.breakthroughId} is signed by node-b`);
        assert.equal(verificationSignatureValid(row, keyOfA), false);
      }
      const tampered: SignedVerification = {
        statement: { ...rows[0]!.statement, verdict: rows[0]!.verdict === 'adopted' ? 'rejected' : 'adopted' },
        signature: rows[0]!.signature,
      };
      assert.equal(verificationSignatureValid(tampered, keyOfB), false);
      const adopted = rows.filter((row) => row.verdict === 'adopted');
      assert.equal(adopted.length, 2);
      assert.ok(
        adopted.every(
          (row) =>
            row.statement.measured !== null &&
            row.statement.measured.values.length === 3 &&
            row.statement.baseline?.source === 'measured',
        ),
      );
      const status = await hub.status();
      assert.deepEqual(status.breakthroughs, { announced: 0, adopted: 2, rejected: 6 });
      assert.deepEqual(status.verifications, { adopted: 2, rejected: 6 });
      // No private key material reached the hub.
      const client = new pg.Client(server.url);
      await client.connect();
      const dump = JSON.stringify(
        (
          await client.query(
            'SELECT n.*, b.claim FROM mux_swarm.nodes n LEFT JOIN mux_swarm.breakthroughs b ON b.node = n.name',
          )
        ).rows,
      );
      await client.end();
      assert.match(dump, /BEGIN PUBLIC KEY/);
      assert.doesNotMatch(dump, /PRIVATE KEY/);
    } finally {
      await hub.close();
    }
  });
});
