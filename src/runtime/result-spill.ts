import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface SpilledText {
  /** What the model is given: the text itself, or a preview with the file's path. */
  text: string;
  /** Path of the full text relative to the workdir, when it was written to a file. */
  spilledTo?: string;
}

const PREVIEW_FRACTION = 0.2;
const MIN_PREVIEW = 1_000;

/**
 * Keeps the model's context small: text longer than `maxChars` is written whole to
 * `<runDirectory>/results/<name>.txt`; the model gets the start of it and the path, and reads more on demand.
 * The text is written as given: executeToolCall has scrubbed the process's secrets from it already.
 */
export function spillIfLarge(
  text: string,
  options: { maxChars: number; runDirectory: string; workdir: string; name: string },
): SpilledText {
  if (text.length <= options.maxChars) return { text };
  const directory = join(options.runDirectory, 'results');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `${options.name.replace(/[^A-Za-z0-9._-]/g, '_')}.txt`);
  writeFileSync(file, text);
  const spilledTo = relative(options.workdir, file);
  const previewLength = Math.max(MIN_PREVIEW, Math.floor(options.maxChars * PREVIEW_FRACTION));
  const preview = text.slice(0, previewLength);
  return {
    spilledTo,
    text:
      `${preview}\n\n[… ${text.length - preview.length} more characters not shown. The full result (${text.length} characters, ` +
      `${text.split('\n').length} lines) is saved at ${spilledTo}; read parts of it with read_result {"path": "${spilledTo}", "offset": ${preview.length}}.]`,
  };
}
