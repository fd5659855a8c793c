import path from 'node:path';
import type { TrainingClassification } from '../../events/event-schema.js';
import type { JobState } from '../jobs/job.js';
import {
  parsePythonTraceback,
  type PythonException,
  type PythonFrame,
} from '../../failures/python-traceback/python-traceback.js';

/** What is known about a training job once it has ended. */
export interface TrainingEndFacts {
  state: Exclude<JobState, 'running'>;
  exitCode: number | null;
  signal: string | null;
  exitStatusKnown: boolean;
  /** The stop was asked for: the stop tool, or mux-swarm stopping in an orderly way. */
  stopRequested: boolean;
  /** Stopped by the stall detector after `stallTimeoutMs` without a progress line. */
  stalledAfterMs?: number;
  sawDone: boolean;
  /** The last checkpoint reported, and whether it came after the stop was asked for. */
  lastCheckpoint?: { step: number | null; path: string; afterStop: boolean };
  /** The end of the job's log (a traceback is looked for there). */
  logTail: string;
}

export interface TrainingExceptionSummary {
  type: string;
  message: string;
  /** `file:line in function` of the innermost frame of the script's own code (else the innermost frame). */
  frame?: string;
}

export interface TrainingOutcome {
  classification: TrainingClassification;
  /** One line, for events, notices and the report. */
  summary: string;
  exception?: TrainingExceptionSummary;
}

/** CUDA/ROCm allocation failures as PyTorch, cuBLAS and HIP print them. */
const GPU_OUT_OF_MEMORY =
  /CUDA out of memory|torch\.(?:cuda\.)?OutOfMemoryError|HIP out of memory|CUDA error: out of memory|CUBLAS_STATUS_ALLOC_FAILED|hipErrorOutOfMemory/i;
const MAX_MESSAGE_CHARS = 300;

/** How a training job ended, in the order that matters: our own stops first, then what the program did. */
export function classifyTrainingEnd(facts: TrainingEndFacts): TrainingOutcome {
  const checkpoint = describeCheckpoint(facts);
  if (facts.stalledAfterMs !== undefined) {
    return {
      classification: 'stalled',
      summary: `stalled: no progress line for ${minutes(facts.stalledAfterMs)}; stopped (${checkpoint})`,
    };
  }
  if (facts.state === 'timed_out')
    return { classification: 'timed_out', summary: `reached its time limit and was stopped (${checkpoint})` };
  if (facts.stopRequested) return { classification: 'stopped', summary: `stopped on request (${checkpoint})` };
  if (facts.exitCode === 0) {
    return {
      classification: 'success',
      summary: facts.sawDone
        ? 'finished: exit code 0 after its done line'
        : 'exited with code 0, but printed no done line',
    };
  }
  const exception = parsePythonTraceback(facts.logTail);
  const summaryOfException = exception === undefined ? undefined : summarizeException(exception);
  if (
    GPU_OUT_OF_MEMORY.test(facts.logTail) ||
    (exception !== undefined && GPU_OUT_OF_MEMORY.test(`${exception.type}: ${exception.message}`))
  ) {
    return {
      classification: 'cuda_oom',
      summary: `GPU out of memory${summaryOfException ? `: ${oneLine(summaryOfException)}` : ''}`,
      ...(summaryOfException ? { exception: summaryOfException } : {}),
    };
  }
  if (facts.signal !== null) {
    const why =
      facts.signal === 'SIGKILL'
        ? ' from outside mux-swarm: most likely the kernel OOM killer (host memory); check `dmesg`'
        : '';
    return { classification: 'killed', summary: `killed by ${facts.signal}${why}` };
  }
  if (summaryOfException !== undefined) {
    return { classification: 'python_exception', summary: oneLine(summaryOfException), exception: summaryOfException };
  }
  if (!facts.exitStatusKnown) {
    return { classification: 'unknown', summary: 'ended while mux-swarm was not running and left no exit status' };
  }
  return {
    classification: 'failed',
    summary: `exited with code ${facts.exitCode ?? 'unknown'} and no Python traceback`,
  };
}

function summarizeException(exception: PythonException): TrainingExceptionSummary {
  const frame = exception.userFrame ?? exception.frame;
  const message =
    exception.message.length > MAX_MESSAGE_CHARS
      ? `${exception.message.slice(0, MAX_MESSAGE_CHARS)}…`
      : exception.message;
  return { type: exception.type, message, ...(frame === undefined ? {} : { frame: describeFrame(frame) }) };
}

function oneLine(exception: TrainingExceptionSummary): string {
  const text = `${exception.type}${exception.message === '' ? '' : `: ${exception.message.replace(/\s*\n\s*/g, ' ')}`}`;
  return exception.frame === undefined ? text : `${text} (${exception.frame})`;
}

function describeFrame(frame: PythonFrame): string {
  return `${path.basename(frame.file)}:${frame.line}${frame.function === '' ? '' : ` in ${frame.function}`}`;
}

function describeCheckpoint(facts: TrainingEndFacts): string {
  const checkpoint = facts.lastCheckpoint;
  if (checkpoint === undefined) return 'no checkpoint was reported';
  const step = checkpoint.step === null ? '' : ` at step ${checkpoint.step}`;
  return checkpoint.afterStop
    ? `checkpoint saved${step}: ${checkpoint.path}`
    : `no checkpoint after the stop; the last one was${step}: ${checkpoint.path}`;
}

function minutes(ms: number): string {
  return ms >= 60_000 ? `${Math.round(ms / 60_000)} min` : `${Math.round(ms / 1000)} s`;
}
