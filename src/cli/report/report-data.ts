import { runEventSchema, type RunEvent } from '../../events/event-schema.js';
import type { SqliteDatabase } from '../../state/database.js';
import { ModelFailovers, type ChainEntryUsage } from '../../state/model-failovers.js';
import { eventJsonOfTypes } from '../../state/run-events.js';
import { runFailureSteps, type RunFailureStepRow } from '../../state/run-failure-steps.js';
import { getRunDetails, type RunDetails } from '../../state/run-queries.js';
import { runRecord } from '../../state/run-record.js';
import { sessionSpans, type SessionSpan } from '../../state/run-sessions.js';
import { TrainingStore, type TrainingJobRow, type TrainingMetricLine } from '../../state/training-store.js';

/** What the report reads of one run from the state database; nothing else is read (the rows are scrubbed at write time). */
export interface ReportData {
  run: RunDetails['run'];
  /** The workdir the run recorded in its settings, if it did. */
  workdir: string | undefined;
  /** Line of the goal file on which the recorded goal text began (1 for runs that did not record it). */
  goalTextLine: number;
  sessions: SessionSpan[];
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
  trainingMetrics: TrainingMetricLine[];
  /** The run's failed steps as failure memory recorded them: each failed launch, its relaunch, the change between, how it went. */
  failureSteps: RunFailureStepRow[];
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
  const settingsJson = runRecord(database, runId)!.settings_json;
  const trainingStore = new TrainingStore(database);
  return {
    run: details.run,
    workdir: recordedWorkdir(settingsJson),
    goalTextLine: recordedGoalTextLine(settingsJson),
    sessions: sessionSpans(database, runId),
    // An event an older mux-swarm wrote in another shape is left out rather than misread.
    events: eventJsonOfTypes(database, runId, REPORTED_EVENT_TYPES).flatMap((json) => {
      const parsed = runEventSchema.safeParse(parseJson(json));
      return parsed.success ? [parsed.data] : [];
    }),
    delegations: details.delegations,
    usageByAgent: details.usageByAgent,
    usageByModel: details.usageByModel,
    chainUsage: new ModelFailovers(database).chainUsage(runId),
    toolCalls: details.toolCalls,
    trainingJobs: trainingStore.jobs(runId),
    trainingMetrics: trainingStore.runMetricLines(runId),
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
