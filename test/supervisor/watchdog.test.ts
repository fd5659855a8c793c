import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, it } from 'node:test';
import { Watchdog } from '../../src/supervisor/watchdog.js';
import { crashReportSchema } from '../../src/supervisor/watchdog-crash-report.js';
import { createWatchdogHarness } from '../fixtures/watchdog-harness.js';
import { livingMembersOfGroup, waitFor } from '../fixtures/process-helpers.js';

describe('watchdog: restarts', { timeout: 120_000 }, () => {
  it('restarts a worker killed by SIGKILL with the same command and exits 0 when the next attempt succeeds', async () => {
    const harness = createWatchdogHarness(['sigkill', 'exit:0']);
    try {
      const result = await harness.run();
      assert.equal(result.exitCode, 0, harness.stderr());
      assert.equal(result.outcome, 'worker-finished');
      assert.equal(result.attempts, 2);
      assert.deepEqual(
        harness.attempts().map((entry) => [entry.attempt, entry.plan]),
        [
          [1, 'sigkill'],
          [2, 'exit:0'],
        ],
      );
      assert.equal(
        harness.stdout(),
        'attempt 1 stdout\nattempt 2 stdout\n',
        'both attempts’ stdout passed through untouched',
      );
      assert.match(harness.stderr(), /attempt 1 stderr line 2\n/);
      assert.match(
        harness.stderr(),
        /mux-swarm watch: the worker \(attempt 1, pid \d+\) crashed: killed by SIGKILL; restarting it in 10 ms \(crash 1 of 5/,
      );
      assert.equal(result.crashes.length, 1);
      const [crash] = result.crashes;
      assert.equal(crash!.reason, 'crashed');
      assert.equal(crash!.signal, 'SIGKILL');
      assert.equal(crash!.exitCode, null);
      assert.deepEqual(crash!.stderrTail, ['attempt 1 stderr line 1', 'attempt 1 stderr line 2']);
      assert.deepEqual(readdirSync(harness.heartbeatDirectory), [], 'heartbeat files are removed after each attempt');
    } finally {
      harness.remove();
    }
  });

  for (const code of [0, 1, 2, 3, 130]) {
    it(`does not restart a worker that exits ${code}, and exits ${code} too`, async () => {
      const harness = createWatchdogHarness([`exit:${code}`, 'exit:0']);
      try {
        const result = await harness.run();
        assert.equal(result.exitCode, code, harness.stderr());
        assert.equal(result.outcome, 'worker-finished');
        assert.equal(result.attempts, 1);
        assert.equal(harness.attempts().length, 1);
        assert.deepEqual(result.crashes, []);
        assert.doesNotMatch(harness.stderr(), /restarting/);
      } finally {
        harness.remove();
      }
    });
  }

  it('kills a worker whose event loop is blocked (its heartbeat goes stale), with its whole group, and restarts it', async () => {
    const harness = createWatchdogHarness(['hang', 'exit:0'], { heartbeatTimeoutMs: 500, heartbeatIntervalMs: 50 });
    try {
      const result = await harness.run();
      assert.equal(result.exitCode, 0, harness.stderr());
      assert.equal(result.attempts, 2);
      const [crash] = result.crashes;
      assert.equal(crash!.reason, 'hung');
      assert.equal(crash!.signal, 'SIGKILL');
      assert.match(crash!.description, /^hung: no heartbeat for \d/);
      assert.match(
        harness.stderr(),
        /the worker \(attempt 1, pid \d+\) is hung: no heartbeat for .*; killing its process group/,
      );
      assert.deepEqual(livingMembersOfGroup(harness.attempts()[0]!.pid), []);
    } finally {
      harness.remove();
    }
  });

  it('counts a worker that never beats within the start-up grace as hung', async () => {
    const harness = createWatchdogHarness([], {
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      heartbeatTimeoutMs: 400,
      startupGraceMs: 400,
      heartbeatIntervalMs: 50,
      maxCrashes: 0,
    });
    try {
      const result = await harness.run();
      assert.equal(result.outcome, 'crash-loop');
      assert.equal(result.exitCode, 1);
      assert.equal(result.crashes[0]!.reason, 'hung');
      assert.match(result.crashes[0]!.description, /^hung: no first heartbeat within .* of its start$/);
    } finally {
      harness.remove();
    }
  });
});

describe('watchdog: crash loop', { timeout: 60_000 }, () => {
  it('gives up after more than maxCrashes crashes in the window, with a crash report, and exits 1', async () => {
    const journalPosition = {
      runId: '20260101-000000-abcd',
      status: 'running',
      lastEventSeq: 42,
      database: '/work/.mux-swarm/state.db',
    };
    const harness = createWatchdogHarness(['exit:7', 'sigkill', 'exit:9', 'exit:0'], {
      maxCrashes: 2,
      crashWindowMs: 60_000,
      journalPosition: () => journalPosition,
    });
    try {
      const result = await harness.run();
      assert.equal(result.exitCode, 1);
      assert.equal(result.outcome, 'crash-loop');
      assert.equal(result.attempts, 3);
      assert.equal(harness.attempts().length, 3, 'the fourth attempt (which would succeed) is never started');

      assert.ok(result.crashReportPath !== undefined && existsSync(result.crashReportPath));
      assert.equal(dirname(result.crashReportPath), harness.heartbeatDirectory);
      const report = crashReportSchema.parse(JSON.parse(readFileSync(result.crashReportPath, 'utf8')));
      assert.equal(report.reason, 'crash-loop');
      assert.equal(report.maxCrashes, 2);
      assert.equal(report.crashWindowMs, 60_000);
      assert.equal(report.attempts, 3);
      assert.deepEqual(
        report.crashes.map((crash) => [crash.attempt, crash.reason, crash.exitCode, crash.signal, crash.description]),
        [
          [1, 'crashed', 7, null, 'exit code 7'],
          [2, 'crashed', null, 'SIGKILL', 'killed by SIGKILL'],
          [3, 'crashed', 9, null, 'exit code 9'],
        ],
      );
      assert.deepEqual(report.crashes[2]!.stderrTail, ['attempt 3 stderr line 1', 'attempt 3 stderr line 2']);
      assert.ok(report.crashes.every((crash) => Date.parse(crash.endedAt) >= Date.parse(crash.startedAt)));
      assert.deepEqual(report.journalPosition, journalPosition);
      assert.equal(report.journalPositionError, null);
      assert.ok(report.args.at(-1)!.endsWith('watchdog-worker.ts'));

      const stderr = harness.stderr();
      assert.match(stderr, /the worker crashed 3 times, more than 2 within 1 min 0 s: a crash loop, not restarting it/);
      assert.match(
        stderr,
        /attempt 2 \(pid \d+, ended .*\): killed by SIGKILL\n {6}\| attempt 2 stderr line 1\n {6}\| attempt 2 stderr line 2\n/,
      );
      assert.match(stderr, /journal: run 20260101-000000-abcd \(running\), last event seq 42/);
      assert.ok(stderr.includes(`crash report: ${result.crashReportPath}`));
    } finally {
      harness.remove();
    }
  });

  it('reports a journal position that cannot be read instead of failing', async () => {
    const harness = createWatchdogHarness(['exit:7'], {
      maxCrashes: 0,
      journalPosition: () => {
        throw new Error('database is locked');
      },
    });
    try {
      const result = await harness.run();
      assert.equal(result.exitCode, 1);
      const report = crashReportSchema.parse(JSON.parse(readFileSync(result.crashReportPath!, 'utf8')));
      assert.equal(report.journalPosition, null);
      assert.equal(report.journalPositionError, 'database is locked');
      assert.match(harness.stderr(), /journal: could not be read: database is locked/);
    } finally {
      harness.remove();
    }
  });
});

describe('watchdog: stop', { timeout: 60_000 }, () => {
  it('stopped during the backoff, it restarts nothing and exits 128 + the signal number', async () => {
    const harness = createWatchdogHarness(['sigkill', 'exit:0'], {
      backoff: { baseMs: 60_000, maxMs: 60_000, jitter: 0 },
    });
    try {
      const running = harness.run();
      assert.ok(await waitFor(() => harness.stderr().includes('restarting it in'), 20_000), harness.stderr());
      harness.watchdog.stop('SIGTERM');
      const result = await running;
      assert.equal(result.outcome, 'stopped');
      assert.equal(result.exitCode, 143);
      assert.equal(result.attempts, 1);
      assert.equal(harness.attempts().length, 1);
    } finally {
      harness.remove();
    }
  });

  it('refuses options that cannot work, naming the option', () => {
    assert.throws(
      () =>
        new Watchdog({
          command: 'true',
          args: [],
          heartbeatDirectory: '/tmp',
          heartbeatTimeoutMs: 1_000,
          heartbeatIntervalMs: 800,
        }),
      /watchdog option heartbeatIntervalMs is 800; it must be at most half the heartbeat timeout/,
    );
    assert.throws(
      () => new Watchdog({ command: 'true', args: [], heartbeatDirectory: '/tmp', maxCrashes: -1 }),
      /watchdog option maxCrashes is -1/,
    );
  });
});
