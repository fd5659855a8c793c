// When the exception that ended the process only reports that another process failed, finds that failure.
import type { PythonException } from './python-traceback.js';
import { scanTracebackChains } from './python-traceback-chains.js';
import { findTracebackHeader, TRACEBACK_HEADER } from './python-traceback-shapes.js';

/** A chain found in the output, placed by line so chains of different streams can be ordered. */
export interface FoundChain {
  exception: PythonException;
  nonFatal: boolean;
  firstLine: number;
  lastLine: number;
  /** The line tag of the stream it was found in (`[rank0]: `). */
  tag?: string;
}

/** Launchers whose exception says a child failed while the child's traceback was printed before it. */
const LAUNCHER_EXCEPTIONS = new Set(['ChildFailedError', 'CalledProcessError']);

/**
 * 1. A traceback inside the message of the final exception or of one of its chain (RemoteTraceback, DataLoader
 *    "Original Traceback", ChildFailedError with `@record`), the nearest to the final exception first.
 * 2. For ChildFailedError and CalledProcessError: the last traceback printed before the final chain, preferring
 *    the stream tagged with the rank the ChildFailedError names as root cause.
 */
export function findChildFailure(final: FoundChain, found: readonly FoundChain[]): PythonException | undefined {
  const nearestFirst = [final.exception, ...[...(final.exception.chained ?? [])].reverse()];
  for (const exception of nearestFirst) {
    const embedded = embeddedTraceback(exception.message);
    if (embedded) return embedded;
  }
  const lastName = final.exception.type.slice(final.exception.type.lastIndexOf('.') + 1);
  if (!LAUNCHER_EXCEPTIONS.has(lastName)) return undefined;
  const earlier = found.filter((chain) => chain !== final && !chain.nonFatal && chain.lastLine < final.firstLine);
  const rank = rootCauseRank(final.exception.message);
  const ofRank = rank === undefined ? [] : earlier.filter((chain) => chain.tag?.includes(`rank${rank}]`));
  return latestChain(ofRank.length > 0 ? ofRank : earlier)?.exception;
}

function embeddedTraceback(message: string): PythonException | undefined {
  if (!message.includes(TRACEBACK_HEADER)) return undefined;
  let lines = message.split('\n');
  const opening = lines.findIndex((line) => line.trim() === '"""');
  const closing = lines.findLastIndex((line) => line.trim() === '"""');
  if (opening >= 0 && closing > opening) lines = lines.slice(opening + 1, closing);
  const header = lines.findIndex((line) => findTracebackHeader(line) !== undefined);
  if (header < 0) return undefined;
  return scanTracebackChains(lines.slice(header)).at(-1)?.exception;
}

function rootCauseRank(message: string): string | undefined {
  const rootCause = message.indexOf('Root Cause');
  if (rootCause < 0) return undefined;
  return /\brank\s*:\s*(\d+)/.exec(message.slice(rootCause))?.[1];
}

/** The chain that ends last in the output. */
export function latestChain(chains: readonly FoundChain[]): FoundChain | undefined {
  let latest: FoundChain | undefined;
  for (const chain of chains) if (!latest || chain.lastLine >= latest.lastLine) latest = chain;
  return latest;
}
