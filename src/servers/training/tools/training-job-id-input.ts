import { z } from 'zod';

/** The job_id argument of status, wait and stop. */
export const trainingJobIdInput = z.string().min(1).describe('The job id start returned, e.g. "train-1".');
