import type { SqliteDatabase } from '../state/database.js';
import { openReadOnlyDatabase, schemaComplete } from '../state/read-only-database.js';

/** How long a read waits for a writer's lock: the run writes in short transactions, so a read rarely waits at all. */
const BUSY_TIMEOUT_MS = 2_000;

/**
 * The workdir's state database, opened read-only once it exists and kept open: in WAL mode each read sees every
 * transaction committed before it began, so a run writing in another process is read as it goes, with no copy and
 * no lock held between reads. The dashboard writes nothing (the actions act through the run's own process).
 */
export class StateReader {
  #database: SqliteDatabase | undefined;
  /** Set once every migration is committed: from then on the schema only grows with a newer mux-swarm. */
  #ready = false;

  constructor(private readonly stateDirectory: string) {}

  /**
   * The database, or undefined while no run has created it, or while the first run is still migrating it (the
   * pages stay empty for those milliseconds rather than answer 500 for a table not created yet).
   */
  database(): SqliteDatabase | undefined {
    this.#database ??= openReadOnlyDatabase(this.stateDirectory, BUSY_TIMEOUT_MS);
    if (this.#database && !this.#ready) this.#ready = schemaComplete(this.#database);
    return this.#ready ? this.#database : undefined;
  }

  close(): void {
    this.#database?.close();
    this.#database = undefined;
    this.#ready = false;
  }
}
