import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diffLines } from '../../../src/servers/filesystem/line-diff.js';
import { createUnifiedDiff } from '../../../src/servers/filesystem/unified-diff.js';

const header = `Index: f.txt\n${'='.repeat(67)}\n--- f.txt\toriginal\n+++ f.txt\tmodified\n`;

describe('createUnifiedDiff', () => {
  it('prints separate hunks with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n';
    const after = 'a\nB\nc\nd\ne\nf\ng\nh\ni\nj\nk\nl';
    assert.equal(
      createUnifiedDiff(before, after, 'f.txt'),
      `${header}@@ -1,5 +1,5 @@\n a\n-b\n+B\n c\n d\n e\n@@ -9,3 +9,4 @@\n i\n j\n k\n+l\n\\ No newline at end of file\n`,
    );
  });

  it('merges changes closer than twice the context into one hunk', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'A\nb\nc\nd\ne\nf\nG\n';
    assert.equal(
      createUnifiedDiff(before, after, 'f.txt'),
      `${header}@@ -1,7 +1,7 @@\n-a\n+A\n b\n c\n d\n e\n f\n-g\n+G\n`,
    );
  });

  it('numbers an insertion into an empty file from line 0', () => {
    assert.equal(createUnifiedDiff('', 'new\n', 'f.txt'), `${header}@@ -0,0 +1,1 @@\n+new\n`);
  });

  it('prints only the header when nothing changed', () => {
    assert.equal(createUnifiedDiff('same\n', 'same\n', 'f.txt'), header);
  });
});

describe('diffLines', () => {
  it('finds a shortest edit script', () => {
    const operations = diffLines(['a', 'b', 'c', 'a', 'b', 'b', 'a'], ['c', 'b', 'a', 'b', 'a', 'c']);
    const kept = operations.filter((operation) => operation.kind === 'equal').length;
    assert.equal(kept, 4); // the longest common subsequence of the classic Myers example
    assert.deepEqual(
      operations.filter((operation) => operation.kind !== 'insert').map((operation) => operation.line),
      ['a', 'b', 'c', 'a', 'b', 'b', 'a'],
    );
    assert.deepEqual(
      operations.filter((operation) => operation.kind !== 'delete').map((operation) => operation.line),
      ['c', 'b', 'a', 'b', 'a', 'c'],
    );
  });
});
