import { clipText, gist, oneLine } from '../../runtime/recovery/report-text.js';

/** Markdown building blocks shared by the report's sections. */

/** A markdown table; cells are made safe (one line, pipes escaped). */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((row) => `| ${row.map(tableCell).join(' | ')} |`)];
}

function tableCell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|') || ' ';
}

/** The gist of a text (its first non-heading line) on one line, at most `length` characters. */
export function brief(text: string, length = 160): string {
  return clipText(oneLine(gist(text)), length);
}

/** Text inside backticks, which it must not end early. */
export function code(text: string): string {
  return `\`${text.replace(/`/g, "'")}\``;
}

export function usd(amount: number): string {
  return `$${amount.toFixed(4)}`;
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
