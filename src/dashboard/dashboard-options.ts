import type { SecretScrubber } from '../logging/secret-scrubber.js';
import type { SqliteDatabase } from '../state/database.js';

/**
 * What the dashboard shows of a run beyond its rows, built by the CLI from the report's own code (training jobs and
 * their curves, failures with fingerprints and fixes, the loop's results and chart): the dashboard reuses the report
 * rather than keep a second reading of the same tables, and stays below `cli/` in the layer table.
 */
export interface RunViews {
  /** Training jobs, failures and the loop's results as plain objects, ready for JSON. */
  extras(database: SqliteDatabase, runId: string, runDirectory: string): Record<string, unknown>;
  /** The training curve (loss, eval_loss by step) as SVG; undefined without points. */
  trainingChart(database: SqliteDatabase, runId: string): string | undefined;
  /** The loop's metric chart as SVG; undefined without a results log or with no result yet. */
  metricChart(runDirectory: string): string | undefined;
}

/** What the two actions do; the CLI wires them to signals and processes (the dashboard spawns nothing itself). */
export interface RunActions {
  /** Asks the process driving the run to stop as SIGINT does; a sentence saying what was done, or why not. */
  stop(database: SqliteDatabase, runId: string): ActionOutcome;
  /** Starts `mux-swarm resume <run-id>` detached, as a user would. */
  resume(database: SqliteDatabase, runId: string): ActionOutcome;
}

export interface ActionOutcome {
  ok: boolean;
  message: string;
}

export interface DashboardOptions {
  stateDirectory: string;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Required on every request when `host` is not a loopback address; undefined on loopback. */
  token: string | undefined;
  readOnly: boolean;
  /** The storage scrubber: every response body passes through it. */
  scrubber: SecretScrubber;
  views: RunViews;
  actions: RunActions;
  /** Whether a process drives the run now (the newest session's process lives); a `running` run nobody drives crashed. */
  isDriven(database: SqliteDatabase, runId: string): boolean;
  /** Where the static client files are (web/dashboard/ of the package). */
  staticDirectory: string;
}
