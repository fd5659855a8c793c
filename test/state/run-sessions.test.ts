import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type SqliteDatabase } from '../../src/state/database.js';
import { RunStore } from '../../src/state/run-store.js';
import { RunLockedError } from '../../src/errors/run-locked-error.js';
import {
  beatRunSession,
  beginRunSession,
  endRunSession,
  previouslyActiveMs,
  SESSION_STALE_MS,
} from '../../src/state/run-sessions.js';

describe('run sessions: the lock on a run', () => {
  let directory: string;
  let database: SqliteDatabase;
  let counter = 0;
  const here = { hostname: 'box-a', pid: 4242, processStart: '1000' };
  const t0 = new Date('2026-11-22T10:00:00Z');
  const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

  before(() => {
    directory = mkdtempSync(join(tmpdir(), 'mux-swarm-sessions-'));
    database = openDatabase(directory);
  });
  after(() => {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function newRun(): string {
    counter += 1;
    const id = `run-${counter}`;
    new RunStore(database).createRun({
      id,
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: 't',
      mode: 'hierarchical',
      settings: {},
      hostname: 'box-a',
      pid: 1,
      startedAt: t0.toISOString(),
    });
    return id;
  }

  it("refuses a second driver while the first one's process lives on this machine, naming it", () => {
    const runId = newRun();
    assert.equal(
      beginRunSession(database, runId, here, t0, () => true),
      1,
    );
    assert.throws(
      () => beginRunSession(database, runId, { ...here, pid: 5151 }, at(1), () => true),
      (error: Error) => {
        assert.ok(error instanceof RunLockedError);
        assert.match(error.message, new RegExp(`run ${runId} is being driven by pid 4242 on box-a`));
        return true;
      },
    );
  });

  it('takes over from a session whose process died (or whose pid now belongs to another process)', () => {
    const runId = newRun();
    beginRunSession(database, runId, here, t0, () => true);
    beatRunSession(database, runId, 1, at(40));
    const seen: Array<[number, string | null]> = [];
    const session = beginRunSession(database, runId, { ...here, pid: 6000 }, at(100), (pid, start) => {
      seen.push([pid, start]);
      return false;
    });
    assert.equal(session, 2);
    assert.deepEqual(seen, [[4242, '1000']], 'the recorded pid and start time were checked');
    const rows = database
      .prepare('SELECT session, ended_at FROM run_sessions WHERE run_id = ? ORDER BY session')
      .all(runId);
    assert.deepEqual(
      rows,
      [
        { session: 1, ended_at: at(40).toISOString() },
        { session: 2, ended_at: null },
      ],
      'the dead session ends at its last heartbeat',
    );
  });

  it('judges a session of another machine by its heartbeat', () => {
    const runId = newRun();
    beginRunSession(database, runId, { hostname: 'box-b', pid: 1, processStart: undefined }, t0, () => true);
    const neverAsked = () => assert.fail('a pid on another machine cannot be checked here');
    assert.throws(
      () => beginRunSession(database, runId, here, at(SESSION_STALE_MS / 1000 - 1), neverAsked),
      RunLockedError,
    );
    assert.equal(beginRunSession(database, runId, here, at(SESSION_STALE_MS / 1000 + 1), neverAsked), 2);
  });

  it('counts the time earlier sessions worked on the run', () => {
    const runId = newRun();
    beginRunSession(database, runId, here, t0, () => true);
    endRunSession(database, runId, 1, at(60));
    beginRunSession(database, runId, here, at(500), () => false);
    beatRunSession(database, runId, 2, at(530));
    const third = beginRunSession(database, runId, here, at(900), () => false);
    assert.equal(
      previouslyActiveMs(database, runId, third),
      90_000,
      "60 s + 30 s up to the dead session's last heartbeat; the gaps between do not count",
    );
  });
});
