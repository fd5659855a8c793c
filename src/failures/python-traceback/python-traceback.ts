// Finds the Python exception that ended a process in its captured stderr.
//
// Reads only a bounded tail of the output (PYTHON_TRACEBACK_TAIL_CHARACTERS), in time linear in its length.
// The pieces: python-traceback-lines.ts (terminal clean-up, per-rank line tags), python-traceback-shapes.ts
// (what a line is), python-traceback-block.ts (one traceback), python-traceback-group.ts (exception groups),
// python-traceback-chains.ts (chained exceptions), python-traceback-exception.ts (frames of the script's own
// code), python-traceback-child-failure.ts (failures of worker processes), python-traceback-describe.ts (the
// one-line summary).
import { scanTracebackChains, type ScannedChain } from './python-traceback-chains.js';
import { findChildFailure, latestChain, type FoundChain } from './python-traceback-child-failure.js';
import { readTerminalLines, splitTaggedStreams } from './python-traceback-lines.js';

export { describePythonException, type DescribePythonExceptionOptions } from './python-traceback-describe.js';

export interface PythonFrame {
  file: string;
  line: number;
  /** The function, as printed (`main`, `<module>`, `Trainer.train`); '' on the location line of a SyntaxError. */
  function: string;
  /** The source line, trimmed; absent where Python printed none (`<string>`, `<stdin>`, frozen modules). */
  code?: string;
}

/** How an earlier exception of a chain is attached to the one after it: its `__cause__` or its `__context__`. */
export type PythonChainLink =
  /** "The above exception was the direct cause of the following exception:" (`raise … from error`). */
  | 'cause'
  /** "During handling of the above exception, another exception occurred:". */
  | 'context';

export interface PythonException {
  /** As printed: `TypeError`, `torch.OutOfMemoryError`, `json.decoder.JSONDecodeError`. */
  type: string;
  /**
   * Everything Python printed after `Type: `, lines joined with '\n', blank lines at either end removed.
   * Notes added with `add_note()` are printed after the message and cannot be told apart, so they are part of it.
   * '' for exceptions printed without one (`KeyboardInterrupt`, a bare `AssertionError`).
   */
  message: string;
  /** The innermost frame ("most recent call last": the last one); for a SyntaxError, the line that failed to parse. */
  frame?: PythonFrame;
  /** All frames of this exception's traceback, outermost first; [] for exceptions printed without a traceback. */
  frames: PythonFrame[];
  /**
   * The innermost frame outside the Python installation and installed packages (site-packages, dist-packages,
   * the standard library, frozen modules, console-script launchers): the line of the script to look at.
   */
  userFrame?: PythonFrame;
  /**
   * The earlier exceptions of this exception's chain, oldest first (on the exception returned, on a group's
   * sub-exceptions and on a child failure). Each one's `chainedAs` says how it is attached to the exception after
   * it. The list is flat: its entries carry no `chained` of their own.
   */
  chained?: PythonException[];
  /** On an entry of `chained`: whether the exception after it names it as `__cause__` or `__context__`. */
  chainedAs?: PythonChainLink;
  /**
   * For an exception group (`ExceptionGroup`, `BaseExceptionGroup` and subclasses): its sub-exceptions as printed,
   * in order, each parsed like a top-level exception (with its own chain and, for nested groups, its own
   * `exceptions`). Python prints at most 15 per group (`max_group_width`) and 10 levels deep.
   */
  exceptions?: PythonException[];
  /** Sub-exceptions Python left out of the printout ("and 5 more exceptions"). */
  omittedExceptions?: number;
  /**
   * On the exception returned by parsePythonTraceback, when it reports the failure of another process:
   * the traceback printed inside its message or its chain (multiprocessing `RemoteTraceback`,
   * concurrent.futures `_RemoteTraceback`, torch DataLoader "Original Traceback", torch.distributed
   * `ChildFailedError` with `@record`), or else, for `ChildFailedError` and `subprocess.CalledProcessError`,
   * the last traceback the child printed before it (the root-cause rank's when its lines carry `[rankN]:`).
   */
  childFailure?: PythonException;
}

export interface ParsePythonTracebackOptions {
  /** Only this many characters at the end of the output are read; default PYTHON_TRACEBACK_TAIL_CHARACTERS. */
  tailCharacters?: number;
}

/** 256 Ki characters: far more than any traceback, small enough to parse in a few milliseconds. */
export const PYTHON_TRACEBACK_TAIL_CHARACTERS = 256 * 1024;

/**
 * The exception that killed the Python process whose output this is, or undefined when the output holds no
 * complete traceback.
 *
 * - The last complete traceback wins; a traceback cut off before its exception line is passed over. Tracebacks
 *   Python prints without dying ("Exception ignored in: …", "Exception in thread …", "Error in atexit…",
 *   "--- Logging error ---") are used only when there is no other.
 * - Interleaved noise is tolerated: ANSI colour codes are removed, a line redrawn with '\r' (progress bars) keeps
 *   its last version, a traceback may start in the middle of a progress-bar line, and log lines, warnings,
 *   progress bars and wandb output before and after it are skipped.
 * - Output of several processes whose lines carry a tag (`[rank0]: `, `[default1]:`, `(Worker pid=12) `) is read
 *   as one stream per tag, so their tracebacks may interleave line by line.
 * - The message ends at the next log-like line, traceback, chain separator or "Exception ignored" line; plain
 *   text printed right after a traceback by something else cannot be told apart from a multi-line message.
 */
export function parsePythonTraceback(
  stderr: string,
  options: ParsePythonTracebackOptions = {},
): PythonException | undefined {
  const lines = readTerminalLines(stderr, options.tailCharacters ?? PYTHON_TRACEBACK_TAIL_CHARACTERS);
  const found: FoundChain[] = [];
  for (const stream of splitTaggedStreams(lines)) {
    for (const chain of scanTracebackChains(stream.lines)) found.push(placeChain(chain, stream.origins, stream.tag));
  }
  const final = latestChain(found.filter((chain) => !chain.nonFatal)) ?? latestChain(found);
  if (!final) return undefined;
  const childFailure = findChildFailure(final, found);
  return childFailure ? { ...final.exception, childFailure } : final.exception;
}

function placeChain(chain: ScannedChain, origins: readonly number[], tag: string | undefined): FoundChain {
  return {
    exception: chain.exception,
    nonFatal: chain.nonFatal,
    firstLine: origins[chain.start] ?? 0,
    lastLine: origins[Math.max(chain.start, chain.end - 1)] ?? 0,
    tag,
  };
}
