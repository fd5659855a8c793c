import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { canonicalJson } from '../../src/text/canonical-json.js';
import { claimMessage, claimSignatureValid, parseClaim, signClaim, type Claim } from '../../src/pg-hub/claim.js';
import { beats, evaluationMetric as readMetric } from '../../src/pg-hub/evaluation.js';
import {
  generateNodeKeys,
  keyId,
  loadPrivateKey,
  parsePublicKey,
  publicKeyPem,
  writeNodeKeys,
} from '../../src/pg-hub/node-keys.js';
import { pathsOutside } from '../../src/pg-hub/path-globs.js';

const claim: Claim = {
  node: 'node-a',
  base_commit: 'a'.repeat(40),
  commit: 'b'.repeat(40),
  diff_hash: 'c'.repeat(64),
  metric: { name: 'loss', value: 0.2, direction: 'lower' },
  seeds: [1, 2, 3],
  eval_script_hash: 'd'.repeat(64),
  hardware: { cpus: 2, gpus: [{ name: 'H100' }] },
  created_at: '2025-03-01T10:00:00.000Z',
  nonce: 'e'.repeat(32),
};

describe('claims: canonical serialisation and ed25519 signatures', () => {
  it('serialises with sorted keys at every depth, whatever the insertion order (integer-like keys included)', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' }, 10: true, 2: false }),
      '{"10":true,"2":false,"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
    const reordered = {
      ...Object.fromEntries(Object.entries(claim).reverse()),
      metric: { direction: 'lower', value: 0.2, name: 'loss' },
    } as Claim;
    assert.notEqual(JSON.stringify(reordered), JSON.stringify(claim));
    assert.equal(canonicalJson(reordered), canonicalJson(claim));
    assert.throws(() => canonicalJson({ value: Number.NaN }), /\$\.value is not a finite number/);
    assert.throws(() => canonicalJson({ when: new Date() }), /\$\.when is not a plain object/);
  });

  it('verifies a claim signed by the node key, and nothing else: another key, a changed field, a mangled signature', () => {
    const keys = generateNodeKeys();
    const signed = signClaim(claim, keys.privateKey);
    assert.ok(claimMessage(claim).startsWith('mux-swarm/claim/v1\n'));
    assert.ok(claimSignatureValid(signed, keys.publicKey));
    assert.ok(
      claimSignatureValid(
        { claim: JSON.parse(JSON.stringify(claim)) as Claim, signature: signed.signature },
        keys.publicKey,
      ),
      'survives a JSON round trip',
    );
    assert.equal(claimSignatureValid(signed, generateNodeKeys().publicKey), false);
    assert.equal(
      claimSignatureValid(
        { claim: { ...claim, metric: { ...claim.metric, value: 0.1 } }, signature: signed.signature },
        keys.publicKey,
      ),
      false,
    );
    assert.equal(
      claimSignatureValid({ claim, signature: `${signed.signature.slice(0, -4)}AAA=` }, keys.publicKey),
      false,
    );
    assert.equal(claimSignatureValid({ claim, signature: 'not base64!' }, keys.publicKey), false);
  });

  it('refuses a malformed claim, naming each field', () => {
    assert.throws(
      () => parseClaim({ ...claim, commit: 'HEAD', seeds: [], extra: 1 }),
      (error: Error) => /commit/.test(error.message) && /seeds/.test(error.message) && /extra/.test(error.message),
    );
  });
});

describe('node keys', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-keys-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('writes the private key with mode 0600 and refuses to load it once others can read it', () => {
    const keys = generateNodeKeys();
    const files = writeNodeKeys(directory, 'node-a', keys);
    assert.equal(statSync(files.privateKeyFile).mode & 0o777, 0o600);
    assert.equal(keyId(loadPrivateKey(files.privateKeyFile)), keyId(keys.publicKey));
    assert.equal(keyId(parsePublicKey(files.publicKeyFile)), keyId(keys.publicKey));
    assert.equal(publicKeyPem(parsePublicKey(readFileSync(files.publicKeyFile, 'utf8'))), publicKeyPem(keys.publicKey));
    assert.throws(() => writeNodeKeys(directory, 'node-a', generateNodeKeys()), /already exists.*--force/);
    chmodSync(files.privateKeyFile, 0o644);
    assert.throws(() => loadPrivateKey(files.privateKeyFile), /readable by other users: chmod 600/);
  });

  it('accepts only ed25519 public keys, and never a private key as a public one', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .publicKey.export({ type: 'spki', format: 'pem' })
      .toString();
    assert.throws(() => parsePublicKey(rsa), /a rsa public key; mux-swarm nodes use ed25519/);
    const privateFile = join(directory, 'leaked.key');
    writeFileSync(privateFile, generateNodeKeys().privateKey.export({ type: 'pkcs8', format: 'pem' }));
    assert.throws(() => parsePublicKey(privateFile), /holds a private key/);
    assert.throws(() => writeNodeKeys(directory, '../escape', generateNodeKeys()), /invalid node name/);
  });
});

describe('allowed paths and metrics', () => {
  it('matches globs per path segment', () => {
    const allowed = ['params.json', 'src/**', 'configs/*.yaml', '**/*.md'];
    const paths = [
      'params.json',
      'src/a/b.py',
      'configs/x.yaml',
      'configs/deep/x.yaml',
      'docs/notes.md',
      'README.md',
      'eval.sh',
      'params.json.bak',
    ];
    assert.deepEqual(pathsOutside(paths, allowed), ['configs/deep/x.yaml', 'eval.sh', 'params.json.bak']);
  });

  it('reads the metric from stdout JSON, a regex, or a JSON file; compares it with the margin in its direction', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'mux-swarm-metric-'));
    writeFileSync(join(cwd, 'out.json'), '{"eval": {"acc": 0.91}}');
    writeFileSync(join(cwd, 'train.log'), 'step 1 loss=0.9\nstep 2 loss=0.7\ndone\n');
    assert.equal(
      await readMetric({ kind: 'log', path: 'train.log', regex: 'loss=([0-9.]+)' }, 'loss', {
        stdout: '',
        stderr: '',
        cwd,
      }),
      0.7,
      'the last match',
    );
    assert.equal(
      await readMetric({ kind: 'stdout-json' }, 'loss', {
        stdout: 'noise\n{"loss": 1}\n{"loss": 0.5}\n',
        stderr: '',
        cwd,
      }),
      0.5,
    );
    assert.equal(
      await readMetric({ kind: 'output-regex', regex: 'val_loss=([0-9.]+)' }, 'loss', {
        stdout: '',
        stderr: 'epoch 3 val_loss=0.25\n',
        cwd,
      }),
      0.25,
    );
    assert.equal(
      await readMetric({ kind: 'json', path: 'out.json', field: 'eval.acc', fieldPath: ['eval', 'acc'] }, 'acc', {
        stdout: '',
        stderr: '',
        cwd,
      }),
      0.91,
    );
    await assert.rejects(
      readMetric({ kind: 'stdout-json' }, 'loss', { stdout: '{"loss": "nan"}', stderr: '', cwd }),
      /not a finite number/,
    );
    rmSync(cwd, { recursive: true, force: true });
    assert.ok(beats(0.18, 0.2, 0.01, 'lower'));
    assert.equal(beats(0.195, 0.2, 0.01, 'lower'), false);
    assert.ok(beats(0.92, 0.9, 0.01, 'higher'));
    assert.equal(beats(0.905, 0.9, 0.01, 'higher'), false);
  });
});
