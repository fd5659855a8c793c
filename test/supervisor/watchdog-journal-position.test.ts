import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/state/database.js';
import { stateJournalPositionReader } from '../../src/supervisor/watchdog-journal-position.js';

const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-journal-position-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function insertRun(
  database: ReturnType<typeof openDatabase>,
  id: string,
  startedAt: string,
  status: string,
  eventCount: number,
): void {
  database
    .prepare(
      `INSERT INTO runs (id, goal_name, goal_source, goal_text, mode, status, settings_json, hostname, pid, started_at)
       VALUES (?, 'goal', 'goal.md', 'text', 'hierarchical', ?, '{}', 'host', 1, ?)`,
    )
    .run(id, status, startedAt);
  for (let seq = 0; seq < eventCount; seq += 1)
    database
      .prepare(`INSERT INTO events (run_id, seq, type, agent, json) VALUES (?, ?, 'system', 'runtime', '{}')`)
      .run(id, seq);
}

describe('stateJournalPositionReader', () => {
  it('reads nothing, and creates nothing, where there is no state database', () => {
    const stateDirectory = join(directory, 'none');
    assert.equal(stateJournalPositionReader(stateDirectory)(), undefined);
    assert.equal(existsSync(stateDirectory), false);
  });

  it('reads the newest run: its id, status and last event seq', () => {
    const stateDirectory = join(directory, 'state');
    const database = openDatabase(stateDirectory);
    insertRun(database, 'older', '2026-01-01T00:00:00.000Z', 'succeeded', 5);
    insertRun(database, 'newer', '2026-01-02T00:00:00.000Z', 'running', 13);
    insertRun(database, 'newest-no-events', '2026-01-01T12:00:00.000Z', 'failed', 0);
    database.close();
    assert.deepEqual(stateJournalPositionReader(stateDirectory)(), {
      runId: 'newer',
      status: 'running',
      lastEventSeq: 12,
      database: join(stateDirectory, 'state.db'),
    });
  });

  it('reports null as the seq of a run without events', () => {
    const stateDirectory = join(directory, 'no-events');
    const database = openDatabase(stateDirectory);
    insertRun(database, 'quiet', '2026-01-01T00:00:00.000Z', 'running', 0);
    database.close();
    assert.equal(stateJournalPositionReader(stateDirectory)()?.lastEventSeq, null);
  });
});
