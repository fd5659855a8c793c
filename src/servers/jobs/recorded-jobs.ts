import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describeError } from '../../errors/mux-swarm-error.js';
import { readJobRecord, writeJobRecord, type JobOwner, type JobRecord } from './job-record.js';
import { recordedProcessState } from './recorded-process-state.js';

/** `<logDirectory>/<id>.job.json`. */
export function jobRecordPath(logDirectory: string, jobId: string): string {
  return path.join(logDirectory, `${jobId}.job.json`);
}

/** `<logDirectory>/<id>.exit`: the program's exit status, written by the wrapper shell when it ends. */
export function jobExitFilePath(logDirectory: string, jobId: string): string {
  return path.join(logDirectory, `${jobId}.exit`);
}

export interface RecordedJobs {
  /** Records this registry took over, oldest first, each already rewritten with the new owner. */
  claimed: { record: JobRecord; file: string }[];
  /** The highest job number used in the directory for this prefix (records and logs), 0 when none. */
  highestNumber: number;
  /** Records that could not be read or taken over: what failed and what to do, for list_jobs. */
  problems: string[];
}

/**
 * The jobs recorded in `logDirectory` under `idPrefix` that were left by a mux-swarm process that no longer
 * runs (it crashed or was killed): those are taken over by `owner` — the record is rewritten naming it, so that
 * another server of this process, started after it on the same directory, leaves them alone. Jobs whose owner
 * still runs (another server of this process, or another live process) are not touched.
 */
export function claimRecordedJobs(logDirectory: string, idPrefix: string, owner: JobOwner): RecordedJobs {
  const result: RecordedJobs = { claimed: [], highestNumber: 0, problems: [] };
  let names: string[];
  try {
    names = readdirSync(logDirectory);
  } catch {
    return result; // no directory yet: no job was ever started here
  }
  const pattern = new RegExp(`^${escapeRegExp(idPrefix)}-(\\d+)\\.(job\\.json|output\\.log)$`);
  const recordNumbers: number[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    if (match === null) continue;
    const number = Number(match[1]);
    result.highestNumber = Math.max(result.highestNumber, number);
    if (match[2] === 'job.json') recordNumbers.push(number);
  }
  for (const number of recordNumbers.sort((left, right) => left - right)) {
    const file = jobRecordPath(logDirectory, `${idPrefix}-${number}`);
    try {
      const record = readJobRecord(file);
      // Its owner still runs: another server of this process, or another live mux-swarm.
      if (recordedProcessState(record.owner.pid, record.owner.processStartTime) === 'running') continue;
      const claimed: JobRecord = { ...record, owner };
      writeJobRecord(file, claimed);
      result.claimed.push({ record: claimed, file });
    } catch (error) {
      result.problems.push(
        `${describeError(error)} That job was not re-attached; look at it by hand (its pid is in the file).`,
      );
    }
  }
  return result;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
