/**
 * Starts the wait for a server's answer at start-up: calls `expire` when the wait is over and returns a function
 * that cancels it. The hub's default is a wall-clock timer of `startupTimeoutMs`; a test injects one that also
 * waits for an event (the server's first stderr line, say), so what it asserts does not hang on the machine's load.
 */
export type StartupDeadline = (server: string, startupTimeoutMs: number, expire: () => void) => () => void;

/** `startupTimeoutMs` of wall-clock time from the start of the connect. */
export const wallClockDeadline: StartupDeadline = (_server, startupTimeoutMs, expire) => {
  const timer = setTimeout(expire, startupTimeoutMs);
  return () => clearTimeout(timer);
};
