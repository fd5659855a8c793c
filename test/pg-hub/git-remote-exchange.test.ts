import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GitRemoteExchange, type RemoteBreakthrough } from '../../src/pg-hub/git-remote-exchange.js';
import { measure } from '../../src/pg-hub/evaluation.js';
import {
  generateNodeKeys,
  keyFilesFor,
  loadPrivateKey,
  parsePublicKey,
  writeNodeKeys,
} from '../../src/pg-hub/node-keys.js';
import { prepareBreakthrough } from '../../src/pg-hub/prepare-breakthrough.js';
import { verificationSignatureValid } from '../../src/pg-hub/verification-record.js';
import { verifyBreakthrough, type VerifyOptions } from '../../src/pg-hub/verify-breakthrough.js';
import { ALLOWED_PATHS, cloneFor, commitFiles, createOrigin, EVALUATION, gitSync, SEEDS } from './tiny-repo.js';

/** The exchange without a hub: a bare repository shared by the nodes, breakthroughs as refs, claims as git notes. */
describe('git-remote exchange: publish, verify and adopt through a shared bare repository', () => {
  let directory: string;
  let origin: string;
  let initial: string;
  let repoA: string;
  let repoB: string;
  let exchangeA: GitRemoteExchange;
  let exchangeB: GitRemoteExchange;
  let verifyOptions: VerifyOptions;
  const keys = (): string => join(directory, 'keys');

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'mux-swarm-git-exchange-'));
    ({ origin, initial } = createOrigin(directory));
    repoA = cloneFor(origin, directory, 'node-a');
    repoB = cloneFor(origin, directory, 'node-b');
    for (const node of ['node-a', 'node-b', 'mallory']) writeNodeKeys(keys(), node, generateNodeKeys());
    // node-b's allow-list: a directory holding the public keys it trusts (node-a's, not mallory's).
    const trusted = join(directory, 'trusted-by-b');
    mkdirSync(trusted);
    copyFileSync(keyFilesFor(keys(), 'node-a').publicKeyFile, join(trusted, 'node-a.pub'));
    exchangeA = await GitRemoteExchange.open({ repo: repoA, remote: origin, trustedKeys: new Map() });
    exchangeB = await GitRemoteExchange.open({
      repo: repoB,
      remote: origin,
      trustedKeys: GitRemoteExchange.trustedKeysFromDirectory(trusted),
    });
    verifyOptions = {
      repo: repoB,
      node: 'node-b',
      privateKey: loadPrivateKey(keyFilesFor(keys(), 'node-b').privateKeyFile),
      allowedPaths: ALLOWED_PATHS,
      evaluation: EVALUATION,
      seeds: SEEDS,
      noiseMargin: 0.01,
    };
  });

  after(() => rmSync(directory, { recursive: true, force: true }));

  /** node-a commits `files` on `base` and publishes the breakthrough (signed with `signer`'s key). */
  const publishFromA = async (
    files: Record<string, string>,
    options: { signer?: string; claimMetric?: number } = {},
  ): Promise<{ id: string; commit: string }> => {
    gitSync(repoA, ['checkout', '--quiet', '-B', `experiment-${Object.keys(files).join('-')}-${Date.now()}`, initial]);
    const commit = commitFiles(repoA, files, 'experiment');
    const measured = await measure(repoA, EVALUATION, SEEDS);
    const prepared = await prepareBreakthrough({
      repo: repoA,
      node: 'node-a',
      privateKey: loadPrivateKey(keyFilesFor(keys(), options.signer ?? 'node-a').privateKeyFile),
      base: initial,
      metric: { name: 'loss', value: options.claimMetric ?? measured.mean, direction: 'lower' },
      seeds: SEEDS,
      evaluation: EVALUATION,
    });
    return { id: await exchangeA.publish(prepared.signed), commit };
  };

  let adopted: RemoteBreakthrough;

  it('publishes the commit as a ref and the signed claim as a note; the peer verifies and fast-forwards to it', async () => {
    const published = await publishFromA({ 'params.json': '{ "lr": 0.3 }\n' });
    assert.match(published.id, /^node-a\/[0-9a-f]{32}$/);
    assert.equal(gitSync(origin, ['rev-parse', `refs/mux-swarm/breakthroughs/${published.id}`]), published.commit);
    assert.match(gitSync(origin, ['notes', '--ref=refs/notes/mux-swarm', 'show', published.commit]), /"signature":/);

    const pending = await exchangeB.pending('node-b');
    assert.deepEqual(
      pending.map((breakthrough) => breakthrough.id),
      [published.id],
    );
    assert.deepEqual(await exchangeA.pending('node-a'), [], 'a node does not verify its own claims');
    const outcome = await verifyBreakthrough(exchangeB, pending[0]!, verifyOptions);
    assert.equal(outcome.verdict, 'adopted', outcome.reason);
    assert.equal(gitSync(repoB, ['rev-parse', 'HEAD']), published.commit);
    assert.deepEqual(await exchangeB.pending('node-b'), []);
    adopted = pending[0]!;

    // The signed verification is on the remote, readable by node-a.
    const [verification, ...more] = await exchangeA.verifications(adopted);
    assert.equal(more.length, 0);
    assert.equal(verification?.statement.verdict, 'adopted');
    assert.equal(verification?.statement.verifier, 'node-b');
    assert.ok(verificationSignatureValid(verification!, parsePublicKey(keyFilesFor(keys(), 'node-b').publicKeyFile)));
  });

  it('orders pending claims by the claimed metric, and rejects a forged signature and a diff outside the allowed paths', async () => {
    const outside = await publishFromA(
      { 'params.json': '{ "lr": 0.2 }\n', 'eval.sh': 'echo \'{"loss": 0}\'\n' },
      { claimMetric: 0.1 },
    );
    const forged = await publishFromA({ 'params.json': '{ "lr": 0.15 }\n' }, { signer: 'mallory', claimMetric: 0.05 });
    const pending = await exchangeB.pending('node-b');
    assert.deepEqual(
      pending.map((breakthrough) => breakthrough.id),
      [forged.id, outside.id],
      'best claimed metric first',
    );

    const forgedOutcome = await verifyBreakthrough(exchangeB, pending[0]!, verifyOptions);
    assert.equal(forgedOutcome.verdict, 'rejected');
    assert.match(forgedOutcome.reason, /^bad signature: the claim is not signed by the allowed key of node "node-a"/);
    const outsideOutcome = await verifyBreakthrough(exchangeB, pending[1]!, verifyOptions);
    assert.equal(outsideOutcome.verdict, 'rejected');
    assert.equal(outsideOutcome.reason, 'outside allowed paths: eval.sh');
    assert.equal(gitSync(repoB, ['rev-parse', 'HEAD']), adopted.refCommit, 'nothing more adopted');

    const recorded = await exchangeA.verifications(pending[1]!);
    assert.deepEqual(
      recorded.map((entry) => [entry.statement.verdict, entry.statement.reason]),
      [['rejected', 'outside allowed paths: eval.sh']],
    );
    assert.deepEqual(await exchangeB.pending('node-b'), []);
  });

  it('rejects a replay: the same claim under a second ref', async () => {
    gitSync(origin, ['update-ref', 'refs/mux-swarm/breakthroughs/node-a/replayed', adopted.refCommit]);
    const [replayed] = await exchangeB.pending('node-b');
    assert.equal(replayed?.id, 'node-a/replayed');
    const outcome = await verifyBreakthrough(exchangeB, replayed!, verifyOptions);
    assert.equal(outcome.verdict, 'rejected');
    assert.equal(
      outcome.reason,
      `replay: claim nonce ${(adopted.claim as { nonce: string }).nonce} was already seen in breakthrough ${adopted.id}`,
    );
  });
});
