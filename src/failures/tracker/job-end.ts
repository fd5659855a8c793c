import { statSync } from 'node:fs';
import type { TrainingEndEvent } from '../../events/event-schema.js';
import { FAILURE_TAIL_CHARACTERS } from '../failure-fingerprint.js';

/** A job's end as failure memory judges it: from the job's own output, never from the text that reported it. */
export interface JobEnd {
  /** `training:<job id>` for the training server's jobs, `<server>:<job id>` for the shell's and python's. */
  jobKey: string;
  /** What it ran, when the report says: the step it is a launch of. */
  command?: string;
  /** Ended with a failure; false for a success and for a job stopped on purpose. */
  failed: boolean;
  /** Ended by itself, successfully (a stopped or killed job is neither a success nor a failure of its step). */
  succeeded: boolean;
  logFile: string;
  exitCode: number | null;
  signal: string | null;
  /** The training server's one-line summary: what is fingerprinted when the log holds nothing. */
  summary?: string;
}

/** Training classifications that are not a failure of the step: it finished, or was stopped on purpose. */
const NOT_FAILED = new Set(['success', 'stopped']);

/**
 * The end of a job that a job tool's result reports (`structuredContent` of the training server's wait/status/stop,
 * or the jobs tools' wait_job/job_status): undefined while it runs, or when the result is about no single job.
 */
export function jobEndInResult(server: string, structured: Record<string, unknown> | undefined): JobEnd | undefined {
  if (structured === undefined || typeof structured.job_id !== 'string' || structured.running !== false)
    return undefined;
  const command = typeof structured.command === 'string' ? { command: structured.command } : {};
  const exitCode = typeof structured.exit_code === 'number' ? structured.exit_code : null;
  const signal = typeof structured.signal === 'string' ? structured.signal : null;
  if (typeof structured.log_file === 'string') {
    const classification = structured.classification;
    // Not classified yet: the training-end notice, a moment later, judges it.
    if (typeof classification !== 'string') return undefined;
    return {
      jobKey: trainingJobKey(structured.job_id),
      ...command,
      failed: !NOT_FAILED.has(classification),
      succeeded: classification === 'success',
      logFile: structured.log_file,
      exitCode,
      signal,
      ...(typeof structured.summary === 'string' ? { summary: structured.summary } : {}),
    };
  }
  if (
    typeof structured.output_log !== 'string' ||
    structured.state !== 'exited' ||
    (exitCode === null && structured.exit_status_unknown === true)
  )
    return undefined;
  return {
    jobKey: `${server}:${structured.job_id}`,
    ...command,
    failed: exitCode !== 0,
    succeeded: exitCode === 0,
    logFile: structured.output_log,
    exitCode,
    signal,
  };
}

/** A training job's end as its training-end event tells it. */
export function jobEndOfTraining(event: TrainingEndEvent, command: string | undefined): JobEnd {
  return {
    jobKey: trainingJobKey(event.job_id),
    ...(command === undefined ? {} : { command }),
    failed: !NOT_FAILED.has(event.classification),
    succeeded: event.classification === 'success',
    logFile: event.log_file,
    exitCode: event.exit_code,
    signal: event.signal,
    summary: event.summary,
  };
}

/** The job a start call started, as `jobEndInResult` names it. */
export function startedJobKey(server: string, structured: Record<string, unknown> | undefined): string | undefined {
  if (structured === undefined || typeof structured.job_id !== 'string') return undefined;
  return typeof structured.log_file === 'string' ? trainingJobKey(structured.job_id) : `${server}:${structured.job_id}`;
}

export function trainingJobKey(jobId: string): string {
  return `training:${jobId}`;
}

/** Bytes [from, to) of a log file as text; '' when it cannot be read. */
export type LogRangeReader = (file: string, from: number, to: number) => string;

/** What the job printed last: the end of its log, where a traceback is; its summary when the log holds nothing. */
export function jobOutput(end: JobEnd, readLog: LogRangeReader): string {
  const tail = readTail(end.logFile, FAILURE_TAIL_CHARACTERS, readLog);
  return tail.trim() !== '' ? tail : (end.summary ?? '');
}

/** The last `bytes` of a file as text; '' when it cannot be read. */
function readTail(file: string, bytes: number, readLog: LogRangeReader): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return '';
  }
  return readLog(file, Math.max(0, size - bytes), size);
}
