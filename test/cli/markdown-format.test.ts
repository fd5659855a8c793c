import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { costCell, costText } from '../../src/events/cost-text.js';
import { diffStat } from '../../src/cli/report/diff-stat.js';
import { escapeMarkdown, markdownTable, usd } from '../../src/cli/report/markdown-format.js';

describe('escapeMarkdown: free text renders as written', () => {
  it('escapes the underscores of __init__ but leaves those inside a word alone', () => {
    assert.equal(
      escapeMarkdown('SFTTrainer.__init__() got max_seq_length'),
      'SFTTrainer.\\_\\_init\\_\\_() got max_seq_length',
    );
    assert.equal(
      escapeMarkdown('shell__run_command'),
      'shell__run_command',
      'underscores between letters never make emphasis',
    );
    assert.equal(escapeMarkdown('_private and trailing_'), '\\_private and trailing\\_');
    assert.equal(escapeMarkdown('__bold__'), '\\_\\_bold\\_\\_');
  });

  it('escapes \\ * [ ] > # ~ and a < that could open a tag; leaves <$0.01 and a < b alone', () => {
    assert.equal(
      escapeMarkdown('*a* [link](x) > q # h ~s~ C:\\dir'),
      '\\*a\\* \\[link\\](x) \\> q \\# h \\~s\\~ C:\\\\dir',
    );
    assert.equal(escapeMarkdown('<script> </b> <!-- <https://x>'), '\\<script\\> \\</b\\> \\<!-- \\<https://x\\>');
    assert.equal(escapeMarkdown('<$0.01 and 1 < 2'), '<$0.01 and 1 < 2');
  });

  it('keeps code spans the text holds as they are, and escapes a backtick that closes nothing', () => {
    assert.equal(
      escapeMarkdown('features (`labels` in __this__ case)'),
      'features (`labels` in \\_\\_this\\_\\_ case)',
    );
    assert.equal(escapeMarkdown('call `__init__` now'), 'call `__init__` now', 'inside a code span nothing is escaped');
    assert.equal(escapeMarkdown('a ``x ` y`` b'), 'a ``x ` y`` b', 'a span closes on a run of the same length');
    assert.equal(escapeMarkdown("it's `open *here*"), "it's \\`open \\*here\\*");
  });
});

describe('usd: money in cents', () => {
  it('shows cents from a cent up, <$0.01 below, $0.00 for nothing', () => {
    assert.equal(usd(1.234), '$1.23');
    assert.equal(usd(0.05), '$0.05');
    assert.equal(usd(0.01), '$0.01');
    assert.equal(usd(0.0099), '<$0.01');
    assert.equal(usd(0.0001), '<$0.01');
    assert.equal(usd(0), '$0.00');
    assert.equal(usd(1234.5), '$1,234.50');
    assert.equal(usd(0.1 + 0.05), '$0.15');
  });

  it('composes with costText and costCell where part of the cost is unknown', () => {
    assert.equal(costText(0.004, ['fake/x'], usd), '<$0.01 + cost unknown for fake/x');
    assert.equal(costText(0, ['fake/x'], usd), 'cost unknown for fake/x');
    assert.equal(costText(0, [], usd), '$0.00');
    assert.equal(costCell(0.022, 1, usd), '$0.02 + unknown');
    assert.equal(costCell(0, 2, usd), 'unknown');
  });
});

describe('markdownTable', () => {
  it('right-aligns the columns it is told to, and makes cells one line with pipes escaped', () => {
    assert.deepEqual(
      markdownTable(
        ['Tool', 'Count'],
        [
          ['a|b', '3'],
          ['x\ny', '10'],
        ],
        ['left', 'right'],
      ),
      ['| Tool | Count |', '|---|---:|', '| a\\|b | 3 |', '| x y | 10 |'],
    );
    assert.deepEqual(markdownTable(['A', 'B'], [])[1], '|---|---|', 'left by default');
  });
});

describe('diffStat', () => {
  it('counts lines added and removed per file, by the hunk headers (a changed line may start with --- or +++)', () => {
    const diff = [
      '--- a/train.py',
      '+++ b/train.py',
      '@@ -1,3 +1,3 @@',
      ' keep',
      '---old-comment',
      '+++new-comment',
      ' keep',
      '@@ -10 +10,2 @@',
      '-x',
      '+y',
      '+z',
      '\\ No newline at end of file',
      '--- /dev/null',
      '+++ b/new.py',
      '@@ -0,0 +1,2 @@',
      '+a',
      '+b',
      '--- a/gone.py',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-bye',
    ].join('\n');
    assert.deepEqual(diffStat(diff), [
      { file: 'train.py', added: 3, removed: 2 },
      { file: 'new.py', added: 2, removed: 0 },
      { file: 'gone.py', added: 0, removed: 1 },
    ]);
  });

  it("reads the filesystem server's edit_file result: a fenced diff with tab-suffixed names", () => {
    const result = [
      '```diff',
      'Index: /w/train.py',
      '='.repeat(67),
      '--- /w/train.py\toriginal',
      '+++ /w/train.py\tmodified',
      '@@ -1,2 +1,1 @@',
      ' a',
      '-b',
      '```',
      '',
    ].join('\n');
    assert.deepEqual(diffStat(result), [{ file: '/w/train.py', added: 0, removed: 1 }]);
  });
});
