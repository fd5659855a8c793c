import { z } from 'zod';

/** The annotations of every tool that only reads. */
export const readOnlyAnnotations = {
  readOnlyHint: true,
  destructiveHint: false,
  idempotentHint: true,
  openWorldHint: false,
} as const;

/** The path of a file a read tool reads. */
export const filePathArgument = z
  .string()
  .describe('File path: absolute, or relative to the first allowed directory. Must lie inside an allowed directory.');

/** The path a write tool writes, edits or creates. */
export const writePathArgument = z
  .string()
  .describe('Path: absolute, or relative to the first allowed directory. Must lie inside an allowed directory.');

/** The directory a listing tool lists or searches. */
export const directoryArgument = z
  .string()
  .describe(
    'Directory path: absolute, or relative to the first allowed directory ("." for it). Must lie inside an allowed directory.',
  );

/** directory_tree's and search_files' patterns of what to skip. */
export const excludePatternsArgument = z
  .array(z.string())
  .optional()
  .default([])
  .describe(
    'Glob patterns to leave out, with everything beneath them. A pattern without "/" matches entry names at any depth ' +
      '("node_modules", "*.log"); one with "/" matches the path relative to the given directory ("build/**").',
  );
