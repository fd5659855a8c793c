import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findCommandWords } from '../../../src/servers/shell/command-words.js';

function words(line: string): string[] {
  const scan = findCommandWords(line);
  assert.deepEqual(scan.uncheckable, [], `"${line}" is checkable`);
  return scan.commandWords;
}

describe('findCommandWords', () => {
  it('finds the program of every command in lists and pipelines, skipping assignments and redirections', () => {
    assert.deepEqual(words('echo hi | grep h && ls -la > out.txt 2>&1; FOO=bar make test || <in sort'), [
      'echo',
      'grep',
      'ls',
      'make',
      'sort',
    ]);
  });

  it('looks inside command substitutions, arithmetic, parameter defaults, subshells and groups', () => {
    assert.deepEqual(words('echo "$(id -u)" `date` $(( $(nproc) + 1 )) ${X:-$(curl x)}; (cd a; make) | { tee log; }'), [
      'echo',
      'cd',
      'make',
      'tee',
      'id',
      'date',
      'nproc',
      'curl',
    ]);
  });

  it('reads compound commands: if, for, case, [[ ]], functions, exec', () => {
    assert.deepEqual(words('if [ -f x ]; then cat x; else touch x; fi'), ['[', 'cat', 'touch']);
    assert.deepEqual(words('for f in rm a b; do wc "$f"; done'), ['wc']);
    assert.deepEqual(words('case "$x" in rm|b) head x;; *) tail x;; esac; pwd'), ['head', 'tail', 'pwd']);
    assert.deepEqual(words('[[ -f a && -f b ]] && ls'), ['ls']);
    assert.deepEqual(words('f() { rm -rf x; }; f'), ['rm', 'f']);
    assert.deepEqual(words('exec python3 train.py'), ['python3']);
  });

  it('ignores quoted operators, comments and here-document bodies', () => {
    assert.deepEqual(words('echo \'a;rm b\' "c|rm d" # rm e'), ['echo']);
    assert.deepEqual(words('cat <<EOF\nrm -rf /\nEOF\nls'), ['cat', 'ls']);
  });

  it('reports program names built by expansions and lines it cannot read as uncheckable', () => {
    assert.deepEqual(findCommandWords('$tool --version').uncheckable, ['$tool']);
    assert.deepEqual(findCommandWords('"$(which rm)" x').uncheckable, ['"$(which rm)"']);
    assert.equal(findCommandWords('echo "unterminated').uncheckable.length, 1);
  });
});
