import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LogLineReader } from '../../../src/servers/training/log-line-reader.js';
import { parseProgressLine } from '../../../src/servers/training/progress-line.js';
import { classifyTrainingEnd, type TrainingEndFacts } from '../../../src/servers/training/training-classification.js';

describe('LogLineReader', () => {
  const directory = mkdtempSync(path.join(tmpdir(), 'mux-log-reader-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('returns complete lines with their byte offsets, keeps an unfinished one for later, and takes it at the end', () => {
    const file = path.join(directory, 'a.log');
    writeFileSync(file, 'héllo\n{"event":"log"');
    const reader = new LogLineReader(file, 0);
    assert.deepEqual(reader.readLines(false).lines, [{ offset: 0, text: 'héllo' }]);
    assert.equal(reader.cursor, Buffer.byteLength('héllo\n'));
    appendFileSync(file, ',"step":1}\r\nlast');
    assert.deepEqual(reader.readLines(false).lines, [{ offset: 7, text: '{"event":"log","step":1}' }]);
    assert.deepEqual(reader.readLines(true).lines, [{ offset: 33, text: 'last' }]);
    assert.deepEqual(reader.readLines(true).lines, []);
  });

  it('reads a log larger than one slice in several calls without losing a line', () => {
    const file = path.join(directory, 'big.log');
    const line = `${'x'.repeat(999)}\n`;
    writeFileSync(file, line.repeat(2_500)); // 2.5 MB
    const reader = new LogLineReader(file, 0);
    let lines = 0;
    let calls = 0;
    for (let more = true; more; calls += 1) {
      const read = reader.readLines(false);
      lines += read.lines.length;
      more = read.more;
    }
    assert.equal(lines, 2_500);
    assert.ok(calls >= 3);
  });
});

describe('parseProgressLine', () => {
  it('accepts JSON objects with a string event and reads their numbers', () => {
    const record = parseProgressLine('  {"event": "eval", "step": 50, "eval_loss": 1.41, "note": "x"}  ');
    assert.deepEqual(record?.numbers, { eval_loss: 1.41 });
    assert.equal(record?.step, 50);
  });

  it('leaves everything else to the log', () => {
    for (const line of [
      '{"loss": 1.2}',
      '{"event": 3}',
      '{"event": ""}',
      "{'event': 'log'}",
      '[1, 2]',
      'step 3 loss 1.2',
      '{"event":"log"',
    ]) {
      assert.equal(parseProgressLine(line), undefined, line);
    }
  });

  it("reads Python's bare NaN and Infinity as non-finite values", () => {
    const record = parseProgressLine(
      '{"event": "log", "step": 3, "loss": NaN, "grad_norm": Infinity, "lr": -Infinity, "label": "NaN here"}',
    );
    assert.deepEqual(record?.nonFinite.sort(), ['grad_norm', 'loss', 'lr']);
    assert.deepEqual(record?.numbers, {});
    assert.equal(record?.data.label, 'NaN here');
  });
});

describe('classifyTrainingEnd', () => {
  const base: TrainingEndFacts = {
    state: 'exited',
    exitCode: 0,
    signal: null,
    exitStatusKnown: true,
    stopRequested: false,
    sawDone: true,
    logTail: '',
  };

  it('says when a job exited 0 without its done line', () => {
    assert.deepEqual(classifyTrainingEnd({ ...base, sawDone: false }), {
      classification: 'success',
      summary: 'exited with code 0, but printed no done line',
    });
  });

  it('puts a time limit before what the program did when it was stopped', () => {
    const outcome = classifyTrainingEnd({
      ...base,
      state: 'timed_out',
      exitCode: null,
      signal: 'SIGTERM',
      lastCheckpoint: { step: 40, path: 'out/checkpoint-40', afterStop: true },
    });
    assert.equal(outcome.classification, 'timed_out');
    assert.equal(
      outcome.summary,
      'reached its time limit and was stopped (checkpoint saved at step 40: out/checkpoint-40)',
    );
  });

  it('reads a job that ended unseen without an exit file as unknown', () => {
    assert.equal(classifyTrainingEnd({ ...base, exitCode: null, exitStatusKnown: false }).classification, 'unknown');
  });

  it('finds a GPU out-of-memory error even when the traceback is cut off', () => {
    const outcome = classifyTrainingEnd({
      ...base,
      exitCode: 1,
      logTail: 'step 3\nRuntimeError: CUDA error: out of memory\nCUDA kernel errors might be asynchronously reported',
    });
    assert.equal(outcome.classification, 'cuda_oom');
  });

  it('names a signal other than SIGKILL without guessing the OOM killer', () => {
    assert.equal(classifyTrainingEnd({ ...base, exitCode: null, signal: 'SIGSEGV' }).summary, 'killed by SIGSEGV');
  });
});
