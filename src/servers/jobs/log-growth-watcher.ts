import { watch, type FSWatcher } from 'node:fs';

/** The poll that backs fs.watch up: file systems where inotify says nothing (NFS, some overlays) still work. */
export const LOG_POLL_INTERVAL_MS = 200;

/**
 * Calls `onGrowth` when a file a job writes grows: at once through fs.watch where the file system reports
 * changes, within LOG_POLL_INTERVAL_MS through a poll otherwise. Neither keeps the process alive.
 */
export class LogGrowthWatcher {
  readonly #size: () => number;
  readonly #onGrowth: () => void;
  #seenSize: number;
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(file: string, size: () => number, onGrowth: () => void) {
    this.#size = size;
    this.#onGrowth = onGrowth;
    this.#seenSize = size();
    try {
      this.#watcher = watch(file, { persistent: false }, () => this.check());
      this.#watcher.on('error', () => this.#closeWatcher()); // the poll carries on
    } catch {
      this.#watcher = undefined; // cannot watch here: the poll alone
    }
    this.#timer = setInterval(() => this.check(), LOG_POLL_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Looks at the size now; calls `onGrowth` when it changed since the last look. */
  check(): void {
    const size = this.#size();
    if (size === this.#seenSize) return;
    this.#seenSize = size;
    this.#onGrowth();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#closeWatcher();
  }

  #closeWatcher(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
