import type { GpuInfo } from './gpu-discovery.js';

/** Readings the GPU tools print for a field they cannot fill: `[N/A]`, `[Not Supported]`, `N/A`, `Unknown Error`, … */
const UNAVAILABLE =
  /^\[?\s*(n\/a|not supported|not available|unknown( error)?|insufficient permissions|gpu requires reset)\s*\]?$/i;

/** A number from a tool's field ("81559", "61.20 W", 45.0), or undefined when it is empty, unavailable or not a number. */
export function numberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (UNAVAILABLE.test(trimmed)) return undefined;
  const match = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?/.exec(trimmed);
  return match ? Number(match[0]) : undefined;
}

/** A text field, or undefined when it is empty or one of the "unavailable" readings. */
export function textValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed && !UNAVAILABLE.test(trimmed) ? trimmed : undefined;
}

/** The JSON document in a tool's stdout, skipping warning lines printed before it; undefined for anything else. */
export function parseJsonOutput(output: string): unknown {
  const start = output.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    return JSON.parse(output.slice(start)) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object (not an array, not null), for walking parsed JSON safely. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The first non-blank line of a tool's output, for a one-line reason. */
export function firstLine(text: string): string | undefined {
  return text
    .split('\n')
    .map((line) => line.trim())
    .find((line) => line.length > 0);
}

/** Adds `memoryFreeMiB` (total − used) when both are known. */
export function withFreeMemory(gpu: GpuInfo): GpuInfo {
  const { memoryTotalMiB: total, memoryUsedMiB: used } = gpu;
  return total !== undefined && used !== undefined ? { ...gpu, memoryFreeMiB: Math.max(0, total - used) } : gpu;
}
