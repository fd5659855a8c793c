import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { appendExperimentResult, readExperimentResults } from '../../../src/state/experiment-results.js';

const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-results-log-'));
after(() => rmSync(directory, { recursive: true, force: true }));

const baseline = (repeat: number, metric: number | null) => ({
  kind: 'baseline' as const,
  iteration: 0 as const,
  repeat,
  commit: 'c0',
  metric,
  durationMs: 5,
  startedAt: 's',
  endedAt: 'e',
});

describe('the results log', () => {
  it('reads an absent log as empty', () => {
    assert.deepEqual(readExperimentResults(join(directory, 'absent.jsonl')), {
      start: undefined,
      baselines: [],
      experiments: [],
      tornTail: false,
    });
  });

  it('appends versioned lines, ignores a last line a crash cut off, and cuts it away at the next append', () => {
    const path = join(directory, 'torn.jsonl');
    appendExperimentResult(path, baseline(1, 0.5));
    appendFileSync(path, '{"schemaVersion":1,"kind":"base');
    const torn = readExperimentResults(path);
    assert.equal(torn.tornTail, true);
    assert.deepEqual(
      torn.baselines.map((line) => line.repeat),
      [1],
    );

    appendExperimentResult(path, baseline(2, null));
    const lines = readFileSync(path, 'utf8').split('\n');
    assert.deepEqual(
      lines.map((line) => (line === '' ? '' : (JSON.parse(line) as { repeat: number }).repeat)),
      [1, 2, ''],
      'the fragment is gone, no line glued onto it',
    );
    assert.equal(JSON.parse(lines[0]!).schemaVersion, 1);
    assert.equal(readExperimentResults(path).tornTail, false);
  });

  it('refuses a whole line it cannot read, naming the file and the line', () => {
    const path = join(directory, 'bad.jsonl');
    writeFileSync(
      path,
      `${JSON.stringify({ schemaVersion: 1, ...baseline(1, 0.5) })}\n${JSON.stringify({ schemaVersion: 2, kind: 'baseline' })}\n`,
    );
    assert.throws(
      () => readExperimentResults(path),
      new RegExp(
        `^MuxSwarmError: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 2 is not a results line this mux-swarm reads \\(schemaVersion: `,
      ),
    );
  });
});
