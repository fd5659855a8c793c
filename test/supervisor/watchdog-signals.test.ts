import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readWorkerLog } from '../fixtures/watchdog-harness.js';
import {
  TSX_LOADER,
  fixturePath,
  livingMembersOfGroup,
  waitFor,
  waitUntilGroupGone,
} from '../fixtures/process-helpers.js';

interface SupervisorRun {
  logFile: string;
  stderr: () => string;
  ended: Promise<[number | null, NodeJS.Signals | null]>;
  supervisorPid: number;
  remove: () => void;
}

/** Starts test/fixtures/watchdog-supervisor.ts (a real watchdog process) and waits until its worker is ready. */
async function startSupervisor(
  plan: string,
  settings: { stopGraceMs?: number } = {},
): Promise<SupervisorRun & { workerPid: number }> {
  const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-watchdog-signal-'));
  const logFile = join(directory, 'worker.log');
  const child = spawn(
    process.execPath,
    [
      '--import',
      TSX_LOADER,
      fixturePath('watchdog-supervisor.ts'),
      JSON.stringify({ plan, log: logFile, heartbeatDirectory: join(directory, 'watchdog'), ...settings }),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const ended = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const readLog = (): string => {
    try {
      return readFileSync(logFile, 'utf8');
    } catch {
      return '';
    }
  };
  assert.ok(
    await waitFor(() => readLog().includes('ready'), 20_000),
    `the worker did not get ready; stderr: ${stderr}`,
  );
  const workerPid = readWorkerLog(logFile)[0]!.pid;
  assert.ok(livingMembersOfGroup(workerPid).length >= 2, 'the worker and its sleep run in the worker’s group');
  return {
    logFile,
    stderr: () => stderr,
    ended,
    supervisorPid: child.pid!,
    workerPid,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

describe('watchdog: signals to the supervisor process', { concurrency: true, timeout: 60_000 }, () => {
  it('forwards SIGTERM to the worker, which stops; no restart, exit with the worker’s code, nothing of its group left', async () => {
    const run = await startSupervisor('serve');
    try {
      process.kill(run.supervisorPid, 'SIGTERM');
      const [code, signal] = await run.ended;
      assert.equal(signal, null);
      assert.equal(code, 130, run.stderr());
      assert.ok(readFileSync(run.logFile, 'utf8').includes('stopping'), 'the worker received the forwarded SIGTERM');
      assert.equal(readWorkerLog(run.logFile).length, 1, 'not restarted');
      assert.match(run.stderr(), /SIGTERM received: forwarding it to the worker \(pid \d+\); no restart/);
      assert.deepEqual(await waitUntilGroupGone(run.workerPid), []);
    } finally {
      run.remove();
    }
  });

  it('exits 130 when the forwarded SIGINT kills the worker', async () => {
    const run = await startSupervisor('serve');
    try {
      process.kill(run.supervisorPid, 'SIGINT');
      const [code] = await run.ended;
      assert.equal(code, 130, run.stderr());
      assert.equal(readWorkerLog(run.logFile).length, 1);
      assert.deepEqual(await waitUntilGroupGone(run.workerPid), []);
    } finally {
      run.remove();
    }
  });

  it('kills a worker that ignores SIGTERM when the grace period ends, and restarts nothing', async () => {
    const run = await startSupervisor('stubborn', { stopGraceMs: 300 });
    try {
      process.kill(run.supervisorPid, 'SIGTERM');
      const [code] = await run.ended;
      assert.equal(code, 137, run.stderr());
      assert.ok(readFileSync(run.logFile, 'utf8').includes('ignored SIGTERM'));
      assert.match(run.stderr(), /did not end within 300 ms of SIGTERM; killing it/);
      assert.equal(readWorkerLog(run.logFile).length, 1);
      assert.deepEqual(await waitUntilGroupGone(run.workerPid), []);
    } finally {
      run.remove();
    }
  });

  it('leaves no worker behind when the supervisor itself is killed by an unhandled signal (SIGHUP)', async () => {
    const run = await startSupervisor('serve');
    try {
      process.kill(run.supervisorPid, 'SIGHUP');
      const [, signal] = await run.ended;
      assert.equal(signal, 'SIGHUP');
      assert.deepEqual(await waitUntilGroupGone(run.workerPid), []);
    } finally {
      run.remove();
    }
  });
});
