import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  readHeartbeat,
  startHeartbeat,
  startHeartbeatFromEnvironment,
  withHeartbeat,
  writeHeartbeat,
} from '../../src/supervisor/heartbeat.js';
import { monitorHeartbeat } from '../../src/supervisor/watchdog-heartbeat-monitor.js';
import { waitFor } from '../fixtures/process-helpers.js';

const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-heartbeat-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('heartbeat (worker side)', () => {
  it('does nothing when MUX_SWARM_HEARTBEAT_FILE is not set', () => {
    assert.equal(startHeartbeatFromEnvironment({}), undefined);
  });

  it('writes a beat at once with the pid and the time, then keeps beating until stopped', async () => {
    const file = join(directory, 'beating.json');
    const heartbeat = startHeartbeatFromEnvironment({
      MUX_SWARM_HEARTBEAT_FILE: file,
      MUX_SWARM_HEARTBEAT_INTERVAL_MS: '20',
    });
    assert.ok(heartbeat !== undefined);
    try {
      assert.equal(heartbeat.intervalMs, 20);
      const first = readHeartbeat(file);
      assert.ok(first !== undefined, 'the first beat is written at start');
      assert.equal(first.pid, process.pid);
      assert.equal(first.time, new Date(first.timeMs).toISOString());
      assert.ok(await waitFor(() => (readHeartbeat(file)?.timeMs ?? 0) > first.timeMs, 2_000), 'later beats follow');
    } finally {
      heartbeat.stop();
    }
    const last = readHeartbeat(file)!.timeMs;
    await delay(100);
    assert.equal(readHeartbeat(file)!.timeMs, last, 'no beat after stop');
    assert.deepEqual(
      readdirSync(directory).filter((name) => name.endsWith('.tmp')),
      [],
      'no temporary file left',
    );
  });

  it('falls back to the default interval when the variable is not a positive whole number', () => {
    const heartbeat = startHeartbeatFromEnvironment({
      MUX_SWARM_HEARTBEAT_FILE: join(directory, 'default.json'),
      MUX_SWARM_HEARTBEAT_INTERVAL_MS: 'soon',
    });
    heartbeat!.stop();
    assert.equal(heartbeat!.intervalMs, DEFAULT_HEARTBEAT_INTERVAL_MS);
  });

  it('withHeartbeat beats while the work runs and stops when it settles, also when it throws', async () => {
    const file = join(directory, 'with.json');
    const environment = { MUX_SWARM_HEARTBEAT_FILE: file, MUX_SWARM_HEARTBEAT_INTERVAL_MS: '20' };
    await assert.rejects(
      withHeartbeat(async () => {
        await delay(80);
        assert.ok(readHeartbeat(file) !== undefined);
        throw new Error('work failed');
      }, environment),
      /work failed/,
    );
    const last = readHeartbeat(file)!.timeMs;
    await delay(100);
    assert.equal(readHeartbeat(file)!.timeMs, last);
  });

  it('does not throw when the file cannot be written, and says so once on stderr', async () => {
    const warnings: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => warnings.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      const heartbeat = startHeartbeat(join(directory, 'missing-directory', 'beat.json'), 10);
      await delay(60);
      heartbeat.stop();
      assert.equal(readHeartbeat(heartbeat.file), undefined);
    } finally {
      process.stderr.write = write;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^mux-swarm: cannot write the heartbeat file .*missing-directory\/beat\.json: ENOENT/);
  });

  it('reads nothing from a file that is not a beat', () => {
    const file = join(directory, 'garbage.json');
    writeFileSync(file, '{"half":');
    assert.equal(readHeartbeat(file), undefined);
  });
});

describe('heartbeat monitor (watchdog side)', () => {
  it('stays quiet while beats are fresh and reports once when they stop', async () => {
    const file = join(directory, 'monitored.json');
    const stale: Array<[number, boolean]> = [];
    writeHeartbeat(file);
    const monitor = monitorHeartbeat({
      file,
      startedAtMs: Date.now(),
      timeoutMs: 300,
      startupGraceMs: 300,
      checkIntervalMs: 20,
      onStale: (silentMs, sawBeat) => stale.push([silentMs, sawBeat]),
    });
    try {
      const beater = setInterval(() => writeHeartbeat(file), 30);
      await delay(500);
      clearInterval(beater);
      assert.deepEqual(stale, [], 'fresh beats are not stale');
      assert.ok(await waitFor(() => stale.length > 0, 2_000));
      await delay(100);
      assert.equal(stale.length, 1, 'reported once');
      assert.ok(stale[0]![0] > 300);
      assert.equal(stale[0]![1], true);
    } finally {
      monitor.stop();
    }
  });

  it('measures the first beat from the start, with the start-up grace', async () => {
    const file = join(directory, 'never-written.json');
    const stale: boolean[] = [];
    const monitor = monitorHeartbeat({
      file,
      startedAtMs: Date.now(),
      timeoutMs: 50,
      startupGraceMs: 300,
      checkIntervalMs: 20,
      onStale: (_silentMs, sawBeat) => stale.push(sawBeat),
    });
    try {
      await delay(150);
      assert.deepEqual(stale, [], 'still within the start-up grace, though past the timeout');
      assert.ok(await waitFor(() => stale.length > 0, 2_000));
      assert.deepEqual(stale, [false]);
    } finally {
      monitor.stop();
    }
  });
});
