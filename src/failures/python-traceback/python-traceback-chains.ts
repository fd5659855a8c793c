// Scans a stream of lines for printed exceptions and joins chained ones: an exception, blank lines, "The above
// exception was the direct cause …" or "During handling …", blank lines, the next exception.
import type { PythonChainLink, PythonException } from './python-traceback.js';
import { parseBareException, parsePlainBlock, startsPlainBlock } from './python-traceback-block.js';
import { parseExceptionGroup } from './python-traceback-group.js';
import {
  chainLinkOfSeparator,
  findTracebackHeader,
  isBlank,
  isNonFatalMarker,
  looksLikeExceptionType,
  parseExceptionLine,
} from './python-traceback-shapes.js';

/** How far above a chain separator an exception printed without a traceback is looked for. */
const BARE_EXCEPTION_SEARCH_LINES = 30;

export interface ScannedChain {
  /** The last exception of the chain, the earlier ones in its `chained`. */
  exception: PythonException;
  /** Lines [start, end) of the stream. */
  start: number;
  end: number;
  /** Printed after "Exception ignored in", "Exception in thread" and the like: the process went on. */
  nonFatal: boolean;
}

interface PendingLink {
  link: PythonChainLink;
  /** The chain the separator continues, or the exception without traceback printed above it. */
  chain?: ScannedChain;
  bare?: { exception: PythonException; start: number };
}

/** Every complete printed exception of the stream, chained ones joined, in order. */
export function scanTracebackChains(lines: readonly string[]): ScannedChain[] {
  const chains: ScannedChain[] = [];
  let latest: ScannedChain | undefined;
  let pending: PendingLink | undefined;
  let previous: 'block' | 'separator' | 'other' = 'other';
  let floor = 0;
  let cursor = 0;
  while (cursor < lines.length) {
    const line = lines[cursor] ?? '';
    const link = chainLinkOfSeparator(line);
    if (link) {
      pending = previous === 'block' && latest ? { link, chain: latest } : bareLink(lines, cursor, floor, link);
      previous = 'separator';
      cursor += 1;
      floor = cursor;
      continue;
    }
    const header = findTracebackHeader(line);
    if (header?.kind === 'group' || startsPlainBlock(lines, cursor)) {
      const block =
        header?.kind === 'group'
          ? parseExceptionGroup(lines, cursor, header, readSectionContent)
          : parsePlainBlock(lines, cursor);
      const end = Math.max(block.end, cursor + 1);
      if (block.exception) {
        const continued =
          previous === 'separator' && pending ? continueChain(chains, lines, pending, block.exception, end) : undefined;
        latest = continued ?? {
          exception: block.exception,
          start: cursor,
          end,
          nonFatal: followsNonFatalMarker(lines, cursor),
        };
        if (!continued) chains.push(latest);
        previous = 'block';
      } else {
        previous = 'other';
      }
      pending = undefined;
      cursor = end;
      floor = end;
      continue;
    }
    if (!isBlank(line)) previous = 'other';
    cursor += 1;
  }
  return chains;
}

function continueChain(
  chains: ScannedChain[],
  lines: readonly string[],
  pending: PendingLink,
  exception: PythonException,
  end: number,
): ScannedChain | undefined {
  let chain = pending.chain;
  if (!chain) {
    if (!pending.bare) return undefined;
    const start = pending.bare.start;
    chain = { exception: pending.bare.exception, start, end, nonFatal: followsNonFatalMarker(lines, start) };
    chains.push(chain);
  }
  const { chained, ...earlier } = chain.exception;
  exception.chained = [...(chained ?? []), { ...earlier, chainedAs: pending.link }];
  chain.exception = exception;
  chain.end = end;
  return chain;
}

/**
 * A separator with no traceback right above it follows an exception printed without one (it never had a
 * `__traceback__`): the nearest line above that reads `SomethingError: …`.
 */
function bareLink(
  lines: readonly string[],
  separator: number,
  floor: number,
  link: PythonChainLink,
): PendingLink | undefined {
  let last = separator - 1;
  while (last >= floor && isBlank(lines[last] ?? '')) last -= 1;
  for (let candidate = last; candidate >= floor && candidate > last - BARE_EXCEPTION_SEARCH_LINES; candidate -= 1) {
    const parsed = parseExceptionLine(lines[candidate] ?? '');
    if (!parsed || !looksLikeExceptionType(parsed.type)) continue;
    const exception = parseBareException(lines, candidate).exception;
    if (exception) return { link, bare: { exception, start: candidate } };
  }
  return undefined;
}

function followsNonFatalMarker(lines: readonly string[], start: number): boolean {
  return start > 0 && isNonFatalMarker(lines[start - 1] ?? '');
}

/** A group section's text: a traceback (possibly chained) or an exception printed without one. */
function readSectionContent(lines: string[]): PythonException | undefined {
  const last = scanTracebackChains(lines).at(-1);
  if (last) return last.exception;
  const first = lines.findIndex((line) => !isBlank(line));
  return first < 0 ? undefined : parseBareException(lines, first).exception;
}
