import type { Job } from '../job.js';
import { describeJobStatus, toJobStatus } from '../job-status.js';
import { jobDetailsOf, type JobToolsOptions } from './job-tool-options.js';

/** What job_status and kill_job answer: the job's status with the last lines of output, and the server's details. */
export function jobStatusResult(job: Job, options: JobToolsOptions) {
  const status = toJobStatus(job, { withTail: true });
  const details = jobDetailsOf(options, job);
  return {
    content: [{ type: 'text' as const, text: describeJobStatus(job, status, details?.text) }],
    structuredContent: { ...status, ...details?.fields },
  };
}
