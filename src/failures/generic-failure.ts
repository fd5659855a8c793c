// A failure nothing more specific recognised: the process ended with a non-zero exit code or a signal.
import { isProgressLine } from './python-traceback/python-traceback-shapes.js';
import type { FailureContext, FailureSignature } from './failure-signature.js';
import { normaliseMessage } from './normalise-message.js';

/**
 * Linux signal numbers. A shell reports a child killed by signal N as exit status 128 + N (SIGKILL → 137), and a
 * job runner that saw the signal itself reports the signal: both are the same failure. The table is fixed, not
 * os.constants.signals, so a fingerprint does not depend on the platform that computed it.
 */
const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  3: 'SIGQUIT',
  4: 'SIGILL',
  6: 'SIGABRT',
  7: 'SIGBUS',
  8: 'SIGFPE',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  13: 'SIGPIPE',
  15: 'SIGTERM',
};

/**
 * kind generic: type `signal SIGKILL` (from the context's signal, or exit status 128 + a signal number) with an
 * empty message — what the process printed last says nothing about who killed it — or type `exit <code>` with
 * the last non-empty line that is not a progress bar (nor a `--help` hint), normalised. Undefined without a non-zero exit or a signal.
 */
export function genericFailure(lines: readonly string[], context: FailureContext): FailureSignature | undefined {
  const signal = context.signal ?? signalOfExitCode(context.exitCode);
  if (signal) return { kind: 'generic', type: `signal ${signal}`, message: '', frame: null };
  if (typeof context.exitCode !== 'number' || context.exitCode === 0) return undefined;
  return {
    kind: 'generic',
    type: `exit ${context.exitCode}`,
    message: normaliseMessage(lastMeaningfulLine(lines)),
    frame: null,
  };
}

function signalOfExitCode(exitCode: number | null | undefined): string | undefined {
  if (typeof exitCode !== 'number' || exitCode <= 128) return undefined;
  return SIGNALS[exitCode - 128];
}

/** `Run 'docker run --help' for more information`, `Try 'cp --help' for more information.`: printed after the error. */
const HELP_HINT = /^(?:Run|See|Try|For more information,? try) '[^']*--help'/;

function lastMeaningfulLine(lines: readonly string[]): string {
  for (let index = lines.length - 1; index >= 0; index -= 1) {
    const line = (lines[index] ?? '').trim();
    if (line === '' || isProgressLine(line) || HELP_HINT.test(line)) continue;
    return line.length > 2000 ? line.slice(0, 2000) : line;
  }
  return '';
}
