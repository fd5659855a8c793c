import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { knownFixesText } from '../../src/failures/tracker/known-fixes-text.js';
import type { FailureRecord, FixRecord } from '../../src/state/failure-records.js';

const FINGERPRINT = 'a1b2c3d4e5f60718';
const failure = (retryWorked: number, retryFailed: number): FailureRecord => ({
  fingerprint: FINGERPRINT,
  kind: 'python',
  type: 'ConnectionError',
  message: 'reset',
  frame: null,
  example: '',
  occurrences: 3,
  firstSeenAt: '2026-01-01T00:00:00Z',
  lastSeenAt: '2026-01-02T00:00:00Z',
  retryWorked,
  retryFailed,
});
const fix = (uid: string, fingerprint: string, worked: number): FixRecord => ({
  id: 1,
  uid,
  fingerprint,
  description: `Changed ${uid}.py`,
  explanation: null,
  files: [`${uid}.py`],
  diff: null,
  source: 'runtime',
  runId: null,
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  worked,
  failed: 0,
});

describe('the known fixes an agent is offered', () => {
  it('puts real fixes first and the retry observation after them, as possibly transient', () => {
    const text = knownFixesText(FINGERPRINT, failure(5, 0), [fix('aaaaaaaaaaaaaaaa', FINGERPRINT, 1)]);
    const fixAt = text.indexOf('1. Changed aaaaaaaaaaaaaaaa.py');
    const retryAt = text.indexOf('possibly transient');
    assert.ok(fixAt > 0 && retryAt > fixAt, text);
    assert.match(text, /run again with no change 5 times/);
  });

  it('offers no retry once the failure came back unchanged: it is not transient', () => {
    assert.equal(knownFixesText(FINGERPRINT, failure(5, 1), []), '');
    assert.doesNotMatch(
      knownFixesText(FINGERPRINT, failure(5, 1), [fix('aaaaaaaaaaaaaaaa', FINGERPRINT, 1)]),
      /transient/,
    );
  });

  it('never offers a fix of another failure', () => {
    const text = knownFixesText(FINGERPRINT, failure(0, 0), [
      fix('bbbbbbbbbbbbbbbb', 'ffffffffffffffff', 9),
      fix('aaaaaaaaaaaaaaaa', FINGERPRINT, 1),
    ]);
    assert.doesNotMatch(text, /bbbbbbbbbbbbbbbb/);
    assert.match(text, /1\. Changed aaaaaaaaaaaaaaaa\.py/);
  });
});
