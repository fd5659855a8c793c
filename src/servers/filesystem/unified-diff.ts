import { diffLines, type DiffOperation } from './line-diff.js';

const contextLines = 3;

/** Lines with their terminators kept, so that a missing final newline counts as a difference. */
function splitKeepingNewlines(text: string): string[] {
  return text === '' ? [] : text.split(/(?<=\n)/);
}

function formatLine(prefix: string, line: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

function range(start: number, count: number): string {
  // An empty range names the line before it, as diff and git do.
  return `${count === 0 ? start - 1 : start},${count}`;
}

/**
 * A unified diff of two versions of a file, in the form `git diff` and the reference server print (jsdiff's
 * createTwoFilesPatch): an `Index:` header, `--- path\toriginal` / `+++ path\tmodified`, and hunks with three
 * lines of context. Identical texts give the header alone.
 */
export function createUnifiedDiff(original: string, modified: string, filePath: string): string {
  const header = `Index: ${filePath}\n${'='.repeat(67)}\n--- ${filePath}\toriginal\n+++ ${filePath}\tmodified\n`;
  const operations = diffLines(splitKeepingNewlines(original), splitKeepingNewlines(modified));
  return header + formatHunks(operations).join('');
}

function formatHunks(operations: readonly DiffOperation[]): string[] {
  const changed = operations.flatMap((operation, index) => (operation.kind === 'equal' ? [] : [index]));
  const hunks: string[] = [];
  let groupStart = 0;
  while (groupStart < changed.length) {
    let groupEnd = groupStart;
    while (
      groupEnd + 1 < changed.length &&
      (changed[groupEnd + 1] as number) - (changed[groupEnd] as number) - 1 <= 2 * contextLines
    ) {
      groupEnd++;
    }
    const first = Math.max(0, (changed[groupStart] as number) - contextLines);
    const last = Math.min(operations.length - 1, (changed[groupEnd] as number) + contextLines);
    hunks.push(formatHunk(operations, first, last));
    groupStart = groupEnd + 1;
  }
  return hunks;
}

function formatHunk(operations: readonly DiffOperation[], first: number, last: number): string {
  let oldStart = 1;
  let newStart = 1;
  for (let index = 0; index < first; index++) {
    const operation = operations[index] as DiffOperation;
    if (operation.kind !== 'insert') oldStart++;
    if (operation.kind !== 'delete') newStart++;
  }
  let oldCount = 0;
  let newCount = 0;
  let body = '';
  for (let index = first; index <= last; index++) {
    const operation = operations[index] as DiffOperation;
    if (operation.kind !== 'insert') oldCount++;
    if (operation.kind !== 'delete') newCount++;
    body += formatLine(operation.kind === 'equal' ? ' ' : operation.kind === 'delete' ? '-' : '+', operation.line);
  }
  return `@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@\n${body}`;
}
