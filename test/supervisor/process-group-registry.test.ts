import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { TSX_LOADER, fixturePath, livingMembersOfGroup, waitUntilGroupGone } from '../fixtures/process-helpers.js';

/** Runs the fixture, returns the group id it started and a promise of how it ended. */
async function startFixture(mode: string): Promise<{
  processGroupId: number;
  pid: number;
  ended: Promise<[number | null, NodeJS.Signals | null]>;
}> {
  const child = spawn(process.execPath, ['--import', TSX_LOADER, fixturePath('spawn-group-then-end.ts'), mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ended = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stdout = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    stdout += chunk;
    if (stdout.includes('\n')) break;
  }
  const processGroupId = Number(stdout.trim());
  assert.ok(processGroupId > 1, `fixture printed a group id, got ${JSON.stringify(stdout)}`);
  return { processGroupId, pid: child.pid as number, ended };
}

describe('process group registry', { concurrency: true }, () => {
  it('kills tracked groups when mux-swarm calls process.exit', async () => {
    const fixture = await startFixture('exit');
    const [code] = await fixture.ended;
    assert.equal(code, 3);
    assert.deepEqual(await waitUntilGroupGone(fixture.processGroupId), []);
  });

  it('kills tracked groups when mux-swarm dies of an uncaught exception', async () => {
    const fixture = await startFixture('throw');
    const [code] = await fixture.ended;
    assert.notEqual(code, 0);
    assert.deepEqual(await waitUntilGroupGone(fixture.processGroupId), []);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`kills tracked groups on ${signal} and still dies of that signal`, async () => {
      const fixture = await startFixture('wait');
      assert.ok(livingMembersOfGroup(fixture.processGroupId).length > 0, 'the sleep runs before the signal');
      process.kill(fixture.pid, signal);
      const [code, endedBy] = await fixture.ended;
      assert.equal(code, null);
      assert.equal(endedBy, signal);
      assert.deepEqual(await waitUntilGroupGone(fixture.processGroupId), []);
    });
  }

  it('leaves SIGINT to an application handler and kills the groups when that handler exits', async () => {
    const fixture = await startFixture('handled');
    process.kill(fixture.pid, 'SIGINT');
    const [code] = await fixture.ended;
    assert.equal(code, 0, 'the application handler, not ours, decided how to exit');
    assert.deepEqual(await waitUntilGroupGone(fixture.processGroupId), []);
  });
});
