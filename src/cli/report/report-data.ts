import { runEventSchema, type RunEvent } from '../../events/event-schema.js';
import type { SqliteDatabase } from '../../state/database.js';
import { ModelFailovers, type ChainEntryUsage } from '../../state/model-failovers.js';
import { runFailureSteps, type RunFailureStepRow } from '../../state/run-failure-steps.js';
import { getRunDetails, type RunDetails } from '../../state/run-queries.js';
import { TrainingStore, type TrainingJobRow } from '../../state/training-store.js';

/** What the report reads of one run from the state database; nothing else is read (the rows are scrubbed at write time). */
export interface ReportData {
  run: RunDetails['run'];
  /** The workdir the run recorded in its settings, if it did. */
  workdir: string | undefined;
  /** Line of the goal file on which the recorded goal text began (1 for runs that did not record it). */
  goalTextLine: number;
  sessions: SessionRow[];
  /** The events the report tells about, in order; assistant and user events are left out. */
  events: RunEvent[];
  delegations: RunDetails['delegations'];
  usageByAgent: RunDetails['usageByAgent'];
  usageByModel: RunDetails['usageByModel'];
  /** Per agent and entry of its failover chain: calls answered, failovers; empty when the run never failed over. */
  chainUsage: ChainEntryUsage[];
  toolCalls: RunDetails['toolCalls'];
  trainingJobs: TrainingJobRow[];
  /** The `log` and `eval` lines of the run's training jobs, by job and step. */
  trainingMetrics: TrainingMetricRow[];
  /** The run's failed steps as failure memory recorded them: each failed launch, its relaunch, the change between, how it went. */
  failureSteps: RunFailureStepRow[];
}

export interface SessionRow {
  session: number;
  started_at: string;
  ended_at: string | null;
}

export interface TrainingMetricRow {
  job_id: string;
  event: string;
  step: number | null;
  data_json: string;
}

const REPORTED_EVENT_TYPES = [
  'system',
  'phase-report',
  'delegation-start',
  'delegation-end',
  'stuck',
  'budget-warning',
  'training-start',
  'training-end',
  'result',
];

/** Everything the report needs about `runId`, which must exist. */
export function loadReportData(database: SqliteDatabase, runId: string): ReportData {
  const details = getRunDetails(database, runId)!;
  const settings = database.prepare(`SELECT settings_json FROM runs WHERE id = ?`).get(runId) as {
    settings_json: string;
  };
  const eventRows = database
    .prepare(
      `SELECT json FROM events WHERE run_id = ? AND type IN (${REPORTED_EVENT_TYPES.map(() => '?').join(', ')}) ORDER BY seq`,
    )
    .all(runId, ...REPORTED_EVENT_TYPES) as Array<{ json: string }>;
  return {
    run: details.run,
    workdir: recordedWorkdir(settings.settings_json),
    goalTextLine: recordedGoalTextLine(settings.settings_json),
    sessions: database
      .prepare(`SELECT session, started_at, ended_at FROM run_sessions WHERE run_id = ? ORDER BY session`)
      .all(runId) as SessionRow[],
    // An event an older mux-swarm wrote in another shape is left out rather than misread.
    events: eventRows.flatMap((row) => {
      const parsed = runEventSchema.safeParse(parseJson(row.json));
      return parsed.success ? [parsed.data] : [];
    }),
    delegations: details.delegations,
    usageByAgent: details.usageByAgent,
    usageByModel: details.usageByModel,
    chainUsage: new ModelFailovers(database).chainUsage(runId),
    toolCalls: details.toolCalls,
    trainingJobs: new TrainingStore(database).jobs(runId),
    trainingMetrics: database
      .prepare(
        `SELECT job_id, event, step, data_json FROM training_metrics WHERE run_id = ? AND event IN ('log', 'eval') ORDER BY job_id, step, log_offset`,
      )
      .all(runId) as TrainingMetricRow[],
    failureSteps: runFailureSteps(database, runId),
  };
}

/** JSON text as a value; undefined when it does not parse. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function recordedWorkdir(settingsJson: string): string | undefined {
  const workdir = recordedSetting(settingsJson, 'workdir');
  return typeof workdir === 'string' ? workdir : undefined;
}

function recordedGoalTextLine(settingsJson: string): number {
  const line = recordedSetting(settingsJson, 'goalTextLine');
  return typeof line === 'number' && Number.isInteger(line) && line >= 1 ? line : 1;
}

function recordedSetting(settingsJson: string, key: string): unknown {
  const settings = parseJson(settingsJson);
  return settings !== null && typeof settings === 'object' ? (settings as Record<string, unknown>)[key] : undefined;
}
