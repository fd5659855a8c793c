// The corpus of test/fixtures/failures: every output fingerprints to its expected kind, type, message and frame;
// outputs of the same group share a fingerprint, outputs of different groups do not.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  fingerprintFailure,
  type FailureContext,
  type FailureSignature,
  type Fingerprint,
} from '../../src/failures/failure-fingerprint.js';
import { normaliseMessage } from '../../src/failures/normalise-message.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/failures/', import.meta.url));

interface CorpusItem {
  file: string;
  context: FailureContext;
  expect: Partial<FailureSignature> & Pick<FailureSignature, 'kind' | 'type'>;
  group: string;
}

const corpus = JSON.parse(readFileSync(path.join(FIXTURES, 'corpus.json'), 'utf8')) as CorpusItem[];
const fingerprints = new Map<string, Fingerprint | undefined>(
  corpus.map((item) => [
    item.file,
    fingerprintFailure(readFileSync(path.join(FIXTURES, item.file), 'utf8'), item.context),
  ]),
);

function fingerprintOf(item: CorpusItem): Fingerprint {
  const fingerprint = fingerprints.get(item.file);
  assert.ok(fingerprint, `${item.file}: no failure recognised`);
  return fingerprint;
}

describe('failure corpus', () => {
  it('has at least 30 outputs, every .txt file listed once, and groups of more than one output', () => {
    assert.ok(corpus.length >= 30, `only ${corpus.length} outputs`);
    const listed = corpus.map((item) => item.file).sort();
    assert.deepEqual(listed, [...new Set(listed)], 'a file is listed twice');
    const files = readdirSync(FIXTURES)
      .filter((name) => name.endsWith('.txt'))
      .sort();
    assert.deepEqual(listed, files, 'corpus.json and the .txt files differ');
    const sizes = new Map<string, number>();
    for (const item of corpus) sizes.set(item.group, (sizes.get(item.group) ?? 0) + 1);
    assert.ok([...sizes.values()].filter((size) => size > 1).length >= 10, 'fewer than 10 groups with several outputs');
  });

  for (const item of corpus) {
    it(`${item.file}: ${item.expect.kind} / ${item.expect.type}`, () => {
      const { signature, id } = fingerprintOf(item);
      assert.equal(signature.kind, item.expect.kind, 'kind');
      assert.equal(signature.type, item.expect.type, 'type');
      if (item.expect.message !== undefined) assert.equal(signature.message, item.expect.message, 'message');
      if (item.expect.frame !== undefined) assert.equal(signature.frame, item.expect.frame, 'frame');
      assert.match(id, /^[0-9a-f]{16}$/);
      assert.equal(
        normaliseMessage(signature.message),
        signature.message,
        'the message is a fixed point of normaliseMessage',
      );
      assert.ok(signature.message.length <= 300, 'message longer than 300 characters');
    });
  }

  it('outputs of the same group share a fingerprint', () => {
    const failures: string[] = [];
    for (const [index, left] of corpus.entries()) {
      for (const right of corpus.slice(index + 1)) {
        if (left.group !== right.group) continue;
        const a = fingerprintOf(left);
        const b = fingerprintOf(right);
        if (a.id !== b.id)
          failures.push(
            `${left.file} ≠ ${right.file} (group ${left.group}):\n  ${JSON.stringify(a.signature)}\n  ${JSON.stringify(b.signature)}`,
          );
      }
    }
    assert.deepEqual(failures, []);
  });

  it('outputs of different groups have different fingerprints', () => {
    const failures: string[] = [];
    for (const [index, left] of corpus.entries()) {
      for (const right of corpus.slice(index + 1)) {
        if (left.group === right.group) continue;
        const a = fingerprintOf(left);
        const b = fingerprintOf(right);
        if (a.id === b.id)
          failures.push(
            `${left.file} (${left.group}) = ${right.file} (${right.group}): ${JSON.stringify(a.signature)}`,
          );
      }
    }
    assert.deepEqual(failures, []);
  });

  it('a fingerprint does not depend on output before the tail that is read', () => {
    for (const file of [
      'sft-max-seq-length-a.txt',
      'nccl-watchdog-timeout-a.txt',
      'npm-e404-lodahs.txt',
      'node-type-error.txt',
    ]) {
      const item = corpus.find((entry) => entry.file === file);
      assert.ok(item, file);
      const text = readFileSync(path.join(FIXTURES, file), 'utf8');
      const padded = `${'step 12 loss 1.2345 lr 0.0002\n'.repeat(20_000)}${text}`;
      assert.equal(fingerprintFailure(padded, item.context)?.id, fingerprintOf(item).id, file);
    }
  });

  it('the API keys of the env dumps do not reach a fingerprint', () => {
    for (const file of ['openai-auth-env-dump.txt', 'docker-gpu-env-inspect.txt']) {
      const item = corpus.find((entry) => entry.file === file);
      assert.ok(item, file);
      const { signature } = fingerprintOf(item);
      assert.doesNotMatch(JSON.stringify(signature), /sk-proj|hf_[A-Za-z]|5678|ghp_|xoxb/);
    }
  });
});
