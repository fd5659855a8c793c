import { readFileSync, realpathSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { parseToolInput, toolParameters, type RuntimeTool } from './runtime-tool.js';

export const READ_RESULT_TOOL_NAME = 'read_result';
const DEFAULT_LIMIT = 8_000;

const readResultInput = z.object({
  path: z.string().describe('The path given in a truncated result'),
  offset: z.number().int().min(0).default(0).describe('Character offset to start from'),
  limit: z.number().int().min(1).max(50_000).default(DEFAULT_LIMIT).describe('How many characters to read'),
});

/** Reads part of a result that was too large to show whole; only files the run itself saved can be read. */
export function createReadResultTool(options: { workdir: string; runDirectory: string }): RuntimeTool {
  return {
    definition: {
      name: READ_RESULT_TOOL_NAME,
      description:
        'Read part of a tool or delegation result that was too long to show in full and was saved to a file.',
      parameters: toolParameters(readResultInput),
    },
    async execute(input) {
      const parsed = parseToolInput(readResultInput, input, READ_RESULT_TOOL_NAME);
      if (!parsed.ok) return { text: parsed.error, isError: true };
      const { path, offset, limit } = parsed.value;
      let file: string;
      let resultsDirectory: string;
      try {
        file = realpathSync(resolve(options.workdir, path));
        resultsDirectory = realpathSync(join(options.runDirectory, 'results'));
      } catch {
        return { text: `no saved result at ${path}; use the exact path given in the truncated result`, isError: true };
      }
      if (!file.startsWith(resultsDirectory + sep)) {
        return {
          text: `${path} is not a saved result of this run; read_result only reads files named in truncated results`,
          isError: true,
        };
      }
      const text = readFileSync(file, 'utf8');
      if (offset >= text.length)
        return { text: `offset ${offset} is past the end (${text.length} characters)`, isError: true };
      const end = Math.min(text.length, offset + limit);
      const more = end < text.length ? ` — ${text.length - end} more; continue with offset ${end}` : ' — end of result';
      return {
        text: `[characters ${offset}–${end} of ${text.length}${more}]\n${text.slice(offset, end)}`,
        isError: false,
      };
    },
  };
}
