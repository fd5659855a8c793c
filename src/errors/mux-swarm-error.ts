import type { ErrorCode } from './error-codes.js';

/**
 * Root of every error mux-swarm raises on purpose. `code` is a stable string a caller can branch on, one of the
 * closed list in error-codes.ts (which also says the exit code it ends a command with); `message` is written for a
 * person: what failed, where, and what to do about it.
 */
export class MuxSwarmError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

export function isMuxSwarmError(error: unknown): error is MuxSwarmError {
  return error instanceof MuxSwarmError;
}

/** A message fit for a person, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
