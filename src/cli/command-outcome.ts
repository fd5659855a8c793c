/**
 * What a command leaves behind for `main`: its exit code, and (for `run --output-format stream-json|json`) a
 * way to turn an error raised before the run started into a final `result` line, so CI always gets one.
 */
export class CommandOutcome {
  exitCode = 0;
  reportFailure: ((error: unknown, usage: boolean) => void) | undefined;
}
