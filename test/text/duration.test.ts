import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationSchema, formatDuration, parseDuration } from '../../src/text/duration.js';

describe('parseDuration', () => {
  const table: Array<[string | number, number | undefined]> = [
    [90, 90_000],
    [1.5, 1_500],
    ['90', 90_000],
    ['90s', 90_000],
    ['250ms', 250],
    ['45m', 2_700_000],
    ['2h', 7_200_000],
    ['1.5h', 5_400_000],
    ['1d', 86_400_000],
    [' 2h ', 7_200_000],
    ['2 h', 7_200_000],
    [0, undefined],
    [-5, undefined],
    [Number.NaN, undefined],
    [Number.POSITIVE_INFINITY, undefined],
    ['0s', undefined],
    ['0.2ms', undefined],
    [0.0001, undefined],
    ['', undefined],
    ['soon', undefined],
    ['-1m', undefined],
    ['2x', undefined],
    ['1h30m', 5_400_000],
    ['1h 30m', 5_400_000],
    ['2m30s', 150_000],
    ['1d12h', 129_600_000],
    ['1h30m15s', 5_415_000],
    ['1s500ms', 1_500],
    ['30m1h', undefined],
    ['1h1h', undefined],
    ['1h30', undefined],
    ['h30m', undefined],
    ['1h-30m', undefined],
    ['2H', undefined],
    ['.5s', undefined],
  ];
  for (const [input, expected] of table) {
    it(`reads ${JSON.stringify(input)} as ${expected === undefined ? 'not a duration' : `${expected} ms`}`, () => {
      assert.equal(parseDuration(input), expected);
    });
  }
});

describe('durationSchema', () => {
  it('outputs milliseconds and refuses what parseDuration cannot read', () => {
    assert.equal(durationSchema.parse('15m'), 900_000);
    assert.equal(durationSchema.parse('1h30m'), 5_400_000);
    assert.equal(durationSchema.parse(30), 30_000);
    const refused = durationSchema.safeParse('tomorrow');
    assert.equal(refused.success, false);
    assert.equal(
      refused.error?.issues[0]?.message,
      'must be a positive duration: seconds as a number, or "90s", "45m", "2h", "1h30m"',
    );
    assert.equal(durationSchema.safeParse(true).success, false);
  });
});

describe('formatDuration', () => {
  it('writes milliseconds, seconds, minutes and hours', () => {
    assert.deepEqual(
      [250, 1_500, 45_000, 90_000, 7_200_000, 5_430_000].map((milliseconds) => formatDuration(milliseconds)),
      ['250 ms', '1.5 s', '45 s', '1 min 30 s', '2 h 00 min', '1 h 30 min'],
    );
  });
});
