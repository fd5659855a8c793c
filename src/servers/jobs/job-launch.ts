import type { JobOutputLog } from './job-output-log.js';
import type { JobOwner } from './job-record.js';

/** What a job runs, as a server's start_job asks for it. */
export interface JobProgram {
  name?: string;
  file: string;
  args: readonly string[];
  cwd: string;
  environment: Record<string, string>;
  /** How the job is shown in status and lists: the shell line, the argv, the script and its arguments. */
  commandText: string;
  /** The job is killed (state timed_out) when it still runs after this long. */
  timeLimitMs?: number;
}

/** A job to start: its program, and the id and files the registry chose for it. */
export interface JobLaunch extends JobProgram {
  /** Unique among the jobs of the log directory; the files are named after it. */
  id: string;
  log: JobOutputLog;
  /** The log opened for appending; the job's stdout and stderr. Closed by the caller after start. */
  outputDescriptor: number;
  exitFile: string;
  recordFile: string;
  owner: JobOwner;
}
