import assert from 'node:assert/strict';
import { fdatasync, fdatasyncSync, fstatSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { openDatabase } from '../../src/state/database.js';
import { JournalSync, type WalSyncCalls } from '../../src/state/journal-sync.js';
import { RunStore } from '../../src/state/run-store.js';

/** The real fdatasync, each call recorded with the file it synced and whether the callback has run. */
function recordingSync(options: { fail?: Error } = {}) {
  const calls: Array<{ fd: number; ino: number; blocking: boolean; done: boolean }> = [];
  const io: WalSyncCalls = {
    fdatasync(fd, callback) {
      const call = { fd, ino: fstatSync(fd).ino, blocking: false, done: false };
      calls.push(call);
      if (options.fail) return setImmediate(() => callback(options.fail as NodeJS.ErrnoException));
      fdatasync(fd, (error) => {
        call.done = true;
        callback(error);
      });
    },
    fdatasyncSync(fd) {
      calls.push({ fd, ino: fstatSync(fd).ino, blocking: true, done: true });
      fdatasyncSync(fd);
    },
  };
  return { io, calls };
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

describe('journal sync: the run journal fsyncs its WAL off the event loop', () => {
  const directories: string[] = [];
  const stores: RunStore[] = [];
  afterEach(() => {
    for (const store of stores.splice(0)) store.close();
    for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
  });
  function journal(io: WalSyncCalls): { store: RunStore; walIno: () => number } {
    const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-journal-sync-'));
    directories.push(directory);
    const store = RunStore.openJournal(directory, undefined, io);
    stores.push(store);
    return { store, walIno: () => statSync(join(directory, 'state.db-wal')).ino };
  }
  const event = (seq: number) => ({ run_id: 'r1', seq, type: 'system', agent: 'runtime' });
  function createRun(store: RunStore): void {
    store.createRun({
      id: 'r1',
      goalName: 'g',
      goalSource: 'goal.md',
      goalText: 'x',
      mode: 'hierarchical',
      settings: {},
      hostname: 'h',
      pid: 1,
      startedAt: new Date().toISOString(),
    });
  }

  it('commits without fsync on the run journal, and with FULL everywhere else', () => {
    const { store } = journal(recordingSync().io);
    assert.equal(store.database.pragma('synchronous', { simple: true }), 1, 'NORMAL: the journal syncs the WAL itself');
    const directory = mkdtempSync(join(tmpdir(), 'mux-swarm-journal-sync-'));
    directories.push(directory);
    const other = openDatabase(directory);
    assert.equal(other.pragma('synchronous', { simple: true }), 2, 'FULL');
    other.close();
  });

  it('durable() resolves after an fdatasync of the WAL file that started after the writes', async () => {
    const { io, calls } = recordingSync();
    const { store, walIno } = journal(io);
    createRun(store);
    store.appendEvent(event(1));
    const durable = store.durable();
    assert.equal(calls.length, 1, 'the sync starts at once');
    assert.equal(calls[0]!.done, false, 'and runs on the thread pool');
    await durable;
    assert.equal(calls[0]!.done, true);
    assert.equal(calls[0]!.ino, walIno(), 'the file synced is the WAL');
    await store.durable();
    assert.equal(calls.length, 1, 'nothing written since: no second sync');
  });

  it('syncs in the background once per turn of the event loop, however many commits it made', async () => {
    const { io, calls } = recordingSync();
    const { store } = journal(io);
    createRun(store);
    for (let seq = 1; seq <= 50; seq++) store.appendEvent(event(seq));
    assert.equal(calls.length, 0, 'not inside the turn that wrote');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(calls.length, 1);
    await store.durable();
    store.appendEvent(event(51));
    await new Promise((resolve) => setImmediate(resolve));
    await store.durable();
    assert.equal(calls.length, 2, 'a later write gets a sync of its own');
  });

  it('syncs the outcome of a run before finishRun returns, blocking, and what is left on close', () => {
    const { io, calls } = recordingSync();
    const { store } = journal(io);
    createRun(store);
    store.finishRun('r1', {
      status: 'succeeded',
      subtype: 'success',
      exitCode: 0,
      result: 'ok',
      endedAt: new Date().toISOString(),
      numTurns: 1,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
    });
    assert.deepEqual(
      calls.map((call) => call.blocking),
      [true],
    );
    store.appendEvent(event(1));
    store.close();
    stores.splice(stores.indexOf(store), 1);
    assert.deepEqual(
      calls.map((call) => call.blocking),
      [true, true],
    );
  });

  it('closing while a background sync is queued leaves the WAL open until that sync is done', async () => {
    let release: () => void = () => undefined;
    let held: number | undefined;
    const io: WalSyncCalls = {
      fdatasync(fd, callback) {
        held = fd;
        release = () => fdatasync(fd, callback);
      },
      fdatasyncSync,
    };
    const { store } = journal(io);
    createRun(store);
    store.appendEvent(event(1));
    await new Promise((resolve) => setImmediate(resolve));
    assert.notEqual(held, undefined, 'a background sync is queued');
    store.close();
    stores.splice(stores.indexOf(store), 1);
    assert.ok(fstatSync(held!).isFile(), 'the WAL stays open under the queued sync');
    release();
    // Closed once the sync's callback has run (on the thread pool's schedule: polled, not timed).
    const deadline = Date.now() + 10_000;
    while (isOpen(held!) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(isOpen(held!), false, 'and is closed once it is done');
  });

  it('a background sync that failed is reported by the next durable(), not ignored', async () => {
    const failure = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    const { io } = recordingSync({ fail: failure });
    const { store } = journal(io);
    createRun(store);
    store.appendEvent(event(1));
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    store.appendEvent(event(2));
    await assert.rejects(store.durable(), /EIO/);
  });

  it('counts writes made through the same connection by other stores', async () => {
    const { io, calls } = recordingSync();
    const { store } = journal(io);
    const sync = new JournalSync(store.database, io);
    store.database.exec('CREATE TABLE other (x)');
    store.database.prepare('INSERT INTO other VALUES (1)').run();
    await sync.durable();
    assert.equal(calls.length, 1);
  });
});
