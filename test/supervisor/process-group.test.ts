import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { MuxSwarmError } from '../../src/errors/mux-swarm-error.js';
import { trackedProcessGroups } from '../../src/supervisor/process-group-registry.js';
import { isProcessGroupAlive, killProcessGroup } from '../../src/supervisor/process-group.js';
import { spawnInProcessGroup } from '../../src/supervisor/spawn-child.js';
import { livingMembersOfGroup, waitFor } from '../fixtures/process-helpers.js';

function processGroupOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

describe('spawnInProcessGroup', () => {
  it('starts the child as the leader of a new process group and tracks the group', async () => {
    const child = spawnInProcessGroup('sleep', ['60'], { stdio: 'ignore' });
    const pid = child.pid as number;
    try {
      assert.equal(processGroupOf(pid), pid);
      assert.notEqual(processGroupOf(process.pid), pid);
      assert.ok(trackedProcessGroups().includes(pid));
    } finally {
      await killProcessGroup(pid, { graceMs: 500 });
    }
    assert.ok(!trackedProcessGroups().includes(pid), 'a killed group is no longer tracked');
  });
});

describe('killProcessGroup', () => {
  it('kills the leader and its grandchildren, and resolves once none of them runs', async () => {
    const child = spawnInProcessGroup('sh', ['-c', 'sleep 60 & sleep 60 & wait'], { stdio: 'ignore' });
    const pid = child.pid as number;
    assert.ok(await waitFor(() => livingMembersOfGroup(pid).length === 3), 'sh and two sleeps are running');
    const started = Date.now();
    await killProcessGroup(pid, { graceMs: 2_000 });
    assert.deepEqual(livingMembersOfGroup(pid), []);
    assert.ok(Date.now() - started < 1_000, 'processes that obey SIGTERM do not wait for the grace period');
  });

  it('sends SIGKILL after the grace period to processes that ignore SIGTERM', async () => {
    // A trap of "" makes the shell and the sleep it starts ignore SIGTERM.
    const child = spawnInProcessGroup('sh', ['-c', 'trap "" TERM; sleep 60 & wait'], { stdio: 'ignore' });
    const pid = child.pid as number;
    assert.ok(await waitFor(() => livingMembersOfGroup(pid).length === 2));
    const started = Date.now();
    await killProcessGroup(pid, { graceMs: 300 });
    const elapsed = Date.now() - started;
    assert.deepEqual(livingMembersOfGroup(pid), []);
    assert.ok(elapsed >= 300 && elapsed < 2_000, `took ${elapsed} ms`);
  });

  it('resolves at once for a group that is already gone', async () => {
    const child = spawn('true', { detached: true, stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    const started = Date.now();
    await killProcessGroup(child.pid as number);
    assert.ok(Date.now() - started < 200);
  });

  it('refuses group ids that would signal our own group or every process', async () => {
    for (const id of [0, 1, -4, 2.5]) {
      await assert.rejects(killProcessGroup(id), (error: unknown) => {
        assert.ok(error instanceof MuxSwarmError);
        assert.equal(error.code, 'invalid-process-group-id');
        return true;
      });
    }
  });
});

describe('isProcessGroupAlive', () => {
  it('is true while a member runs and false once only dead (possibly unreaped) members remain', async () => {
    const child = spawnInProcessGroup('sh', ['-c', 'sleep 0.3 & exit 0'], { stdio: 'ignore' });
    const pid = child.pid as number;
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(isProcessGroupAlive(pid), true, 'the background sleep still runs after its shell exited');
    assert.ok(await waitFor(() => !isProcessGroupAlive(pid), 3_000));
    await delay(10);
    await killProcessGroup(pid); // nothing left to kill; untracks it
    assert.ok(!trackedProcessGroups().includes(pid));
  });
});
