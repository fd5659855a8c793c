import { clipText, gist, oneLine } from '../../runtime/recovery/report-text.js';

/** Markdown building blocks shared by the report's sections. */

/** How a table column is aligned: text left, numbers (counts, amounts, durations, times) right. */
export type ColumnAlignment = 'left' | 'right';

/**
 * A markdown table; cells are made safe (one line, pipes escaped) but not escaped otherwise: pass free text through
 * `escapeMarkdown` first. `alignment` gives each column's (default left); numeric columns are right-aligned (`---:`).
 */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  alignment: readonly ColumnAlignment[] = [],
): string[] {
  const rule = header.map((_, index) => (alignment[index] === 'right' ? '---:' : '---'));
  return [
    `| ${header.join(' | ')} |`,
    `|${rule.join('|')}|`,
    ...rows.map((row) => `| ${row.map(tableCell).join(' | ')} |`),
  ];
}

function tableCell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|') || ' ';
}

/**
 * What markdown could read as syntax in free text: these characters; `<` where a tag or an autolink could start
 * (before a letter, `/`, `!` or `?`: `<$0.01` and `a < b` stay as they are); runs of underscores (see below).
 */
const MARKDOWN_SPECIAL = /[\\*[\]>#~]|<(?=[A-Za-z/!?])|_+/g;

/**
 * Free text (summaries, error messages, agent text, names) as markdown that renders as written: `\ * [ ] > # ~`
 * and a `<` that could open a tag are backslash-escaped, and so are runs of `_` unless they stand between two
 * letters or digits (`max_seq_length` stays as it is: such underscores never make emphasis, while those of
 * `__init__` would). Code spans the text holds (a run of backticks closed by a run of the same length) are kept as
 * they are, so `` `labels` `` still renders as code; a backtick that closes nothing is escaped.
 */
export function escapeMarkdown(text: string): string {
  let result = '';
  let position = 0;
  for (const run of text.matchAll(/`+/g)) {
    const start = run.index;
    if (start < position) continue;
    const length = run[0].length;
    const closing = findClosingRun(text, start + length, length);
    result += escapeOutsideCode(text.slice(position, start));
    result += closing === undefined ? '\\`'.repeat(length) : text.slice(start, closing + length);
    position = closing === undefined ? start + length : closing + length;
  }
  return result + escapeOutsideCode(text.slice(position));
}

/** Where the run of exactly `length` backticks that closes a code span opened before `from` starts; undefined if none. */
function findClosingRun(text: string, from: number, length: number): number | undefined {
  const pattern = /`+/g;
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    if (match[0].length === length) return match.index;
  }
  return undefined;
}

function escapeOutsideCode(text: string): string {
  const wordCharacter = (character: string | undefined) => character !== undefined && /[\p{L}\p{N}]/u.test(character);
  return text.replace(MARKDOWN_SPECIAL, (found: string, index: number) => {
    if (!found.startsWith('_')) return `\\${found}`;
    return wordCharacter(text[index - 1]) && wordCharacter(text[index + found.length])
      ? found
      : found.replace(/_/g, '\\_');
  });
}

/** The gist of a text (its first non-heading line) on one line, at most `length` characters. */
export function brief(text: string, length = 160): string {
  return clipText(oneLine(gist(text)), length);
}

/** `brief` of free text, escaped for markdown: what every free-text line and cell of the report shows. */
export function briefText(text: string, length = 160): string {
  return escapeMarkdown(brief(text, length));
}

/** Text inside backticks, which it must not end early. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

/**
 * An amount of money in dollars and cents: `$1.23`, `$0.05`, `$1,234.50`; an amount under a cent `<$0.01`, so a
 * small cost is never shown as nothing; exactly nothing `$0.00`.
 */
export function usd(amount: number): string {
  if (amount < 0) return `-${usd(-amount)}`;
  if (amount === 0) return '$0.00';
  if (amount < 0.01) return '<$0.01';
  return `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

/** A difference with its sign, `+0.13`, `-0.20`, `+0.00`. */
export function signed(value: number, decimals = 2): string {
  const text = Math.abs(value).toFixed(decimals);
  return value < 0 && Number(text) !== 0 ? `-${text}` : `+${text}`;
}

/** A metric value with four significant digits. */
export function metric(value: number): string {
  return String(Number(value.toPrecision(4)));
}

/** An ISO timestamp as `2025-01-01 10:00:00 UTC`. */
export function timestamp(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** Time since the run started, `+1:02:03`. */
export function offset(milliseconds: number): string {
  const seconds = Math.max(0, Math.round(milliseconds / 1000));
  const pad = (value: number) => String(value).padStart(2, '0');
  return `+${Math.floor(seconds / 3600)}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** The one line a section shows when it has nothing to show. */
export function none(reason: string): string[] {
  return [`None: ${reason}.`];
}
