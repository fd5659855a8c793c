import { z } from 'zod';
import type { Job } from '../job.js';
import type { JobRegistry } from '../job-registry.js';
import type { JobDetails } from '../job-status.js';

export interface JobToolsOptions {
  registry: JobRegistry;
  /** Most bytes of new output one wait_job returns; beyond it the middle is cut (the log has it all). */
  maxOutputBytes: number;
  /** Fields a server adds to status and wait results, e.g. the Python server's parsed exception. */
  details?: JobDetails;
}

/** The job_id argument of every job tool but list_jobs. */
export const jobIdInput = z.string().min(1).describe('The job id start_job returned, e.g. "shell-1".');

/** The server's extra fields and text for `job`, when it adds any. */
export function jobDetailsOf(
  options: JobToolsOptions,
  job: Job,
): { fields: Record<string, unknown>; text: string } | undefined {
  return options.details?.describe(job);
}
