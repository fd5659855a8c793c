import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineTail } from '../../src/supervisor/line-tail.js';

describe('LineTail', () => {
  it('keeps the last lines, joining lines split across chunks, with an unfinished last line', () => {
    const tail = new LineTail(3);
    tail.push(Buffer.from('one\ntw'));
    tail.push(Buffer.from('o\r\nthree\nfour\nfi'));
    assert.deepEqual(tail.lines(), ['three', 'four', 'fi']);
    tail.push('ve\n');
    assert.deepEqual(tail.lines(), ['three', 'four', 'five']);
  });

  it('decodes a UTF-8 character split across chunks and cuts very long lines', () => {
    const tail = new LineTail(5);
    const bytes = Buffer.from('café\n');
    tail.push(bytes.subarray(0, 4));
    tail.push(bytes.subarray(4));
    tail.push(`${'x'.repeat(5_000)}\n`);
    const [word, long] = tail.lines();
    assert.equal(word, 'café');
    assert.equal(long!.length, 2_001);
  });
});
