import { join } from 'node:path';
import type { SqliteDatabase } from '../state/database.js';
import { lastEventSeq } from '../state/run-events.js';
import { getRunDetails, listRuns, type RunSummary } from '../state/run-queries.js';
import type { DashboardOptions } from './dashboard-options.js';
import { treeOrder } from './delegation-tree.js';

/** A run as the runs page lists it: its row, and `status` "crashed" for a `running` run that no process drives. */
export interface RunListing extends RunSummary {
  elapsed_ms: number;
}

/** The newest runs (at most `limit`), newest first. */
export function runListing(
  database: SqliteDatabase,
  options: Pick<DashboardOptions, 'isDriven'>,
  limit: number,
): RunListing[] {
  const now = Date.now();
  return listRuns(database, limit).map((run) => ({
    ...run,
    status: run.status === 'running' && !options.isDriven(database, run.id) ? 'crashed' : run.status,
    elapsed_ms: (run.ended_at ? Date.parse(run.ended_at) : now) - Date.parse(run.started_at),
  }));
}

/**
 * One run for its page: the row, the delegation tree's rows (in tree order, see treeOrder), usage by agent and by model, tool call counts, whether
 * a process drives it, the last event's seq (the page's stream starts after what it was drawn from), and what the
 * report adds (training, failures, the loop's results). Undefined for an unknown run.
 */
export function runJson(
  database: SqliteDatabase,
  runId: string,
  options: Pick<DashboardOptions, 'isDriven' | 'views' | 'stateDirectory' | 'readOnly'>,
): Record<string, unknown> | undefined {
  const details = getRunDetails(database, runId);
  if (!details) return undefined;
  const driven = details.run.status === 'running' && options.isDriven(database, runId);
  const status = details.run.status === 'running' && !driven ? 'crashed' : details.run.status;
  const endedAt = details.run.ended_at;
  return {
    run: {
      ...details.run,
      status,
      elapsed_ms: (endedAt ? Date.parse(endedAt) : Date.now()) - Date.parse(details.run.started_at),
    },
    driven,
    read_only: options.readOnly,
    last_seq: lastEventSeq(database, runId),
    delegations: treeOrder(details.delegations),
    usage_by_agent: details.usageByAgent,
    usage_by_model: details.usageByModel,
    tool_calls: {
      total: details.toolCalls.length,
      failed: details.toolCalls.filter((call) => call.is_error === 1).length,
    },
    ...options.views.extras(database, runId, join(options.stateDirectory, 'runs', runId)),
  };
}
