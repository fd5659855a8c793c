import { closeSync, fdatasync, fdatasyncSync, openSync } from 'node:fs';
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from './database.js';

/**
 * Puts a run's journal on disk without stopping the event loop.
 *
 * With `synchronous=FULL`, SQLite calls fsync on the WAL inside every commit, on the thread that commits: a turn of
 * an agent journals eight to ten rows (the model call's intent and outcome, its request hash, each tool call's
 * intent and outcome, the transcript, events), and on a 2-core cloud disk each fsync blocks Node for 2–5 ms. The
 * run's connection therefore commits with `synchronous=NORMAL` (the same WAL writes, no fsync) and this class
 * fsyncs the WAL file itself on libuv's thread pool:
 *   - soon after every write (`soon()`: one fsync per turn of the event loop, however many commits it made), so a
 *     commit is on disk a few milliseconds after it is made, as with FULL;
 *   - and `durable()` waits until every commit made so far is on disk: the runtime awaits it before anything a
 *     crash must not make it repeat (a tool call that is not safe to run again) and the run's end syncs at once.
 * Between the two, a power cut can lose the last few milliseconds of read-only work, which a resume asks again;
 * killing the process loses nothing (the rows are in the kernel's page cache). Checkpoints stay as safe as with
 * FULL: with NORMAL, SQLite still syncs the WAL before each checkpoint and the database after.
 *
 * Which commits are covered is counted with `total_changes()`, so writes through the same connection by other
 * stores (failure memory, failovers, the request recorder) are made durable too.
 */
/** How the WAL reaches the disk: node:fs's, or a test's wrapper around them. */
export interface WalSyncCalls {
  fdatasync(fd: number, callback: (error: NodeJS.ErrnoException | null) => void): void;
  fdatasyncSync(fd: number): void;
}

export class JournalSync {
  readonly #walPath: string;
  readonly #changes: Statement<[], number>;
  #fd: number | undefined;
  /** total_changes() up to which the WAL is known to be on disk. */
  #synced = 0;
  #inFlight: Promise<void> | undefined;
  #closed = false;
  #scheduled = false;
  /** A background fsync that failed: the next durable() reports it rather than a run going on as if safe. */
  #failure: Error | undefined;

  constructor(
    database: SqliteDatabase,
    private readonly calls: WalSyncCalls = { fdatasync, fdatasyncSync },
  ) {
    this.#walPath = `${database.name}-wal`;
    this.#changes = database.prepare<[], number>('SELECT total_changes()').pluck();
  }

  /** Schedules a background fsync for the writes just made (one per turn of the event loop). */
  soon(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.durable().catch((error: unknown) => (this.#failure ??= error as Error));
    });
  }

  /** Resolves once every commit made before the call is on disk. */
  async durable(): Promise<void> {
    const target = this.#changes.get()!;
    while (this.#synced < target) {
      if (this.#failure) throw this.#failure;
      if (this.#inFlight === undefined) {
        const upTo = this.#changes.get()!;
        this.#inFlight = this.#syncWal(upTo).finally(() => {
          this.#inFlight = undefined;
          if (this.#closed) this.#closeWal();
        });
      }
      await this.#inFlight;
    }
  }

  /** Every commit on disk now, blocking: for the run's end and for closing. */
  syncNow(): void {
    const upTo = this.#changes.get()!;
    if (this.#synced >= upTo) return;
    const fd = this.#walFd();
    if (fd !== undefined) this.calls.fdatasyncSync(fd);
    this.#synced = Math.max(this.#synced, upTo);
  }

  /** Syncs what is left and lets go of the WAL file; call before the database closes. */
  close(): void {
    this.syncNow();
    this.#closed = true;
    // A background sync still queued on the thread pool closes the file when it is done: closing it under that sync
    // would fail it, or sync whatever file reused the descriptor's number.
    if (this.#inFlight === undefined) this.#closeWal();
  }

  #closeWal(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #syncWal(upTo: number): Promise<void> {
    const fd = this.#walFd();
    if (fd === undefined) {
      this.#synced = Math.max(this.#synced, upTo);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) =>
      this.calls.fdatasync(fd, (error) => {
        if (error) return reject(error);
        this.#synced = Math.max(this.#synced, upTo);
        resolve();
      }),
    );
  }

  /**
   * The WAL file, opened once and kept open until close (SQLite keeps it for as long as its connection is open; no
   * lock is taken on it, so this descriptor cannot release one). Undefined when there is none yet: nothing to sync.
   */
  #walFd(): number | undefined {
    if (this.#fd !== undefined) return this.#fd;
    try {
      this.#fd = openSync(this.#walPath, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    return this.#fd;
  }
}
