import type { InFlightCall } from './event-schema.js';

/** Where the terminal's width is not known. */
const DEFAULT_COLUMNS = 80;

/** Elapsed time on a waiting line, to the second: `12s`, `1m 05s`, `2h 03m`. */
export function formatElapsed(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1_000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * Text mode's live line on a terminal: `⋯ code · openrouter/openai/gpt-5 · 12s · ~340 tokens`; several calls
 * in flight are counted and listed longest-waiting first. Clipped to one column less than the terminal's width,
 * so that it never wraps (a wrapped line could not be redrawn in place). Undefined when nothing is in flight.
 */
export function statusText(calls: readonly InFlightCall[], columns: number | undefined): string | undefined {
  if (calls.length === 0) return undefined;
  const parts = calls.map((call) => {
    const tokens =
      call.tokens_streamed === undefined ? '' : ` · ~${call.tokens_streamed.toLocaleString('en-US')} tokens`;
    return `${call.agent} · ${call.model ?? call.tool ?? call.kind} · ${formatElapsed(call.elapsed_ms)}${tokens}`;
  });
  const text = `⋯ ${calls.length > 1 ? `${calls.length} waiting: ` : ''}${parts.join(' │ ')}`;
  return clip(text, Math.max(2, (columns || DEFAULT_COLUMNS) - 1));
}

/**
 * The same as one plain line, for logs (stderr not a terminal), printed with each `heartbeat`:
 * `… waiting: code on openrouter/openai/gpt-5 for 1m 30s (~340 tokens streamed); code on shell__run_command for 12s`.
 */
export function waitingLine(calls: readonly InFlightCall[]): string {
  const parts = calls.map((call) => {
    const tokens =
      call.tokens_streamed === undefined ? '' : ` (~${call.tokens_streamed.toLocaleString('en-US')} tokens streamed)`;
    return `${call.agent} on ${call.model ?? call.tool ?? call.kind} for ${formatElapsed(call.elapsed_ms)}${tokens}`;
  });
  return `… waiting: ${parts.join('; ')}`;
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
