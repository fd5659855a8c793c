import { z } from 'zod';
import type { FailureMemory } from '../../../failures/failure-memory.js';

/** What each failure memory tool works on. */
export interface FixToolOptions {
  memory: FailureMemory;
  /** The database file, named in failure messages. */
  databasePath: string;
}

/** The error an agent looks up or fixed, as search_fixes and record_fix take it. */
export const errorInput = z
  .string()
  .trim()
  .min(1)
  .describe(
    "The error as it was printed: a traceback, the error line, or a command's output. Paths, numbers and line numbers do not matter.",
  );
