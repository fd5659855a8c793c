import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CrashHistory, type CrashRecord } from '../../src/supervisor/watchdog-crash-history.js';
import { backoffDelay, decideRestart, shellExitCode } from '../../src/supervisor/watchdog-restart-policy.js';

describe('decideRestart', () => {
  it('ends the watchdog with the same code for the outcomes of a run: 0, 1, 2, 3, 130', () => {
    for (const exitCode of [0, 1, 2, 3, 130])
      assert.deepEqual(decideRestart({ exitCode, signal: null }), { action: 'exit', exitCode });
  });

  it('restarts after any other exit code and after any death by a signal', () => {
    assert.deepEqual(decideRestart({ exitCode: 7, signal: null }), { action: 'restart', description: 'exit code 7' });
    assert.deepEqual(decideRestart({ exitCode: 137, signal: null }), {
      action: 'restart',
      description: 'exit code 137',
    });
    assert.deepEqual(decideRestart({ exitCode: null, signal: 'SIGKILL' }), {
      action: 'restart',
      description: 'killed by SIGKILL',
    });
    assert.deepEqual(decideRestart({ exitCode: null, signal: 'SIGSEGV' }), {
      action: 'restart',
      description: 'killed by SIGSEGV',
    });
  });
});

describe('shellExitCode', () => {
  it('is the exit code, or 128 + the signal number', () => {
    assert.equal(shellExitCode({ exitCode: 3, signal: null }), 3);
    assert.equal(shellExitCode({ exitCode: null, signal: 'SIGINT' }), 130);
    assert.equal(shellExitCode({ exitCode: null, signal: 'SIGTERM' }), 143);
    assert.equal(shellExitCode({ exitCode: null, signal: 'SIGKILL' }), 137);
  });
});

describe('backoffDelay', () => {
  const options = { baseMs: 1_000, maxMs: 10_000, jitter: 0.2 };
  const middle = (): number => 0.5;

  it('doubles from the base with each recent crash, up to the cap', () => {
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 50].map((crash) => backoffDelay(crash, options, middle)),
      [1_000, 2_000, 4_000, 8_000, 10_000, 10_000, 10_000],
    );
  });

  it('adds at most ±jitter at random', () => {
    assert.equal(
      backoffDelay(2, options, () => 0),
      1_600,
    );
    assert.equal(
      backoffDelay(2, options, () => 0.999_999),
      2_400,
    );
    for (let index = 0; index < 100; index += 1) {
      const delay = backoffDelay(3, options);
      assert.ok(delay >= 3_200 && delay <= 4_800, `${delay}`);
    }
  });
});

describe('CrashHistory', () => {
  const crashAt = (endedAtMs: number): CrashRecord => ({
    attempt: 1,
    pid: 100,
    startedAtMs: endedAtMs - 10,
    endedAtMs,
    reason: 'crashed',
    exitCode: 7,
    signal: null,
    description: 'exit code 7',
    stderrTail: [],
  });

  it('is a crash loop only with more than maxCrashes crashes inside the window', () => {
    const history = new CrashHistory(2, 60_000);
    history.record(crashAt(0));
    history.record(crashAt(10_000));
    assert.equal(history.isCrashLoop(10_000), false, 'two crashes are tolerated');
    history.record(crashAt(50_000));
    assert.equal(history.isCrashLoop(50_000), true, 'a third within a minute is a loop');
    assert.equal(history.isCrashLoop(65_000), false, 'the first crash has left the window');
    assert.equal(history.recent(65_000).length, 2);
    assert.equal(history.all().length, 3, 'the report keeps every crash');
  });
});
