import { z } from 'zod';
import type { RunEvent, TrainingEndEvent } from '../../events/event-schema.js';
import type { TrainingJobRow } from '../../state/training-store.js';
import { parseJson } from './report-data.js';

/** An exception a training job ended with, as the training server summarised its traceback. */
export interface JobException {
  type: string;
  message: string;
  /** `file:line in function` of the script's own innermost frame. */
  frame?: string;
}

/**
 * How a training job ended, as the training server classified it (`success`, `python_exception`, `cuda_oom`,
 * `stalled`, `stopped`, `killed`, `timed_out`, `failed`, `unknown`) — never the bare process state (`exited`).
 */
export interface JobEnding {
  /** Null while the job runs. */
  endedAt: string | null;
  /** Null for a job that ended without being classified (recorded by an older mux-swarm). */
  classification: string | null;
  /** The training server's one line on it, e.g. `TypeError: … (train.py:88)`. */
  summary: string | null;
  exception: JobException | null;
}

/** What the training server keeps of a job's end in `outcome_json`, as far as the report reads it. */
const storedOutcomeSchema = z.object({
  summary: z.string().optional(),
  exception: z.object({ type: z.string(), message: z.string(), frame: z.string().optional() }).optional(),
});

/** The job's end: from its training-end event (the last, if reported twice), else from what the training server stored. */
export function jobEnding(job: TrainingJobRow, events: readonly RunEvent[]): JobEnding {
  const ended = events
    .filter((event): event is TrainingEndEvent => event.type === 'training-end' && event.job_id === job.job_id)
    .at(-1);
  if (ended !== undefined) return { ...endingOfEvent(ended), endedAt: job.ended_at ?? ended.timestamp };
  const stored = storedOutcomeSchema.safeParse(parseJson(job.outcome_json ?? ''));
  const outcome = stored.success ? stored.data : {};
  return {
    endedAt: job.ended_at,
    classification: job.classification,
    summary: outcome.summary ?? null,
    exception: outcome.exception ?? null,
  };
}

/** The end a training-end event tells, at the event's time. */
export function endingOfEvent(event: TrainingEndEvent): JobEnding {
  return {
    endedAt: event.timestamp,
    classification: event.classification,
    summary: event.summary,
    exception: event.exception ?? null,
  };
}

/**
 * How the job ended in words (plain text, not yet escaped): `success`; `python_exception: TypeError: <message>` (the
 * exception's type and message, for any classification that has one); otherwise the classification and the
 * training server's summary, `stalled (stalled: no progress line for 10 min; …)`; `running` while it runs.
 */
export function endingText(ending: JobEnding): string {
  if (ending.endedAt === null) return 'running';
  const classification = ending.classification ?? 'not classified';
  if (ending.exception !== null) return `${classification}: ${ending.exception.type}: ${ending.exception.message}`;
  if (ending.classification === 'success' || ending.summary === null || ending.summary === '') return classification;
  return `${classification} (${ending.summary})`;
}

/** Classifications that are not failures: the job finished, or was stopped on purpose. */
const NOT_FAILED = new Set(['success', 'stopped']);

/** The job ended, classified as a failure. */
export function endedInFailure(ending: JobEnding): boolean {
  return ending.endedAt !== null && ending.classification !== null && !NOT_FAILED.has(ending.classification);
}
