import assert from 'node:assert/strict';
import { existsSync, fdatasync, fdatasyncSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { WalSyncCalls } from '../../src/state/journal-sync.js';
import { completeTurn as complete, harnessPerTest, type RuntimeHarness } from '../support/runtime-harness.js';

/**
 * The journal is synced off the event loop (state/journal-sync.ts); a tool call that may change things must still
 * start only once its intent is on disk, and one that is safe to run again must not wait for the disk.
 */
describe('journal durability around tool calls', () => {
  const createHarness = harnessPerTest();

  /** The real fdatasync, whose completion `hold` may put off; `seen` runs when each sync starts. */
  function heldSync(hold: (seen: { intent: boolean }) => Promise<void>, intentOf: () => boolean): WalSyncCalls {
    return {
      fdatasync(fd, callback) {
        const seen = { intent: intentOf() };
        fdatasync(fd, (error) => void hold(seen).then(() => callback(error)));
      },
      fdatasyncSync,
    };
  }

  it('a call that may change things (shell__run_command) starts only after a sync that covers its intent has completed', async () => {
    let harness: RuntimeHarness | undefined;
    const intentOf = () =>
      harness?.store.database.prepare(`SELECT 1 FROM tool_calls WHERE name = 'shell__run_command'`).get() !== undefined;
    const observations: Array<{ intent: boolean; writtenBeforeSyncDone: boolean }> = [];
    const walSync = heldSync(async (seen) => {
      // Long enough for a call that did not wait to have written its file by the time the sync completes.
      if (seen.intent) await new Promise((resolve) => setTimeout(resolve, 300));
      observations.push({ intent: seen.intent, writtenBeforeSyncDone: existsSync(join(harness!.workdir, 'out.txt')) });
    }, intentOf);
    harness = await createHarness({
      orchestrator: { mcpServers: ['shell'] },
      walSync,
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'shell__run_command', arguments: { command: 'echo done > out.txt' } }] },
          complete('success', 'wrote it', ['out.txt']),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    const covering = observations.find((observation) => observation.intent);
    assert.ok(covering, 'a sync ran after the intent was journaled');
    assert.equal(covering.writtenBeforeSyncDone, false, 'the file was written only after that sync completed');
    assert.ok(existsSync(join(harness.workdir, 'out.txt')));
  });

  it('a read-only call (skills__list_skills) does not wait for the disk: it finishes while a sync of its intent is held', async () => {
    let harness: RuntimeHarness | undefined;
    const row = () =>
      harness?.store.database.prepare(`SELECT duration_ms FROM tool_calls WHERE name = 'skills__list_skills'`).get() as
        { duration_ms: number | null } | undefined;
    let heldUntilOutcome = false;
    const walSync = heldSync(
      async (seen) => {
        if (!seen.intent) return;
        // Released when the call's outcome is journaled: a runtime that waited for this sync would never get there.
        const deadline = Date.now() + 20_000;
        while (row()?.duration_ms === null || row()?.duration_ms === undefined) {
          if (Date.now() > deadline) throw new Error('the read-only call waited for the sync of its intent');
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
        heldUntilOutcome = true;
      },
      () => row() !== undefined && !heldUntilOutcome,
    );
    harness = await createHarness({
      orchestrator: { mcpServers: ['skills'] },
      servers: { skills: { builtin: 'skills' } },
      walSync,
      script: {
        orchestrator: [
          { toolCalls: [{ name: 'skills__list_skills', arguments: {} }] },
          complete('success', 'listed', []),
        ],
      },
    });
    const result = await harness.drive();
    assert.equal(result.subtype, 'success');
    assert.equal(heldUntilOutcome, true, 'a sync covering the intent was held until the outcome was journaled');
  });
});
