import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchesGlob, matchesPathPattern } from '../../../src/servers/filesystem/glob-match.js';

describe('matchesGlob', () => {
  const cases: Array<[path: string, pattern: string, expected: boolean]> = [
    ['a.ts', '*.ts', true],
    ['src/a.ts', '*.ts', false],
    ['src/a.ts', '**/*.ts', true],
    ['a.ts', '**/*.ts', true],
    ['src/x/y/a.ts', 'src/**/*.ts', true],
    ['src/a.ts', 'src/**/*.ts', true],
    ['lib/a.ts', 'src/**/*.ts', false],
    ['x/y/z', 'x/**', true],
    ['.env', '*', true],
    ['a.js', '*.{ts,js}', true],
    ['a.md', '*.{ts,js}', false],
    ['a.test.ts', '*.{test,spec}.{ts,js}', true],
    ['ab', 'a?', true],
    ['a/b', 'a?b', false],
    ['a1', 'a[0-9]', true],
    ['ab', 'a[!0-9]', true],
    ['a1', 'a[!0-9]', false],
    ['a[', 'a[', true],
    ['a{', 'a{', true],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['a*b', 'a\\*b', true],
    ['axb', 'a\\*b', false],
    ['a(1)+', 'a(1)+', true],
  ];
  for (const [path, pattern, expected] of cases) {
    it(`${expected ? 'matches' : 'does not match'} ${path} with ${pattern}`, () => {
      assert.equal(matchesGlob(path, pattern), expected);
    });
  }
});

describe('matchesPathPattern', () => {
  it('matches a pattern without a slash against the name at any depth', () => {
    assert.equal(matchesPathPattern('src/deep/a.ts', '*.ts'), true);
    assert.equal(matchesPathPattern('src/node_modules', 'node_modules'), true);
    assert.equal(matchesPathPattern('src/node_modules_old', 'node_modules'), false);
  });

  it('matches a pattern with a slash against the whole relative path', () => {
    assert.equal(matchesPathPattern('src/a.ts', 'src/*.ts'), true);
    assert.equal(matchesPathPattern('lib/src/a.ts', 'src/*.ts'), false);
    assert.equal(matchesPathPattern('build', './build/'), true);
    assert.equal(matchesPathPattern('out/build/x', './out/build/'), false);
    assert.equal(matchesPathPattern('out/build', './out/build/'), true);
  });
});
